"""The complaint pages: filing from the QR poster, the resident's own tickets, the company's
handling, 12345 imports and exports, repeats and rates — each with its refusals."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from wenming.complaints import services
from wenming.complaints.models import State, Ticket, TicketPhoto
from wenming.core.models import Resident
from wenming.core.roles import Role
from wenming.testing.factories import jpeg, make_user, verified_session, xlsx
from wenming.testing.workbooks import first_sheet

FRIDAY = "2019-09-27 10:00 +0800"


@pytest.fixture
def resident(db):
    return Resident.objects.create(phone="13912345678", consent_version="2019-1", consented_at=timezone.now())


def verified(client, resident):
    verified_session(client, resident)


TYPED = {"step": "file", "category": "water_leak", "urgency": "normal", "description": "厨房天花板漏水，楼上在装修",
         "location": "5 号楼"}


def test_a_resident_files_from_the_poster_and_follows_it(client, campaign, world, resident):
    url = f"/complaints/c/{world.community_a.pk}/"
    with time_machine.travel(FRIDAY, tick=True):
        assert "验证手机号" in client.get(url).text
        verified(client, resident)
        page = client.get(url)
        assert page.status_code == 200 and "海州花园 · 投诉与报修" in page.text and "no-store" in page["Cache-Control"]
        response = client.post(url, {**TYPED, "photos": [jpeg()]}, follow=True)
        ticket = Ticket.objects.get()
        assert f"投诉已提交，编号 {ticket.number}" in response.text and ticket.urgency == "emergency"
        photo = TicketPhoto.objects.get()
        assert photo.image.name.endswith(".jpg") and client.get(photo.url).status_code == 200
        assert client.get("/complaints/mine/").text.count(f"<strong>{ticket.number}</strong>") == 1


def test_a_bad_form_keeps_what_was_typed_and_the_photos_and_writes_nothing(client, campaign, world, resident):
    verified(client, resident)
    url = f"/complaints/c/{world.community_a.pk}/"
    with time_machine.travel(FRIDAY, tick=True):
        response = client.post(url, {**TYPED, "description": "漏", "household": "18-1803", "photos": [jpeg()]})
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "请描述问题（至少 5 个字）" in response.text
    assert "户号须为" in response.text and "5 号楼" in response.text and "已保留 1 张照片" in response.text


def test_the_same_complaint_within_a_day_is_offered_as_an_update(client, campaign, world, resident):
    verified(client, resident)
    url = f"/complaints/c/{world.community_a.pk}/"
    with time_machine.travel(FRIDAY, tick=True):
        client.post(url, TYPED)
        offer = client.post(url, {**TYPED, "description": "漏水越来越严重了"})
        assert offer.status_code == 200 and "您今天已提交过同类投诉" in offer.text and Ticket.objects.count() == 1
        done = client.post(url, {**TYPED, "step": "update", "description": "漏水越来越严重了"}, follow=True)
        assert "已补充到投诉" in done.text and Ticket.objects.count() == 1
        client.post(url, {**TYPED, "step": "new", "description": "另一处也漏水了"})
    assert Ticket.objects.count() == 2


def test_outsiders_roles_and_methods(client, campaign, world, resident, company_a, company_b, expert,
                                     haizhou_officer, lianyun_officer):
    ticket = services.file_ticket(campaign, services.Filing(
        community=world.community_a, category="repair", urgency="normal", description="门禁坏了好几天了",
        phone=resident.phone), source="resident", resident=resident)
    url = f"/complaints/{ticket.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    for user, status in ((company_a, 200), (haizhou_officer, 200), (company_b, 404), (lianyun_officer, 404),
                         (expert, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(company_a)
    assert client.get(f"{url}step/").status_code == 405 and client.get(f"{url}phone/").status_code == 405
    assert client.get("/complaints/999999/").status_code == 404
    # a step out of order is 409 and changes nothing
    assert client.post(f"{url}step/", {"action": "start"}).status_code == 409
    assert client.post(f"{url}step/", {"action": "answer", "answer": "已处理完毕"}).status_code == 409
    ticket.refresh_from_db()
    assert ticket.state == State.FILED and ticket.events.count() == 1
    client.force_login(haizhou_officer)
    assert client.post(f"{url}phone/").status_code == 403
    assert client.post(f"{url}step/", {"action": "receive", "handler": str(company_a.pk)}).status_code == 403
    # another resident's ticket is absent
    other = Resident.objects.create(phone="13900000001", consent_version="1", consented_at=timezone.now())
    client.logout()
    verified(client, other)
    assert client.get(f"/complaints/mine/{ticket.number}/").status_code == 404
    assert client.get(TicketPhoto(ticket=ticket, image="complaints/x.jpg").url).status_code == 404


def test_the_company_handles_and_the_resident_reopens_then_closes(client, campaign, world, resident, company_a):
    verified(client, resident)
    with time_machine.travel(FRIDAY, tick=True):
        client.post(f"/complaints/c/{world.community_a.pk}/", TYPED)
    ticket = Ticket.objects.get()
    staff = client.__class__()
    staff.force_login(company_a)
    url = f"/complaints/{ticket.pk}/"
    with time_machine.travel("2019-09-27 10:05 +0800", tick=True):
        page = staff.get(url).text
        assert "139****5678" in page and "13912345678" not in page
        assert "13912345678" in staff.post(f"{url}phone/").text
        assert staff.post(f"{url}step/", {"action": "receive", "handler": str(company_a.pk)}).status_code == 302
        staff.post(f"{url}step/", {"action": "start"})
        refused = staff.post(f"{url}step/", {"action": "answer", "answer": "好", "photos": [jpeg("done.jpg")]})
        assert refused.status_code == 400 and "已保留 1 张照片" in refused.text
        token = refused.context["answer_kept"][0]
        done = staff.post(f"{url}step/", {"action": "answer", "answer": "已更换破裂水管，屋顶已干", "kept": token},
                          follow=True)
        assert "处理结果已反馈给居民" in done.text
        mine = client.get(f"/complaints/mine/{ticket.number}/").text
        assert "问题解决了吗" in mine and "已更换破裂水管" in mine and "company_a" not in mine
        client.post(f"/complaints/mine/{ticket.number}/", {"step": "follow_up", "fixed": "no", "satisfaction": "2"})
        ticket.refresh_from_db()
        assert ticket.state == State.HANDLING and ticket.round == 2
        staff.post(f"{url}step/", {"action": "answer", "answer": "重新做了防水层，已确认不漏"})
        missing = client.post(f"/complaints/mine/{ticket.number}/", {"step": "follow_up", "fixed": "yes"})
        assert missing.status_code == 400 and not Ticket.objects.get().fixed
        client.post(f"/complaints/mine/{ticket.number}/", {"step": "follow_up", "fixed": "yes", "satisfaction": "5"})
    ticket.refresh_from_db()
    assert ticket.state == State.FOLLOWED_UP and ticket.satisfaction == 5
    assert ticket.photos.filter(event__kind="answered").count() == 1


def test_the_desk_logs_a_complaint_for_a_resident(client, campaign, world, company_a, company_b):
    client.force_login(company_a)
    data = {"community": str(world.community_a.pk), "phone": "13800000009", "category": "parking",
            "urgency": "normal", "description": "地下车库被外来车辆占用"}
    assert client.post("/complaints/desk/", {**data, "phone": "123"}).status_code == 400
    response = client.post("/complaints/desk/", data, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.source == "desk" and "已代录投诉" in response.text
    client.force_login(company_b)
    assert client.post("/complaints/desk/", data).status_code == 400  # not one of its communities
    assert Ticket.objects.count() == 1


HEADERS = ["工单编号", "受理时间", "所在区", "小区名称", "诉求类别", "诉求内容", "联系电话", "紧急程度"]


def orders(*rows):
    return xlsx(HEADERS, list(rows))


def test_a_hotline_file_with_one_bad_row_imports_nothing_and_twice_adds_nothing(client, campaign, world, office,
                                                                                haizhou_officer):
    good = ["GD2019100100001", "2019-10-08 09:30", "海州区", "海州花园", "漏水、爆管", "楼道水管爆裂", "13700000001", ""]
    other = ["GD2019100100002", "2019-10-08 10:30", "连云区", "连云新村", "环境卫生", "垃圾桶满溢无人清理", "13700000002",
             "一般"]
    bad = ["GD2019100100003", "2019-10-08 11:00", "海州区", "不存在小区", "其他", "噪音", "13700000003", ""]
    client.force_login(office)
    response = client.post("/complaints/hotline/", {"file": orders(good, other, bad)})
    assert response.status_code == 400 and "第 4 行" in response.text and "不存在小区" in response.text
    assert not Ticket.objects.exists()
    with time_machine.travel("2019-10-08 12:00 +0800", tick=True):
        assert "已导入 2 件工单" in client.post("/complaints/hotline/", {"file": orders(good, other)}, follow=True).text
        again = client.post("/complaints/hotline/", {"file": orders(good, other)}, follow=True).text
    assert "已导入 0 件工单，2 件此前已导入" in again and Ticket.objects.count() == 2
    ticket = Ticket.objects.get(hotline_number="GD2019100100001")
    assert ticket.source == "hotline" and ticket.urgency == "emergency" and ticket.category == "water_leak"
    assert timezone.localtime(ticket.filed_at, campaign.tz).strftime("%H:%M") == "09:30"
    # a district imports only its own district's orders
    client.force_login(haizhou_officer)
    third = ["GD2019100100004", "2019-10-08 11:00", "连云区", "连云新村", "其他", "路灯不亮", "13700000004", ""]
    assert "不是本区的工单" in client.post("/complaints/hotline/", {"file": orders(third)}).text
    rows = first_sheet(client.get("/complaints/hotline/replies.xlsx").content, campaign=campaign, scope="海州区")
    assert rows[0][0] == "工单编号" and [r[0] for r in rows[1:]] == ["GD2019100100001"]  # its district only
    assert client.get("/complaints/hotline/").status_code == 200
    client.force_login(make_user("c", role=Role.COMPANY, company=world.company_a))
    assert client.get("/complaints/hotline/").status_code == 403


def test_lists_exports_rates_repeats_and_the_public_pages(client, campaign, world, resident, company_a,
                                                          haizhou_officer):
    for when in ("2019-10-01 10:00 +0800", "2019-10-02 10:00 +0800", "2019-10-03 10:00 +0800"):
        with time_machine.travel(when, tick=False):
            services.file_ticket(campaign, services.Filing(
                community=world.community_a, category="sanitation", urgency="normal", description="楼道垃圾无人清理",
                phone=resident.phone), source="resident", resident=resident)
    services.flag_repeats(campaign, at=timezone.make_aware(datetime.datetime(2019, 10, 3, 12)))
    client.force_login(company_a)
    with time_machine.travel("2019-10-10 10:00 +0800", tick=True):
        page = client.get("/complaints/?late=overdue").text
        assert page.count("已超时") >= 3
        rows = first_sheet(client.get("/complaints/?format=xlsx").content, campaign=campaign,
                           scope=world.company_a.name)
        assert len(rows) == 4 and "139****5678" in rows[1]
        assert isinstance(rows[1][9], datetime.datetime)  # filed at: a date, not text
        assert "响应率" in client.get("/complaints/rates/").text
    assert client.get("/complaints/repeats/").status_code == 403
    client.force_login(haizhou_officer)
    repeats = client.get("/complaints/repeats/").text
    assert "海州花园" in repeats and "3 件" in repeats
    flag_id = services.RepeatFlag.objects.get().pk
    assert client.post(f"/complaints/repeats/{flag_id}/decide/", {"decision": "dismiss"}, follow=True).status_code == 200
    assert services.RepeatFlag.objects.get().state == "open"  # a dismissal needs a note
    client.post(f"/complaints/repeats/{flag_id}/decide/", {"decision": "inspect"})
    assert services.RepeatFlag.objects.get().state == "inspect"
    client.logout()
    public = client.get(f"/complaints/communities/{world.community_a.pk}/").text
    assert "共 3 件" in public and "楼道垃圾" not in public and "139" not in public
    poster = client.get(f"/complaints/c/{world.community_a.pk}/poster.png")
    assert poster["Content-Type"] == "image/png" and Image.open(io.BytesIO(poster.content)).size == (750, 1100)


def test_the_workbench_lists_the_company_tickets_by_deadline_and_the_district_escalations(
        client, campaign, world, resident, company_a, haizhou_officer):
    made = []
    for category, when in (("repair", "2019-09-27 10:00 +0800"), ("elevator_entrapment", "2019-09-27 11:00 +0800")):
        with time_machine.travel(when, tick=False):
            made.append(services.file_ticket(campaign, services.Filing(
                community=world.community_a, category=category, urgency="normal", description="需要尽快处理的问题",
                phone=resident.phone), source="resident", resident=resident))
    client.force_login(company_a)
    with time_machine.travel("2019-09-27 11:10 +0800", tick=False):
        page = client.get("/workbench/").text
    # the entrapment (接待 within 15 minutes: 11:15) comes before the repair (接待 by tomorrow 10:00)
    assert page.index(made[1].number) < page.index(made[0].number)
    assert "接待时限 09-27 11:15" in page
    with time_machine.travel("2019-09-30 09:00 +0800", tick=False):
        services.sweep(campaign)
        client.force_login(haizhou_officer)
        assert "2 件投诉超时未办，已上报" in client.get("/workbench/").text


def test_the_review_of_an_application_and_the_expert_sheet_show_the_community_rates(
        client, campaign, world, resident, haizhou_officer, lianyun_officer, company_a, office, expert):
    from wenming.awards.review_panels import panels_for
    from wenming.testing.factories import make_candidates

    application = make_candidates(campaign, world, count=1)[0].application
    services.file_ticket(campaign, services.Filing(
        community=application.community, category="repair", urgency="normal", description="门禁坏了好几天了",
        phone=resident.phone), source="resident", resident=resident)

    def titles(user):
        return [p["title"] for p in panels_for(application, user)]

    assert "投诉办理情况" in titles(office) and "投诉办理情况" in titles(expert)
    assert "投诉办理情况" in titles(haizhou_officer)  # the application's district
    assert "投诉办理情况" not in titles(lianyun_officer) and "投诉办理情况" not in titles(company_a)
    panel = next(p for p in panels_for(application, office) if p["title"] == "投诉办理情况")
    assert ("投诉件数", 1) in panel["rows"] and ("响应率", "0.0%（0/1）") in panel["rows"]
    assert ("解决率", "—（0/0）") in panel["rows"]
    client.force_login(office)
    page = client.get(f"/applications/{application.pk}/").text
    assert "投诉办理情况" in page and "响应率" in page
