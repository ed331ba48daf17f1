"""The credit file: idempotent records, standing as of a date, lists with two approvals,
objections, the bidding export and the public list (page and API)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from wenming.core.errors import Conflict
from wenming.core.roles import Role
from wenming.credit import services
from wenming.credit.models import CreditList, CreditRecord, Objection, RecordState
from wenming.testing.factories import make_user
from wenming.testing.workbooks import first_sheet

pytestmark = pytest.mark.django_db
NOW = "2026-11-20 10:00 +0800"


@pytest.fixture
def second_office(db):
    return make_user("office2", role=Role.OFFICE)


def test_the_same_event_twice_changes_the_score_once(campaign, world):
    for _ in range(2):
        services.record(campaign, world.company_a, "VALID_COMPLAINT", source="complaint", source_key="ticket:17")
    assert services.standing(campaign, world.company_a).score == 89
    assert CreditRecord.objects.count() == 1


def test_standing_as_of_any_date_follows_the_validity_window(campaign, world):
    start = datetime.datetime(2026, 1, 10, 9, tzinfo=campaign.tz)
    services.record(campaign, world.company_a, "HONOR_CITY", source="honour", source_key="h1", at=start)
    services.record(campaign, world.company_a, "FEE_INFO_UNDISCLOSED", source="inspection", source_key="i1", at=start)
    assert services.standing(campaign, world.company_a, start - datetime.timedelta(seconds=1)).score == 90
    assert services.standing(campaign, world.company_a, start).score == 88  # +3 − 5
    later = datetime.datetime(2027, 1, 10, 9, tzinfo=campaign.tz)  # the negative record lasts 12 months
    assert services.standing(campaign, world.company_a, later).score == 93
    assert services.standing(campaign, world.company_a, datetime.datetime(2029, 1, 10, 9, tzinfo=campaign.tz)).score == 90


def test_grades_follow_the_thresholds_and_a_veto_is_the_lowest(campaign, world, office):
    assert services.grade_for(campaign, 140, False) == "4A" and services.grade_for(campaign, 139, False) == "3A"
    assert services.grade_for(campaign, 85, False) == "A" and services.grade_for(campaign, 84, False) == "B"
    services.record_manual(campaign, world.company_a, code="", veto_name="挪用维修资金", evidence="审计报告", actor=office)
    standing = services.standing(campaign, world.company_a)
    assert standing.score == 90 and standing.grade == "B" and standing.veto
    with pytest.raises(ValidationError):
        services.record_manual(campaign, world.company_a, code="", veto_name="随便写的", evidence="x", actor=office)


def test_an_objection_suspends_the_record_until_the_office_decides(campaign, world, company_a, office, company_b):
    with time_machine.travel(NOW, tick=False):
        record, _ = services.record(campaign, world.company_a, "PUBLIC_INCOME_UNDISCLOSED", source="inspection",
                                    source_key="i9")
        with pytest.raises(PermissionDenied):
            services.file_objection(campaign, record, company_b, reason="不是我们")
        objection = services.file_objection(campaign, record, company_a, reason="已公示，附照片")
        assert services.standing(campaign, world.company_a).score == 90  # disputed: not counted
        assert objection.decide_by == datetime.date(2026, 12, 10)
        with pytest.raises(Conflict):
            services.file_objection(campaign, record, company_a, reason="再提一次")
        services.decide_objection(objection, office, upheld=False, decision="公示照片日期晚于检查日期")
        assert services.standing(campaign, world.company_a).score == 85
        with pytest.raises(Conflict):
            services.decide_objection(objection, office, upheld=True, decision="改判")


def test_lists_need_two_different_office_members_and_districts_cannot_publish(client, campaign, world, office,
                                                                              second_office, haizhou_officer):
    # The list for 2026-11 is computed as of that month's end: the record must fall inside it.
    with time_machine.travel(NOW, tick=False):
        services.record(campaign, world.company_b, "JUDGMENT_MAIN_RESP", source="manual", source_key="j1", points=-10)
        client.force_login(haizhou_officer)
        assert client.post(reverse("credit:manage"), {"period": "2026-11"}).status_code == 403
        client.force_login(office)
        assert client.post(reverse("credit:manage"), {"period": "2026-13"}).status_code == 400
        assert CreditList.objects.count() == 0
        assert client.post(reverse("credit:manage"), {"period": "2026-11"}).status_code == 302
        draft = CreditList.objects.get()
        client.force_login(haizhou_officer)
        assert client.post(reverse("credit:approve", args=[draft.pk])).status_code == 403
        client.force_login(office)
        client.post(reverse("credit:approve", args=[draft.pk]))
        assert client.post(reverse("credit:approve", args=[draft.pk])).status_code == 409
        assert client.get("/api/v1/credit/lists").json()["black"] == []
        client.force_login(second_office)
        client.post(reverse("credit:approve", args=[draft.pk]))
        body = client.get("/api/v1/credit/lists").json()
        assert [b["name"] for b in body["black"]] == [world.company_b.name] and body["black"][0]["grade"] == "B"
        assert body["published_at"].endswith("+08:00") and body["period"] == "2026-11"
        client.logout()
        assert world.company_b.name in client.get(reverse("credit:lists")).text


@time_machine.travel(NOW, tick=False)
def test_the_bidding_export_marks_the_black_listed_company(client, campaign, world, office, second_office):
    services.record(campaign, world.company_b, "JUDGMENT_MAIN_RESP", source="manual", source_key="j1", points=-10)
    services.record(campaign, world.company_a, "CAMPAIGN_MODEL_COMMUNITY", source="honour", source_key="award:1")
    credit_list = services.compute_list(campaign, "2026-11", office, [world.company_a, world.company_b])
    services.approve_list(campaign, credit_list, office)
    services.approve_list(campaign, credit_list, second_office)
    client.force_login(office)
    rows = first_sheet(client.get(reverse("credit:bidding")).content, scope="全市")
    by_name = {r[0]: r for r in rows[1:]}
    assert isinstance(by_name[world.company_b.name][2], int)
    assert isinstance(by_name[world.company_b.name][5], datetime.datetime)  # restriction end as a date
    assert by_name[world.company_b.name][4] == "黑榜" and by_name[world.company_b.name][6] == "不得参与物业项目招投标"
    assert by_name[world.company_a.name][7] == 3 and not by_name[world.company_a.name][4]


def test_pages_scope_and_methods(client, campaign, world, office, company_a, haizhou_officer, lianyun_officer, expert):
    record, _ = services.record(campaign, world.company_b, "VALID_COMPLAINT", source="complaint", source_key="t1")
    client.force_login(company_a)
    assert client.get(reverse("credit:company", args=[world.company_b.pk])).status_code == 404
    assert client.post(reverse("credit:object", args=[record.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("credit:add_record", args=[world.company_a.pk]),
                       {"code": "HONOR_CITY", "evidence": "x"}).status_code == 403
    client.force_login(haizhou_officer)
    assert client.get(reverse("credit:company", args=[world.company_b.pk])).status_code == 404
    assert client.get(reverse("credit:company", args=[world.company_a.pk])).status_code == 200
    client.force_login(expert)
    assert client.get(reverse("credit:companies")).status_code == 403
    client.force_login(office)
    assert client.get(reverse("credit:add_record", args=[world.company_a.pk])).status_code == 405
    assert client.post(reverse("credit:add_record", args=[world.company_a.pk]), {"code": "", "evidence": ""}
                       ).status_code == 302
    assert CreditRecord.objects.filter(company=world.company_a).count() == 0
    client.post(reverse("credit:add_record", args=[world.company_a.pk]), {"code": "HONOR_CITY", "evidence": "市级表彰文件"})
    assert services.standing(campaign, world.company_a).score == 93
    assert "93" in client.get(reverse("credit:companies")).text


def test_a_company_objects_through_the_page(client, campaign, world, company_a, office):
    record, _ = services.record(campaign, world.company_a, "VALID_COMPLAINT", source="complaint", source_key="t2")
    client.force_login(company_a)
    assert client.post(reverse("credit:object", args=[record.pk]), {"reason": ""}).status_code == 302
    assert Objection.objects.count() == 0
    assert client.post(reverse("credit:object", args=[record.pk]), {"reason": "投诉已调解"}).status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.DISPUTED
    client.force_login(office)
    objection = Objection.objects.get()
    assert client.post(reverse("credit:decide", args=[objection.pk]), {"result": "upheld", "decision": "调解书属实"}
                       ).status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.REVOKED


def test_the_office_workbench_names_objections_past_their_answer_date(client, campaign, world, company_a, office):
    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        record, _ = services.record(campaign, world.company_a, "VALID_COMPLAINT", source="complaint", source_key="t3")
        services.file_objection(campaign, record, company_a, reason="已调解")
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        assert services.overdue_objections(campaign).count() == 1
        client.force_login(office)
        assert "1 件异议待处理，1 件已超过答复期限" in client.get("/workbench/").text
