import time_machine
from django.urls import reverse

from wenming.core import services
from wenming.core.models import AuditEntry
from wenming.testing.factories import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post(reverse("core:login"), {"username": username, "password": password})


def test_it_logs_in_and_lands_on_the_workbench(client, office, campaign):
    response = login(client, "office")
    assert response.status_code == 302 and response.url == reverse("dashboard:workbench")
    assert "工作台" in client.get(response.url).text
    entry = AuditEntry.objects.get(action="core.user.logged_in")
    assert entry.actor == office and entry.ip == "127.0.0.1"


def test_a_wrong_password_gets_a_chinese_error(client, office):
    response = login(client, "office", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.text


def test_repeated_failures_lock_the_account_with_a_chinese_message(client, office, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "office", "wrong-password")
    response = login(client, "office")  # even the right password is refused now
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_rejects_get(client, office):
    client.force_login(office)
    assert client.get(reverse("core:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_disabling_a_user_ends_its_sessions_at_once(client, office, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("dashboard:workbench")).status_code == 200
    services.set_user_active(haizhou_officer, False, actor=office)
    response = client.get(reverse("dashboard:workbench"))
    assert response.status_code == 302 and reverse("core:login") in response.url
    # Re-enabling does not revive the old session.
    services.set_user_active(haizhou_officer, True, actor=office)
    assert client.get(reverse("dashboard:workbench")).status_code == 302
    actions = list(AuditEntry.objects.filter(target_id=str(haizhou_officer.pk)).values_list("action", flat=True))
    assert "core.user.disabled" in actions and "core.user.enabled" in actions


def test_an_idle_staff_session_times_out(client, office, settings):
    with time_machine.travel("2026-11-26 09:00 +0800", tick=False) as traveller:
        login(client, "office")
        assert client.get(reverse("dashboard:workbench")).status_code == 200
        traveller.shift(settings.STAFF_IDLE_TIMEOUT.total_seconds() - 60)
        assert client.get(reverse("dashboard:workbench")).status_code == 200
        traveller.shift(settings.STAFF_IDLE_TIMEOUT.total_seconds() + 1)
        assert client.get(reverse("dashboard:workbench")).status_code == 302


def test_a_busy_staff_session_still_ends_at_the_absolute_limit(client, office, settings):
    with time_machine.travel("2026-11-26 09:00 +0800", tick=False) as traveller:
        login(client, "office")
        step = settings.STAFF_IDLE_TIMEOUT.total_seconds() / 2
        elapsed = 0
        while elapsed + step < settings.STAFF_ABSOLUTE_TIMEOUT.total_seconds():
            traveller.shift(step)
            elapsed += step
            assert client.get(reverse("dashboard:workbench")).status_code == 200
        traveller.shift(step + 1)
        assert client.get(reverse("dashboard:workbench")).status_code == 302


def test_the_login_page_shows_demo_accounts_only_in_demo_mode(client, db, settings):
    settings.DEMO_MODE = False
    assert "wenming-demo" not in client.get(reverse("core:login")).text
    settings.DEMO_MODE = True
    assert "wenming-demo" in client.get(reverse("core:login")).text


def test_logout_ends_the_session_and_goes_home(client, office):
    client.force_login(office)
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302 and response.url == reverse("home")
    assert "_auth_user_id" not in client.session
