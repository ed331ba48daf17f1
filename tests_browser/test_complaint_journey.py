"""A complaint at phone size, 有接待、有处理、有反馈、有回访: a resident scans the community's QR code
and files with a photo (told what is missing first, nothing lost); the company receives, handles
and replies with a photo; the resident answers "not fixed", the ticket is reopened and replied to
again; the resident answers "fixed" and satisfied. The district sees the overdue ones escalated."""

import pytest

from tests_browser.test_awards_journey import image_file
from tests_browser.test_phone_journey import verify
from wenming.complaints.models import State, Ticket
from wenming.core.models import User
from wenming.registry.models import Community
from wenming.testing.browser import ARTIFACTS, WECHAT_UA, demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def staff_page(browser, live_server, username):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  user_agent=WECHAT_UA, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, username)
    return page


def test_a_complaint_from_the_poster_to_a_satisfied_return_visit(phone, browser, live_server, settings, tmp_path):
    demo_site(settings, "voting", with_awards=False)
    company = User.objects.get(username="company1")
    community = Community.objects.filter(company_id=company.company_id).order_by("pk").first()
    phone.goto(f"/complaints/c/{community.pk}/")
    verify(phone, "13905187777")
    main = phone.locator("main")
    assert f"{community.name} · 投诉与报修" in main.inner_text()
    phone.select_option("#id_category", "water_leak")
    phone.fill("#id_description", "漏")
    phone.fill("#id_location", "地下车库 B 区")
    phone.set_input_files("#id_photos", image_file(tmp_path, "leak.jpg", (40, 90, 200)))
    phone.get_by_role("button", name="提交投诉").click()
    phone.wait_for_load_state()
    assert "请描述问题（至少 5 个字）" in main.inner_text() and "已保留 1 张照片" in main.inner_text()
    assert phone.input_value("#id_location") == "地下车库 B 区"
    phone.shot("file-too-short")
    phone.fill("#id_description", "地下车库顶板漏水，滴在车上好几天了")
    phone.get_by_role("button", name="提交投诉").click()
    phone.wait_for_load_state()
    ticket = Ticket.objects.order_by("-pk").first()  # the one just filed (phones are stored encrypted: no lookup)
    assert ticket.phone == "13905187777"
    assert f"投诉已提交，编号 {ticket.number}" in main.inner_text() and ticket.photos.count() == 1
    assert ticket.urgency == "emergency"  # a leak runs on the emergency clock
    phone.shot("filed")

    staff = staff_page(browser, live_server, "company1")
    staff.goto(f"/complaints/{ticket.pk}/")
    staff.get_by_role("button", name="接待并指派").click()
    staff.wait_for_load_state()
    staff.get_by_role("button", name="开始处理（已到现场）").click()
    staff.wait_for_load_state()
    staff.fill("#id_answer", "已封堵顶板裂缝并做防水，车位已清理干净")
    staff.set_input_files("form:has(input[value=answer]) input[type=file]", image_file(tmp_path, "done.jpg", (60, 160, 90)))
    staff.get_by_role("button", name="反馈给居民").click()
    staff.wait_for_load_state()
    assert "处理结果已反馈给居民" in staff.locator("main").inner_text()
    phone.goto(f"/complaints/mine/{ticket.number}/")
    assert "已封堵顶板裂缝" in main.inner_text() and "问题解决了吗" in main.inner_text()
    phone.shot("answered")
    phone.check("input[name=fixed][value=no]")
    phone.check("input[name=satisfaction][value='2']")
    phone.get_by_role("button", name="提交答复").click()
    phone.wait_for_load_state()
    assert "已退回物业服务企业重新办理" in main.inner_text()
    ticket.refresh_from_db()
    assert ticket.state == State.HANDLING and ticket.round == 2
    phone.shot("reopened")

    staff.goto(f"/complaints/{ticket.pk}/")
    assert "第 2 轮办理（重办）" in staff.locator("main").inner_text()
    staff.fill("#id_answer", "更换了破损的排水管，连续观察两天无渗漏")
    staff.get_by_role("button", name="反馈给居民").click()
    staff.wait_for_load_state()
    phone.goto(f"/complaints/mine/{ticket.number}/")
    phone.check("input[name=fixed][value=yes]")
    phone.get_by_role("button", name="提交答复").click()
    phone.wait_for_load_state()
    assert "请选择对处理是否满意" in main.inner_text()
    phone.shot("satisfaction-missing")
    phone.check("input[name=fixed][value=yes]")
    phone.check("input[name=satisfaction][value='5']")
    phone.get_by_role("button", name="提交答复").click()
    phone.wait_for_load_state()
    assert "感谢您的回访答复" in main.inner_text()
    ticket.refresh_from_db()
    assert ticket.state == State.FOLLOWED_UP and ticket.satisfaction == 5
    phone.shot("satisfied")

    district = staff_page(browser, live_server, "haizhou")
    district.goto("/complaints/?late=escalated")
    text = district.locator("main").inner_text()
    assert "已超时" in text and district.locator("tbody tr").count() >= 1
    district.screenshot(path=str(ARTIFACTS / "test_complaint_journey-district-escalated.png"), full_page=True)
