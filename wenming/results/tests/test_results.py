"""Computing, confirming, publishing and verifying results end to end on real inputs."""

import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wenming.awards.tests.test_printing import requires_pdf
from wenming.core.errors import Conflict
from wenming.core.roles import Role
from wenming.judging import services as judging
from wenming.judging.models import Expert, Sheet
from wenming.results import services
from wenming.results.models import Run
from wenming.results.tests.conftest import AFTER, agree
from wenming.surveys.models import Response
from wenming.testing.factories import make_user
from wenming.voting.models import Vote

pytestmark = pytest.mark.django_db


def test_computing_three_times_gives_identical_sheets_and_publication_verifies(campaign, contest, office):
    award, shows = contest
    with time_machine.travel(AFTER, tick=False):
        runs = [services.compute(campaign, award, office) for _ in range(3)]
        assert len({r.body for r in runs}) == 1 and len({r.input_hash for r in runs}) == 1
        sheets = json.loads(runs[0].body)
        assert [s["candidate_id"] for s in sheets] == [s.pk for s in shows]  # most votes and best survey first
        top = sheets[0]
        assert [p["source"] for p in top["parts"]] == ["survey", "vote", "expert"]
        assert top["parts"][1]["raw"] == {"valid_votes": 5, "most_in_award": 5} and top["parts"][1]["points"] == "100.00"
        assert len(top["parts"][2]["raw"]["scores"]) == 5 and len(top["parts"][2]["raw"]["dropped"]) == 2
        run = runs[-1]
        with pytest.raises(Conflict):
            services.publish(campaign, run, office)  # not confirmed
        judges = list(services.committee(campaign, award))
        assert [j.username for j in judges] == [f"judge{i}" for i in range(5)] and services.quorum(campaign, award) == 3
        with pytest.raises(PermissionDenied):  # the office runs the process; the committee decides
            services.confirm(campaign, run, office)
        services.confirm(campaign, run, judges[0])
        with pytest.raises(Conflict):
            services.confirm(campaign, run, judges[0])
        with pytest.raises(ValidationError):  # disagreeing needs a reason
            services.confirm(campaign, run, judges[1], agree=False)
        services.confirm(campaign, run, judges[1], agree=False, opinion="调查得分的入户率口径需复核")
        services.confirm(campaign, run, judges[2])
        run.refresh_from_db()
        assert run.state == Run.State.PREVIEW  # two agree, one disagrees: no quorum yet
        services.confirm(campaign, run, judges[3])
        run.refresh_from_db()
        assert run.state == Run.State.CONFIRMED  # three of five agree, more than disagree
        with pytest.raises(Conflict):
            services.confirm(campaign, run, judges[4])
        services.publish(campaign, run, office)
        assert services.verify(run)[0]
        Vote.objects.filter(candidate=shows[2]).update(status="invalidated")
        ok, message = services.verify(run)
        assert not ok and "原始数据与公布时不一致" in message


def test_an_altered_expert_score_fails_verification(campaign, contest, office):
    award, shows = contest
    with time_machine.travel(AFTER, tick=False):
        run = services.compute(campaign, award, office)
        Run.objects.filter(pk=run.pk).update(state=Run.State.PUBLISHED, published_at=timezone.now())
        assert services.verify(run)[0]
        Sheet.objects.filter(assignment__candidate=shows[0]).order_by("pk").filter(
            pk=Sheet.objects.filter(assignment__candidate=shows[0]).first().pk).update(total="12.0")
        assert not services.verify(run)[0]


def test_computing_is_refused_while_voting_is_open_or_a_sheet_is_missing(campaign, contest, office):
    award, shows = contest
    with time_machine.travel("2019-12-05 23:00 +0800", tick=False), pytest.raises(Conflict, match="投票尚未结束"):
        services.compute(campaign, award, office)
    late = Expert.objects.create(user=make_user("late", role=Role.EXPERT))
    assignment = judging.assign(campaign, office, late, shows[0])
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(Conflict, match="late 对“结果小区0”的评分表尚未提交"):
            services.compute(campaign, award, office)
        services.excuse(assignment, office, "专家因病未能到场")
        assert services.compute(campaign, award, office).pk
    assert Run.objects.count() == 1
    assert Response.objects.count() == 15


def test_pages_api_command_and_export(client, campaign, contest, office):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from wenming.testing.workbooks import open_export

    award, shows = contest
    assert client.get("/api/v1/results?category=model_community").status_code == 404
    with time_machine.travel(AFTER, tick=False):
        client.force_login(office)
        assert client.get(f"/results/office/awards/{award.pk}/compute/").status_code == 405
        assert client.post(f"/results/office/awards/{award.pk}/compute/").status_code == 302
        run = Run.objects.get()
        assert client.post(f"/results/office/runs/{run.pk}/publish/").status_code == 409  # not confirmed
        assert client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "agree"}).status_code == 403
        judges = list(services.committee(campaign, award))
        outsider = Expert.objects.create(user=make_user("judge9", role=Role.EXPERT)).user
        client.force_login(outsider)
        assert "您目前不是任何奖项评选工作委员会的委员" in client.get("/results/committee/").text
        client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "agree"})
        assert not run.confirmations.exists()  # not on this award's committee: refused, nothing written
        client.force_login(judges[0])
        page = client.get("/results/committee/").text
        assert "文明示范小区" in page and "提交意见" in page and "第 1 名 · 结果小区0" in page
        assert client.get(f"/results/committee/runs/{run.pk}/opinion/").status_code == 405
        response = client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "disagree"}, follow=True)
        assert "不同意时请写明意见" in response.text and not run.confirmations.exists()
        assert client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "maybe"}).status_code == 302
        assert not run.confirmations.exists()
        response = client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "agree"}, follow=True)
        assert "您的意见已记录" in response.text and "您已于" in response.text
        for judge in judges[1:3]:
            client.force_login(judge)
            response = client.post(f"/results/committee/runs/{run.pk}/opinion/", {"decision": "agree"}, follow=True)
        assert "本奖项结果已经委员会确认" in response.text
        client.force_login(office)
        assert "评选工作委员会同意 3/3" in client.get("/results/office/").text
        client.post(f"/results/office/runs/{run.pk}/publish/")
        sheets = open_export(client.get(f"/results/office/runs/{run.pk}/export.xlsx").content, campaign=campaign,
                             scope="全市")
        rows, notes = sheets[award.name], sheets["计分说明"]
        assert rows[0][:4] == ("名次", "候选", "总分", "并列") and rows[1][1] == "结果小区0"
        assert rows[0][4:7] == ("入户调查得分", "入户调查权重", "入户调查加权分")
        first = rows[1]
        assert all(isinstance(v, int | float) for v in (first[0], first[2], *first[4:]))
        # each part's weighted points are its points × weight, and they add up to the total
        assert first[5] == 0.3 and abs(first[6] - first[4] * 0.3) < 0.01
        assert abs(sum(first[6::3]) - first[2]) < 0.02
        assert notes[0] == ("名次", "候选", "部分", "原始数据", "计分规则", "得分", "权重", "加权分")
        vote = next(n for n in notes[1:] if n[1] == "结果小区0" and n[2] == "投票")
        assert vote[3].startswith("有效票 ") and "100 × 有效票" in vote[4]
        assert "规则版本" in notes[-1][4]
        client.logout()
        body = client.get("/api/v1/results?category=model_community").json()
        assert body["items"][0]["name"] == "结果小区0" and body["input_hash"] == run.input_hash
        assert body["items"][0]["parts"][0]["weight"] == "0.3"
        page = client.get("/results/").text
        assert "第 1 名 · 结果小区0" in page and "有效票 5（本奖项最高 5）" in page
        out = StringIO()
        call_command("results", "verify", stdout=out)
        assert "核验一致" in out.getvalue()
        Vote.objects.filter(candidate=shows[0]).update(status="quarantined")
        with pytest.raises(CommandError):
            call_command("results", "verify", stdout=StringIO())
    client.force_login(make_user("haizhou9", role=Role.DISTRICT, district=shows[0].application.district))
    assert client.get("/results/office/").status_code == 403


def test_publication_honours_the_winners_credits_their_companies_and_tracks_district_matching(
        client, campaign, contest, office, world, haizhou_officer, lianyun_officer):
    from wenming.credit import services as credit
    from wenming.credit.models import CreditRecord
    from wenming.results.models import Honour, Matching

    award, _ = contest
    with time_machine.travel(AFTER, tick=False):
        run = services.compute(campaign, award, office)
        agree(campaign, run)
        run = services.publish(campaign, run, office)
    assert Honour.objects.filter(run=run).count() == 3 and Honour.objects.first().funding_yuan == 10000
    assert CreditRecord.objects.filter(company=world.company_b, code="CAMPAIGN_MODEL_COMMUNITY").count() == 3
    # 90 + 3 × 3 while the honours count (36 months from publication)
    assert credit.standing(campaign, world.company_b, run.published_at).score == 99
    services._honour(campaign, run, office)  # a second delivery changes nothing
    assert CreditRecord.objects.filter(company=world.company_b).count() == 3 and Honour.objects.count() == 3
    matching = Matching.objects.get(run=run)
    assert (matching.district, matching.winners, matching.amount_yuan) == (world.haizhou, 3, 30000)
    client.force_login(lianyun_officer)
    assert client.post(f"/results/matching/{matching.pk}/done/", {"document": "连区住建〔2019〕1号"}).status_code == 404
    client.force_login(haizhou_officer)
    assert client.post(f"/results/matching/{matching.pk}/done/", {"document": ""}).status_code == 302
    matching.refresh_from_db()
    assert matching.done_at is None
    client.post(f"/results/matching/{matching.pk}/done/", {"document": "海住建〔2019〕88号"})
    matching.refresh_from_db()
    assert matching.done_at and matching.document == "海住建〔2019〕88号"
    assert "已完成（海住建〔2019〕88号" in client.get("/results/matching/").text


@requires_pdf
def test_a_winner_certificate_is_a_pdf_with_the_award(client, campaign, contest, office):
    import io

    from pypdf import PdfReader

    from wenming.results.models import Honour

    award, _ = contest
    with time_machine.travel(AFTER, tick=False):
        run = services.compute(campaign, award, office)
        agree(campaign, run)
        services.publish(campaign, run, office)
    honour = Honour.objects.get(rank=1)
    client.force_login(office)
    response = client.get(f"/results/certificates/{honour.pk}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace("\n", "")
    text = text.replace(" ", "")
    assert response.status_code == 200 and "荣誉证书" in text and "结果小区0" in text and "文明示范小区" in text
    assert "连云港市住房和城乡建设局" in text  # the campaign's organiser, from the preset
