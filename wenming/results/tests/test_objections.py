"""公示异议: during a published result's publicity period a resident (verified phone) or a
company objects; the office answers in public; an upheld objection is resolved by a corrected
run that supersedes the one objected to."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry, Notification, Resident
from wenming.core.tests.test_scans import pdf_bytes
from wenming.results import services
from wenming.results.models import Objection, Run
from wenming.results.tests.conftest import AFTER, agree
from wenming.testing.factories import verified_session
from wenming.voting.models import Vote

pytestmark = pytest.mark.django_db
PUBLISHED = "2019-12-21 10:00 +0800"  # the publicity period: 12-21 to 12-25 (5 days), closes 12-26 00:00


@pytest.fixture
def published(campaign, contest, office):
    award, shows = contest
    with time_machine.travel(PUBLISHED, tick=False):
        run = services.publish(campaign, agree(campaign, services.compute(campaign, award, office)), office)
    return run, shows


@pytest.fixture
def resident(db):
    from django.utils import timezone

    return Resident.objects.create(phone="13905180001", consent_version="2019.1", consented_at=timezone.now())


def test_the_window_is_the_presets_days_from_publication(campaign, published):
    run, _ = published
    opens, closes = services.objection_window(campaign, run)
    assert closes.astimezone(campaign.tz).isoformat() == "2019-12-26T00:00:00+08:00"
    assert services.objections_open(campaign, run, opens)
    assert not services.objections_open(campaign, run, closes)


def test_a_resident_objects_the_office_upholds_and_the_correction_answers_it(
        campaign, published, resident, office, django_capture_on_commit_callbacks):
    run, shows = published
    with time_machine.travel("2019-12-23 09:00 +0800", tick=False):
        with pytest.raises(ValidationError) as refused:
            services.file_objection(campaign, run, name="", reason="太短", resident=resident)
        assert set(refused.value.message_dict) == {"name", "reason"}
        with django_capture_on_commit_callbacks(execute=True):
            objection = services.file_objection(campaign, run, name="王女士", resident=resident, candidate=shows[0],
                                                reason="第一名的票数在一夜之间翻倍，疑似刷票，请核查。")
        with pytest.raises(Conflict, match="正在处理中"):
            services.file_objection(campaign, run, name="王女士", resident=resident, reason="再次提出同样的异议内容。")
        assert Notification.objects.filter(user=office, message__contains="收到异议第").exists()
        with pytest.raises(ValidationError):
            services.decide_objection(campaign, objection, office, upheld=True, answer="")
        services.decide_objection(campaign, objection, office, upheld=True,
                                  answer="经核查属实，相关选票作废后更正公布。")
        with pytest.raises(Conflict, match="已处理"):
            services.decide_objection(campaign, objection, office, upheld=False, answer="再次处理该异议。")
        Vote.objects.filter(candidate=shows[0]).update(status="invalidated")
        fix = services.publish(campaign, agree(campaign, services.compute(campaign, run.award, office)), office,
                               "异议第 1 号成立：刷票作废")
    objection.refresh_from_db()
    run.refresh_from_db()
    assert objection.state == Objection.State.UPHELD and objection.corrected_by == fix
    assert run.state == Run.State.SUPERSEDED and fix.supersedes == run
    assert {"results.objection.filed", "results.objection.decided"} <= set(
        AuditEntry.objects.values_list("action", flat=True))


def test_objections_are_refused_after_the_period_or_on_a_superseded_run(campaign, published, resident, company_a):
    run, _ = published
    with time_machine.travel("2019-12-26 00:00 +0800", tick=False), pytest.raises(Conflict, match="公示期已于"):
        services.file_objection(campaign, run, name="王女士", resident=resident, reason="第一名的票数不真实，请核查。")
    Run.objects.filter(pk=run.pk).update(state=Run.State.SUPERSEDED)
    with time_machine.travel("2019-12-22 00:00 +0800", tick=False), pytest.raises(Conflict, match="已被更正"):
        services.file_objection(campaign, run, name="某公司", actor=company_a, reason="第一名的票数不真实，请核查。")
    assert not Objection.objects.exists()


def test_only_a_company_user_or_a_resident_may_object(campaign, published, office, haizhou_officer):
    run, _ = published
    with time_machine.travel("2019-12-22 10:00 +0800", tick=False):
        for user in (office, haizhou_officer):
            with pytest.raises(PermissionDenied):
                services.file_objection(campaign, run, name="x", actor=user, reason="第一名的票数不真实，请核查。")
        with pytest.raises(PermissionDenied):
            services.file_objection(campaign, run, name="x", reason="第一名的票数不真实，请核查。")
    assert not Objection.objects.exists()


def test_the_pages_file_answer_and_show_objections(client, campaign, published, resident, office, company_a,
                                                   haizhou_officer):
    run, shows = published
    url = f"/results/runs/{run.pk}/objection/"
    with time_machine.travel("2019-12-22 10:00 +0800", tick=True):
        assert "验证手机号" in client.get(url).text  # a visitor proves a phone first
        verified_session(client, resident)
        page = client.get(url).text
        assert "公示期至 2019年12月25日 24:00" in page and f"第 1 名 · {shows[0].title}" in page
        typed = {"step": "object", "name": "王女士", "reason": "太短", "candidate": str(shows[0].pk)}
        response = client.post(url, typed)
        assert response.status_code == 400 and "请写明异议的事实和理由（至少 10 个字）" in response.text
        assert "王女士" in response.text  # what was typed is kept
        fake = SimpleUploadedFile("e.pdf", b"%PDF-1.4 not really", content_type="application/pdf")
        response = client.post(url, {**typed, "reason": "第一名的票数不真实，请核查。", "evidence": fake})
        assert response.status_code == 400 and "证明材料" in response.text and not Objection.objects.exists()
        evidence = SimpleUploadedFile("e.pdf", pdf_bytes(), content_type="application/pdf")
        response = client.post(url, {**typed, "reason": "第一名的票数不真实，请核查。", "evidence": evidence})
        assert response.status_code == 200 and "异议已提交" in response.text
        objection = Objection.objects.get()
        assert objection.resident == resident and objection.candidate == shows[0]
        assert client.get(objection.evidence_url).status_code == 200  # the filer sees their evidence
        client.logout()
        assert client.get(objection.evidence_url).status_code == 404
        client.force_login(haizhou_officer)
        assert client.post(url, {**typed, "reason": "第一名的票数不真实，请核查。"}).status_code == 403
        assert client.get("/results/objections/").status_code == 403
        assert client.get(objection.evidence_url).status_code == 404
        client.force_login(company_a)
        client.post(url, {**typed, "name": "甲物业", "reason": "我司对第二名的专家评分有异议，请复核。"})
        assert Objection.objects.filter(company=company_a.company).exists()
        client.force_login(office)
        assert client.get(objection.evidence_url).status_code == 200
        page = client.get("/results/objections/").text
        assert "第一名的票数不真实" in page and "甲物业" in page
        decide = f"/results/objections/{objection.pk}/decide/"
        assert client.get(decide).status_code == 405
        client.post(decide, {"decision": "dismissed", "answer": ""})
        objection.refresh_from_db()
        assert objection.state == Objection.State.PENDING
        response = client.post(decide, {"decision": "dismissed", "answer": "经核查投票记录正常，异议不成立。"}, follow=True)
        assert f"{objection}已处理：异议不成立" in response.text
        client.logout()
        page = client.get("/results/").text
        assert f"{objection}（涉及{shows[0].title}）：异议不成立。答复：经核查投票记录正常" in page
        assert "王女士" not in page and resident.phone not in page
        assert "提出异议" in page
    with time_machine.travel("2019-12-27 10:00 +0800", tick=True):
        assert "公示期已于 2019年12月25日 24:00 结束" in client.get("/results/").text
        verified_session(client, resident)
        assert "不再受理异议" in client.get(url).text
        assert client.post(url, {**typed, "reason": "第一名的票数不真实，请核查。"}).status_code == 409
    assert client.get("/results/runs/999999/objection/").status_code == 404
    assert Objection.objects.count() == 2


def test_the_window_opens_with_publication_not_before(client, campaign, contest, office):
    award, _ = contest
    with time_machine.travel(AFTER, tick=False):
        run = agree(campaign, services.compute(campaign, award, office))
    assert client.get(f"/results/runs/{run.pk}/objection/").status_code == 404  # not published: absent
