import time_machine
from django.urls import reverse

from wenming.campaigns.models import Announcement
from wenming.core.models import AuditEntry

NEW = {"title": "关于开展自查自纠的通知", "body": "各物业服务企业请对照五大提升行动开展自查。",
       "published_at": "2019-09-08T09:00", "pinned": ""}


def test_the_office_publishes_and_the_home_page_shows_it_from_its_time(client, campaign, office):
    client.force_login(office)
    assert client.post(reverse("campaigns:announcement_create"), NEW).status_code == 302
    entry = AuditEntry.objects.get(action="campaigns.announcement.published")
    assert entry.after["title"] == NEW["title"]
    client.logout()
    with time_machine.travel("2019-09-08 08:59 +0800", tick=False):
        assert NEW["title"] not in client.get("/").text
    with time_machine.travel("2019-09-08 09:00 +0800", tick=False):
        assert NEW["title"] in client.get("/").text


def test_an_edit_is_audited_with_before_and_after(client, campaign, office):
    client.force_login(office)
    client.post(reverse("campaigns:announcement_create"), NEW)
    announcement = Announcement.objects.get()
    client.post(reverse("campaigns:announcement_edit", args=[announcement.pk]), NEW | {"title": "更正：自查通知"})
    entry = AuditEntry.objects.get(action="campaigns.announcement.updated")
    assert entry.before == {"title": NEW["title"]} and entry.after == {"title": "更正：自查通知"}


def test_withdrawing_needs_post_and_is_audited(client, campaign, office):
    client.force_login(office)
    client.post(reverse("campaigns:announcement_create"), NEW)
    announcement = Announcement.objects.get()
    url = reverse("campaigns:announcement_withdraw", args=[announcement.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Announcement.objects.exists()
    assert AuditEntry.objects.get(action="campaigns.announcement.withdrawn").before["title"] == NEW["title"]


def test_bad_input_is_a_form_error(client, campaign, office):
    client.force_login(office)
    response = client.post(reverse("campaigns:announcement_create"), NEW | {"title": ""})
    assert response.status_code == 400 and not Announcement.objects.exists()


def test_other_roles_and_bad_ids(client, campaign, office, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("campaigns:announcements")).status_code == 403
    assert client.post(reverse("campaigns:announcement_create"), NEW).status_code == 403
    assert not Announcement.objects.exists()
    client.force_login(office)
    assert client.get(reverse("campaigns:announcement_edit", args=["x"])).status_code == 404
    assert client.post(reverse("campaigns:announcement_withdraw", args=[9999])).status_code == 404
