from django.urls import reverse

from wenming.core.models import AuditEntry, User
from wenming.core.roles import Role

NEW_USER = {"username": "haizhou2", "display_name": "海州二", "role": "district", "password": "a-long-password-1",
            "phone": "13900001111"}


def test_office_creates_a_district_account(client, office, world):
    client.force_login(office)
    response = client.post(reverse("core:user_create"), NEW_USER | {"district": world.haizhou.pk})
    assert response.status_code == 302
    user = User.objects.get(username="haizhou2")
    assert user.role == Role.DISTRICT and user.district == world.haizhou and user.check_password("a-long-password-1")
    entry = AuditEntry.objects.get(action="core.user.created")
    assert entry.after["phone"] == "139****1111"


def test_a_district_account_needs_a_district(client, office, world):
    client.force_login(office)
    response = client.post(reverse("core:user_create"), NEW_USER)
    assert response.status_code == 400
    assert "必须选择所属区" in response.text
    assert not User.objects.filter(username="haizhou2").exists()


def test_the_user_list_masks_phones(client, office, world):
    User.objects.create(username="p", role=Role.EXPERT, phone="13912345678")
    client.force_login(office)
    text = client.get(reverse("core:user_list")).text
    assert "139****5678" in text and "13912345678" not in text


def test_only_the_office_manages_accounts(client, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("core:user_list")).status_code == 403
    assert client.post(reverse("core:user_create"), NEW_USER).status_code == 403
    assert not User.objects.filter(username="haizhou2").exists()


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 302 and reverse("core:login") in response.url


def test_toggle_rejects_get_and_checks_ids(client, office, haizhou_officer):
    client.force_login(office)
    assert client.get(reverse("core:user_toggle", args=[haizhou_officer.pk])).status_code == 405
    assert client.post(reverse("core:user_toggle", args=["abc"])).status_code == 404
    assert client.post(reverse("core:user_toggle", args=[999999])).status_code == 404
    haizhou_officer.refresh_from_db()
    assert haizhou_officer.is_active


def test_the_office_cannot_disable_itself(client, office):
    client.force_login(office)
    client.post(reverse("core:user_toggle", args=[office.pk]))
    office.refresh_from_db()
    assert office.is_active
