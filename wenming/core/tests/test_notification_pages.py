"""The inbox, opening a notification, mark-all-read and the preferences page."""

import pytest

from wenming.core import notifications
from wenming.core.models import AuditEntry, Notification, NotificationSetting
from wenming.core.roles import Role
from wenming.core.views.wechat import SESSION_OPENID
from wenming.testing import factories as f

CHECKED_SMS = 'name="order_issued" value="sms" id="id_order_issued_0" checked'


@pytest.fixture
def company(world):
    return f.make_user("company_sms", role=Role.COMPANY, company=world.company_a, phone="13812345678")


def note(user, message="幸福里小区 收到 1 份整改通知", link="/supervision/orders/", **kw):
    return Notification.objects.create(user=user, message=message, link=link, **kw)


def test_the_header_counts_unread_and_the_count_clears(client, company):
    first, _ = note(company), note(company, "第二条")
    client.force_login(company)
    page = client.get("/workbench/").content.decode()
    assert 'aria-label="通知，2 条未读">通知 <span class="badge">2</span>' in page
    client.post(f"/notifications/{first.pk}/open/")
    assert 'aria-label="通知，1 条未读">通知 <span class="badge">1</span>' in client.get("/notifications/").content.decode()
    response = client.post("/notifications/read-all/", follow=True)
    page = response.content.decode()
    assert "已将 1 条通知标为已读" in page and '<span class="badge">' not in page.split("</header>")[0]


def test_the_inbox_shows_only_ones_own(client, company, company_b):
    note(company, "给甲的")
    note(company_b, "给乙的")
    client.force_login(company)
    page = client.get("/notifications/").content.decode()
    assert "给甲的" in page and "给乙的" not in page


def test_the_unread_filter(client, company):
    note(company, "已读的那条", read_at="2019-11-28T04:00:00Z")
    note(company, "未读的那条")
    client.force_login(company)
    page = client.get("/notifications/?unread=1").content.decode()
    assert "未读的那条" in page and "已读的那条" not in page


def test_opening_anothers_notification_is_404_and_reads_nothing(client, company, company_b):
    theirs = note(company_b)
    client.force_login(company)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post("/notifications/abc/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_is_a_post_never_a_get(client, company):
    mine = note(company)
    client.force_login(company)
    assert client.get(f"/notifications/{mine.pk}/open/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_link_off_the_site_is_not_followed(client, company):
    mine = note(company, link="https://evil.example/")
    client.force_login(company)
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.url == "/notifications/"


def test_an_account_without_a_role_is_refused(client, db):
    user = f.make_user("norole")
    client.force_login(user)
    assert client.get("/notifications/").status_code == 403
    assert client.get("/notifications/preferences/").status_code == 403


def test_anonymous_goes_to_the_login_page(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response.url


def test_preferences_are_saved_with_a_message(client, company):
    client.force_login(company)
    page = client.get("/notifications/preferences/").content.decode()
    assert "发送至 138****5678" in page and "13812345678" not in page
    assert "收到整改通知" in page and "评审任务分配" not in page  # the kinds of a company
    response = client.post("/notifications/preferences/", {"order_issued": ["sms"], "order_overdue": ["sms"]},
                           follow=True)
    assert "通知设置已保存" in response.content.decode()
    assert NotificationSetting.objects.get(user=company).channels == {"order_issued": ["sms"]}
    assert CHECKED_SMS in client.get("/notifications/preferences/").content.decode()


def test_sms_without_a_phone_is_refused_at_the_field_and_nothing_written(client, world):
    user = f.make_user("nophone", role=Role.COMPANY, company=world.company_a)
    client.force_login(user)
    response = client.post("/notifications/preferences/", {"order_issued": ["sms"], "order_due": ["sms"]})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("账号未登记手机号，不能选择短信") == 2
    assert 'value="sms" id="id_order_issued_0" aria-invalid="true" checked' in page  # typed values kept
    assert not NotificationSetting.objects.exists()
    assert not AuditEntry.objects.filter(action="core.notification.preferences_saved").exists()


def test_wechat_without_a_binding_or_an_unknown_channel_is_refused(client, company):
    client.force_login(company)
    response = client.post("/notifications/preferences/", {"order_issued": ["wechat"]})
    assert response.status_code == 400 and "尚未绑定微信，不能选择微信" in response.content.decode()
    response = client.post("/notifications/preferences/", {"order_issued": ["fax"]})
    assert response.status_code == 400 and "只能选择短信或微信" in response.content.decode()
    assert "fax" not in response.content.decode()
    assert not NotificationSetting.objects.exists()


def test_binding_takes_the_openid_of_the_oauth_exchange_only(client, company):
    client.force_login(company)
    response = client.post("/notifications/preferences/wechat/", {"action": "bind", "openid": "forged"}, follow=True)
    assert "请先在微信中打开本页并完成授权" in response.content.decode()
    assert not NotificationSetting.objects.exists()
    session = client.session
    session[SESSION_OPENID] = "o-from-wechat"
    session.save()
    response = client.post("/notifications/preferences/wechat/", {"action": "bind"}, follow=True)
    assert "已绑定微信" in response.content.decode()
    assert NotificationSetting.objects.get(user=company).wechat_openid == "o-from-wechat"
    client.post("/notifications/preferences/", {"order_issued": ["sms", "wechat"]})
    assert NotificationSetting.objects.get(user=company).channels == {"order_issued": ["sms", "wechat"]}
    response = client.post("/notifications/preferences/wechat/", {"action": "unbind"}, follow=True)
    assert "已解除微信绑定" in response.content.decode()
    assert NotificationSetting.objects.get(user=company).channels == {"order_issued": ["sms"]}
    assert client.post("/notifications/preferences/wechat/", {"action": "nonsense"}).status_code == 302
    assert client.get("/notifications/preferences/wechat/").status_code == 405


def test_the_inbox_shows_each_deliverys_outcome(client, company, django_capture_on_commit_callbacks):
    NotificationSetting.objects.create(user=company, channels={"order_issued": ["sms", "wechat"]})
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company], "收到整改通知", "/supervision/orders/", kind="order_issued")
    client.force_login(company)
    page = client.get("/notifications/").content.decode()
    assert "短信已发送" in page and "微信发送失败（未配置微信消息）" in page
