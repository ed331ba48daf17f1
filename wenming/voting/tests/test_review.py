import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.urls import reverse

from wenming.core.models import AuditEntry, Resident
from wenming.core.roles import Role
from wenming.testing.factories import make_user, set_rules
from wenming.voting import review, services
from wenming.voting.models import FraudDecision, TallyShard, Vote, VoteStatus


def tally(candidate):
    return TallyShard.objects.filter(candidate=candidate).aggregate(n=Sum("counted"))["n"] or 0


@pytest.fixture
def flagged(candidates, campaign):
    """Six votes from 10.8.1.x for candidate 0, the last four quarantined (net24_daily = 2)."""
    rules = campaign.rules
    rules["voting"]["risk"]["net24_daily"] = 2
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for i in range(6):
            resident = Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                               consented_at="2019-11-01T00:00Z")
            services.cast_vote(campaign.pk, resident.pk, candidates[0].pk, ip=f"10.8.1.{i + 1}")
    return candidates[0]


def test_the_overview_shows_the_cluster(flagged, campaign):
    counts, clusters = review.overview(campaign)
    assert dict(counts)[(flagged.pk, flagged.title)] == {"counted": 2, "quarantined": 4, "invalidated": 0}
    assert clusters == [{"candidate_id": flagged.pk, "network": "10.8.1.0/24", "votes": 4,
                         "reason": "同一网段（10.8.1.0/24）当日投票集中"}]


def test_release_counts_the_votes(flagged, campaign, office):
    assert tally(flagged) == 2
    review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="release", reason="核实为同小区业主",
                  actor=office)
    assert tally(flagged) == 6 and not Vote.objects.filter(status=VoteStatus.QUARANTINED).exists()
    assert AuditEntry.objects.get(action="voting.fraud.decided").reason == "核实为同小区业主"


def test_a_small_invalidation_applies_and_keeps_the_votes(flagged, campaign, office):
    campaign_rules = campaign.rules
    campaign_rules["voting"]["risk"]["bulk_invalidation_second_approver_from"] = 100
    set_rules(campaign, campaign_rules)
    review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="invalidate", reason="刷票",
                  actor=office)
    assert Vote.objects.count() == 6  # never deleted
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED, status_reason="刷票").count() == 6
    assert tally(flagged) == 0


def test_a_bulk_invalidation_waits_for_a_second_office_member(flagged, campaign, office):
    campaign_rules = campaign.rules
    campaign_rules["voting"]["risk"]["bulk_invalidation_second_approver_from"] = 5
    set_rules(campaign, campaign_rules)
    decision = review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="invalidate",
                             reason="刷票", actor=office)
    assert decision.state == FraudDecision.State.PENDING and tally(flagged) == 2
    with pytest.raises(PermissionDenied, match="另一名"):
        review.approve(decision, actor=office)
    second = make_user("office2", role=Role.OFFICE)
    review.approve(decision, actor=second)
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED).count() == 6 and tally(flagged) == 0
    services.sequence_board()
    assert services.verify_tally() == {}


def test_the_page_is_office_only_and_post_only(client, flagged, office, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("voting_office:fraud")).status_code == 403
    assert client.post(reverse("voting_office:decide"), {"candidate": flagged.pk, "network": "10.8.1.0/24",
                                                         "action": "release", "reason": "x"}).status_code == 403
    client.force_login(office)
    page = client.get(reverse("voting_office:fraud"))
    assert page.status_code == 200 and "10.8.1.0/24" in page.text
    assert client.get(reverse("voting_office:decide")).status_code == 405
    response = client.post(reverse("voting_office:decide"), {"candidate": flagged.pk, "network": "10.8.1.0/24",
                                                             "action": "release", "reason": ""})
    assert response.status_code == 302 and Vote.objects.filter(status=VoteStatus.QUARANTINED).count() == 4


def test_the_hourly_series_has_every_hour_in_beijing_time_with_empty_hours_as_zero(flagged):
    with time_machine.travel("2019-11-28 12:30 +0800", tick=False):
        series = review.time_series(flagged)
    assert len(series) == 48
    assert series[-1]["hour"].isoformat() == "2019-11-28T12:00:00+08:00"
    ten = next(row for row in series if row["hour"].hour == 10 and row["hour"].day == 28)
    assert (ten["counted"], ten["quarantined"], ten["invalidated"], ten["total"]) == (2, 4, 0, 6)
    assert sum(row["total"] for row in series) == 6


def test_the_office_sees_the_candidate_chart(client, flagged, office):
    client.force_login(office)
    with time_machine.travel("2019-11-28 12:30 +0800", tick=False):
        page = client.get(reverse("voting_office:fraud"), {"candidate": flagged.pk}).text
    assert page.count('<rect class="bar-counted"') == 1 and page.count('<rect class="bar-quarantined"') == 1
    assert "11-28 10:00：有效 2，待核查 4，已作废 0" in page
    # the busiest hour fills the chart: quarantined 4 of 6 on top of counted 2 of 6
    assert f'height="{review.CHART_HEIGHT * 2 / 6:.1f}"' in page and f'height="{review.CHART_HEIGHT * 4 / 6:.1f}"' in page
    assert client.get(reverse("voting_office:fraud"), {"candidate": "999999"}).status_code == 404


AFTER_VOTING = "2019-12-06 08:00 +0800"  # the Lianyungang preset's vote window closed at 12-06 00:00


def test_addresses_shrink_to_their_network_only_once_the_review_is_closed(flagged, campaign, office):
    with time_machine.travel("2019-12-05 23:00 +0800", tick=False):
        assert review.minimize_addresses(campaign) == 0  # voting still open
    with time_machine.travel(AFTER_VOTING, tick=False):
        assert review.minimize_addresses(campaign) == 0  # four votes still wait in quarantine
        assert sorted(Vote.objects.values_list("ip", flat=True)) == [f"10.8.1.{i}" for i in range(1, 7)]
        review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="release", reason="核实为同小区业主",
                      actor=office)
        assert review.minimize_addresses(campaign) == 6
        assert review.minimize_addresses(campaign) == 0  # already done
    assert set(Vote.objects.values_list("ip", flat=True)) == {"10.8.1.0"}
    assert tally(flagged) == 6  # the counts do not move
    assert AuditEntry.objects.get(action="voting.addresses.minimized").after == {"votes": 6, "networks": 1}


def test_an_ipv6_address_keeps_its_48():
    assert review.network_address("2408:8207:1851:a2b0::35") == "2408:8207:1851::"
    assert review.network_address("10.8.1.77") == "10.8.1.0"


def test_the_schedule_runs_it_daily(flagged, campaign, office, settings):
    from wenming.voting.tasks import minimize_addresses_task

    assert settings.SCHEDULES["vote-address-minimizing"] == {
        "task": "wenming.voting.tasks.minimize_addresses_task", "every_seconds": 86400}
    with time_machine.travel(AFTER_VOTING, tick=False):
        Vote.objects.filter(status=VoteStatus.QUARANTINED).update(status=VoteStatus.INVALIDATED)
        assert minimize_addresses_task.enqueue().return_value == 6
