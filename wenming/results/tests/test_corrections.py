"""A corrected result is published over the first: the new run supersedes the old, which stays
on record and in the public history; honours, credit and matching follow the correction."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from wenming.core.models import AuditEntry
from wenming.core.roles import Role
from wenming.credit.models import CreditRecord, RecordState
from wenming.results import services
from wenming.results.models import Honour, Matching, Run
from wenming.results.tests.conftest import AFTER, agree
from wenming.testing.factories import make_user
from wenming.voting.models import Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_winner(campaign):
    """Only the first place is honoured, so a correction can drop a winner."""
    rule_set = campaign.rule_sets.get(version=campaign.rules_version)
    for award in rule_set.data["awards"]:
        if award["key"] == "model_community":
            award["honours"]["winners"] = 1
    rule_set.save(update_fields=["data"])
    return campaign


def confirmed(campaign, award, office):
    return agree(campaign, services.compute(campaign, award, office))


def test_a_correction_supersedes_the_published_run_and_moves_honours_credit_and_matching(
        one_winner, contest, office, world):
    campaign = one_winner
    award, shows = contest
    with time_machine.travel(AFTER, tick=False):
        first = services.publish(campaign, confirmed(campaign, award, office), office)
    assert [h.candidate for h in Honour.objects.filter(run=first)] == [shows[0]]
    matching = Matching.objects.get(run=first)
    services.complete_matching(matching, office, "海住建〔2019〕88号")

    # The fraud review, after publication, finds the first place's votes bought.
    Vote.objects.filter(candidate=shows[0]).update(status="invalidated")
    with time_machine.travel("2019-12-22 10:00 +0800", tick=False):
        fix = confirmed(campaign, award, office)
        with pytest.raises(ValidationError, match="更正公布须填写更正原因"):
            services.publish(campaign, fix, office)
        first.refresh_from_db()
        assert first.state == Run.State.PUBLISHED  # the refused correction wrote nothing
        fix = services.publish(campaign, fix, office, "  第一名的选票经核查为刷票，已作废  ")

    first.refresh_from_db()
    assert first.state == Run.State.SUPERSEDED and first.superseded_at
    assert fix.state == Run.State.PUBLISHED and fix.supersedes == first
    assert fix.correction_reason == "第一名的选票经核查为刷票，已作废"
    assert services.published(campaign, award.key) == fix
    assert list(services.history(campaign, award)) == [first]
    # Honours: the first run's stay on record; the correction honours its own first place.
    assert [h.candidate for h in Honour.objects.filter(run=first)] == [shows[0]]
    assert [h.candidate for h in Honour.objects.filter(run=fix)] == [shows[1]]
    # Credit: one entry per award and winner; the dropped winner's entry no longer counts.
    dropped = CreditRecord.objects.get(source_key=services.credit_key(fix, shows[0].pk))
    kept = CreditRecord.objects.get(source_key=services.credit_key(fix, shows[1].pk))
    assert (dropped.state, kept.state) == (RecordState.REVOKED, RecordState.ACTIVE)
    assert CreditRecord.objects.filter(company=world.company_b, code="CAMPAIGN_MODEL_COMMUNITY").count() == 2
    withdrawn = AuditEntry.objects.get(action="credit.record.withdrawn")
    assert "刷票" in withdrawn.reason
    # The district's matching (same number of winners, same amount) carries over, already done.
    carried = Matching.objects.get(run=fix)
    assert carried.done_at and carried.document == "海住建〔2019〕88号"
    assert AuditEntry.objects.filter(action="results.superseded", target_id=str(first.pk)).exists()


def test_a_second_correction_keeps_every_earlier_run_in_the_history(one_winner, contest, office):
    campaign = one_winner
    award, shows = contest
    with time_machine.travel(AFTER, tick=False):
        first = services.publish(campaign, confirmed(campaign, award, office), office)
        Vote.objects.filter(candidate=shows[0]).update(status="invalidated")
        fix = services.publish(campaign, confirmed(campaign, award, office), office, "选票作废")
        Vote.objects.filter(candidate=shows[0]).update(status="counted")
        again = services.publish(campaign, confirmed(campaign, award, office), office, "复核后选票恢复有效")
    assert list(services.history(campaign, award)) == [fix, first]
    assert Run.objects.filter(award=award, state=Run.State.PUBLISHED).get() == again


def test_the_office_republishes_from_its_page_and_the_public_sees_the_history(
        client, one_winner, contest, office):
    campaign = one_winner
    award, shows = contest
    with time_machine.travel(AFTER, tick=False):
        first = services.publish(campaign, confirmed(campaign, award, office), office)
        Vote.objects.filter(candidate=shows[0]).update(status="invalidated")
        fix = confirmed(campaign, award, office)
        client.force_login(office)
        page = client.get("/results/office/").text
        assert "更正公布" in page and "更正原因（必填，将公开显示）" in page
        # Without a reason: the reason is asked for, nothing changes (formerly an IntegrityError, a 500).
        response = client.post(f"/results/office/runs/{fix.pk}/publish/", {"reason": ""}, follow=True)
        assert response.status_code == 200 and "更正公布须填写更正原因" in response.text
        first.refresh_from_db()
        assert first.state == Run.State.PUBLISHED
        response = client.post(f"/results/office/runs/{fix.pk}/publish/", {"reason": "刷票作废"}, follow=True)
        assert "更正后的结果已公布，原结果保留在更正记录中" in response.text
        assert client.get(f"/results/office/runs/{fix.pk}/publish/").status_code == 405
        client.logout()
        page = client.get("/results/").text
        assert "此为更正后的结果。更正原因：刷票作废" in page and "更正记录" in page
        assert page.index("第 1 名 · 结果小区1") < page.index("更正记录") < page.index("第 1 名 · 结果小区0")
        body = client.get("/api/v1/results?category=model_community").json()
        assert body["input_hash"] == Run.objects.get(pk=fix.pk).input_hash
        assert body["items"][0]["name"] == "结果小区1"
        client.force_login(make_user("district9", role=Role.DISTRICT, district=shows[0].application.district))
        assert client.post(f"/results/office/runs/{fix.pk}/publish/", {"reason": "x"}).status_code == 403
    first.refresh_from_db()
    assert first.state == Run.State.SUPERSEDED


def test_publishing_waits_for_the_results_phase(client, campaign, contest, office):
    award, _ = contest
    with time_machine.travel("2019-12-20 23:00 +0800", tick=False):
        run = confirmed(campaign, award, office)
        client.force_login(office)
        response = client.post(f"/results/office/runs/{run.pk}/publish/", {"reason": ""})
    assert response.status_code == 409
    assert "公布结果时间为 2019年12月21日 00:00 至" in response.text
    run.refresh_from_db()
    assert run.state == Run.State.CONFIRMED and not Honour.objects.exists()
