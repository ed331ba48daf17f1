import time_machine
from django.urls import reverse

from wenming.awards import services
from wenming.awards.models import Showcase
from wenming.awards.tests.conftest import REVIEW_DAY, jpeg


def make_candidate(application, company_a, haizhou_officer, office):
    services.submit(application, actor=company_a)
    services.give_opinion(application, "district", "approve", "同意", actor=haizhou_officer, seal_scan=jpeg())
    with time_machine.travel(REVIEW_DAY, tick=False):
        services.give_opinion(application, "office", "confirm", "确认", actor=office)
    return Showcase.objects.get(application=application)


def all_channels(client, showcase):
    media = showcase.application.attachments.filter(kind="gate_photo").first()
    return {
        "page": client.get(reverse("showcase:detail", args=[showcase.pk])).status_code,
        "poster": client.get(reverse("showcase:poster", args=[showcase.pk])).status_code,
        "media": client.get(reverse("showcase:media", args=[showcase.pk, media.pk])).status_code,
        "api": client.get(f"/api/v1/candidates/{showcase.pk}").status_code,
        "in_list": "海州花园" in client.get(reverse("showcase:list")).text,
        "in_search": "海州花园" in client.get(reverse("showcase:list"), {"q": "海州"}).text,
        "in_api_list": any(c["id"] == showcase.pk for c in client.get("/api/v1/candidates").json()["items"]),
        "in_sitemap": f"/showcase/{showcase.pk}/" in client.get("/sitemap.xml").text,
    }


def test_unpublished_candidates_are_404_on_every_channel_until_published(
        client, community_application, company_a, haizhou_officer, office, django_capture_on_commit_callbacks):
    showcase = make_candidate(community_application, company_a, haizhou_officer, office)
    with time_machine.travel(REVIEW_DAY, tick=False):
        hidden = {"page": 404, "poster": 404, "media": 404, "api": 404, "in_list": False, "in_search": False,
                  "in_api_list": False, "in_sitemap": False}
        assert all_channels(client, showcase) == hidden
        with django_capture_on_commit_callbacks(execute=True):
            services.set_published(showcase, True, actor=office)
        assert all_channels(client, showcase) == {k: (True if isinstance(v, bool) else 200) for k, v in hidden.items()}
        # Unpublishing is seen at once, although the pages are cached.
        with django_capture_on_commit_callbacks(execute=True):
            services.set_published(showcase, False, actor=office)
        assert all_channels(client, showcase) == hidden


def test_the_poster_is_a_png_with_a_qr_code_to_the_page(client, community_application, company_a, haizhou_officer,
                                                       office):
    import io

    from PIL import Image

    showcase = make_candidate(community_application, company_a, haizhou_officer, office)
    with time_machine.travel(REVIEW_DAY, tick=False):
        services.set_published(showcase, True, actor=office)
        response = client.get(reverse("showcase:poster", args=[showcase.pk]))
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (750, 1100)


def test_a_portrait_is_public_only_with_consent(client, world, company_a, worker_award, veteran, office, apply_time):
    from wenming.awards.models import Showcase
    from wenming.awards.tests.conftest import fill_person

    application = services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                             channel="company_nomination", staff=veteran)
    fill_person(application, company_a)
    services.submit(application, actor=company_a)
    apply_time.move_to(REVIEW_DAY)
    services.give_opinion(application, "office", "confirm", "确认", actor=office)
    showcase = Showcase.objects.get(application=application)
    services.set_published(showcase, True, actor=office)
    portrait = application.attachments.get(kind="portrait")
    url = reverse("showcase:media", args=[showcase.pk, portrait.pk])
    assert client.get(url).status_code == 200
    application.portrait_consent = False
    application.save()
    assert client.get(url).status_code == 404


def test_the_showcase_admin_is_office_only(client, community_application, company_a, haizhou_officer, office):
    showcase = make_candidate(community_application, company_a, haizhou_officer, office)
    client.force_login(haizhou_officer)
    assert client.get(reverse("awards:showcase_admin")).status_code == 403
    assert client.post(reverse("awards:showcase_publish", args=[showcase.pk, "publish"])).status_code == 403
    showcase.refresh_from_db()
    assert not showcase.is_published
    client.force_login(office)
    assert client.get(reverse("awards:showcase_publish", args=[showcase.pk, "publish"])).status_code == 405
    response = client.post(reverse("awards:showcase_edit", args=[showcase.pk]), {
        "title": "海州花园", "story": "新的展示介绍", "interview_notes": "9月30日实地取景"})
    assert response.status_code == 302
    showcase.refresh_from_db()
    assert showcase.story == "新的展示介绍"
