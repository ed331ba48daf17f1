import pytest
from django.urls import reverse

from wenming.awards import services
from wenming.awards.models import Application, Status
from wenming.awards.tests.conftest import jpeg
from wenming.core.models import ApiToken, AuditEntry


def test_another_company_and_another_district_get_404_in_pages(client, community_application, company_a, company_b,
                                                              haizhou_officer, lianyun_officer):
    url = reverse("awards:detail", args=[community_application.pk])
    services.submit(community_application, actor=company_a)
    for user, expected in ((company_a, 200), (haizhou_officer, 200), (company_b, 404), (lianyun_officer, 404)):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.force_login(lianyun_officer)
    assert "海州花园" not in client.get(reverse("awards:list")).text


def test_a_district_does_not_see_a_companys_drafts(client, community_application, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("awards:detail", args=[community_application.pk])).status_code == 404


def test_experts_get_403(client, community_application, expert):
    client.force_login(expert)
    assert client.get(reverse("awards:list")).status_code == 403
    assert client.get(reverse("awards:detail", args=[community_application.pk])).status_code == 403


def test_malformed_ids_and_wrong_methods(client, community_application, company_a):
    client.force_login(company_a)
    assert client.get(reverse("awards:detail", args=["abc"])).status_code == 404
    assert client.get(reverse("awards:submit", args=[community_application.pk])).status_code == 405
    assert client.get(reverse("awards:opinion", args=[community_application.pk, "district"])).status_code == 405
    assert client.post(reverse("awards:opinion", args=[community_application.pk, "mayor"])).status_code == 404
    assert client.delete(reverse("awards:detail", args=[community_application.pk])).status_code == 405


def test_a_company_calling_the_district_review_gets_403_and_nothing_changes(client, community_application,
                                                                          company_a):
    services.submit(community_application, actor=company_a)
    client.force_login(company_a)
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "approve", "text": "自己批准", "seal_scan": jpeg()})
    assert response.status_code == 403
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW and not community_application.opinions.exists()


def test_the_district_reviews_through_the_page(client, community_application, company_a, haizhou_officer):
    services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    page = client.get(reverse("awards:detail", args=[community_application.pk])).text
    assert "出具区主管部门意见" in page
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "approve", "text": "同意上报", "seal_scan": jpeg("seal.jpg")})
    assert response.status_code == 302
    community_application.refresh_from_db()
    assert community_application.status == Status.OFFICE_REVIEW


def test_the_district_approval_without_a_scan_is_a_400_and_writes_nothing(client, community_application, company_a,
                                                                         haizhou_officer):
    services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "approve", "text": "同意上报"})
    assert response.status_code == 400 and "盖章" in response.text
    assert not community_application.opinions.exists()


def test_a_stale_review_is_409(client, community_application, company_a, haizhou_officer):
    services.submit(community_application, actor=company_a)
    services.give_opinion(community_application, "district", "return", "补充", actor=haizhou_officer)
    client.force_login(haizhou_officer)
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "return", "text": "再退"})
    assert response.status_code == 404 or response.status_code == 409
    # Returned applications are the applicant's again: the district still sees them, but cannot act.
    assert community_application.opinions.count() == 1


def test_autosave_with_htmx(client, community_application, company_a):
    client.force_login(company_a)
    response = client.post(reverse("awards:save", args=[community_application.pk]),
                           {"full_name": "海州花园（一期）", "basic_info": "x", "narrative": "y",
                            "applicant_opinion": "z"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已自动保存" in response.text
    community_application.refresh_from_db()
    assert community_application.full_name == "海州花园（一期）"
    entry = AuditEntry.objects.get(action="awards.application.updated")
    assert entry.after["full_name"] == "海州花园（一期）"


def test_autosave_of_a_submitted_application_is_refused_as_a_409_line(client, community_application, company_a):
    services.submit(community_application, actor=company_a)
    client.force_login(company_a)
    response = client.post(reverse("awards:save", args=[community_application.pk]),
                           {"full_name": "<b>改名</b>", "basic_info": "x", "narrative": "y",
                            "applicant_opinion": "z"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert response.text.strip().startswith('<span class="error">') and "不能修改" in response.text
    community_application.refresh_from_db()
    assert community_application.full_name != "<b>改名</b>"


def test_the_applicant_pages_keep_their_view_names():
    """login_or wraps the view (functools.wraps): URL reversal, logs and tests see its own name."""
    import inspect

    from wenming.awards import views

    for view in (views.application_detail, views.application_save, views.attachment_file):
        assert inspect.unwrap(view).__qualname__ == view.__name__


def test_the_start_page_refuses_with_the_numbers(client, world, company_a, apply_time, community_award):
    from wenming.testing.factories import make_community

    low = make_community(company=world.company_a, total_households=1000, occupied_households=599)
    client.force_login(company_a)
    response = client.post(reverse("awards:start"), {"award": community_award.pk, "community": low.pk})
    assert response.status_code == 400 and "入住率 59.9%（599/1000 户）低于 60%" in response.text
    assert not Application.objects.exists()


def test_the_district_summary_export(client, community_application, company_a, haizhou_officer):

    from wenming.testing.workbooks import first_sheet

    services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    response = client.get(reverse("awards:export"))
    rows = first_sheet(response.content, scope="海州区")
    assert rows[0][:3] == ("编号", "奖项", "名称") and rows[1][2] == "海州花园" and rows[1][8] == 80.0
    assert isinstance(rows[1][0], int)
    client.force_login(company_a)
    assert client.get(reverse("awards:export")).status_code == 403


@pytest.fixture
def tokens(world, company_a, company_b, haizhou_officer, lianyun_officer, office):
    return {u.username: ApiToken.issue(u)[1] for u in (company_a, company_b, haizhou_officer, lianyun_officer, office)}


def test_applications_api_scopes_and_the_company_cannot_review(client, community_application, company_a, tokens):
    services.submit(community_application, actor=company_a)
    url = f"/api/v1/applications/{community_application.pk}"
    for name, expected in (("company_a", 200), ("haizhou", 200), ("company_b", 404), ("lianyun", 404)):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {tokens[name]}").status_code == expected
    response = client.post(f"{url}/opinions", {"stage": "district", "decision": "approve", "text": "同意"},
                           HTTP_AUTHORIZATION=f"Bearer {tokens['company_a']}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    response = client.post(f"{url}/opinions", {"stage": "district", "decision": "approve", "text": "同意",
                                               "seal_scan": jpeg()},
                           HTTP_AUTHORIZATION=f"Bearer {tokens['haizhou']}")
    assert response.status_code == 201 and response.json()["status"] == "office_review"
    again = client.post(f"{url}/opinions", {"stage": "district", "decision": "approve", "text": "同意",
                                            "seal_scan": jpeg()}, HTTP_AUTHORIZATION=f"Bearer {tokens['haizhou']}")
    assert again.status_code == 409
