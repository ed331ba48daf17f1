"""Who may reach each publicity page (the project-wide matrix in wenming/tests has every persona;
this is the app's own view of it, on real records with photos)."""

import pytest
from django.test import Client

OFFICE_ONLY = ["/publicity/news/", "/publicity/news/new/", "/publicity/news/{news}/",
               "/publicity/news/{news}/photos/{photo}/", "/publicity/news/{news}/photos/{photo}/thumb/"]
STAFF = ["/publicity/materials/", "/publicity/materials/{material}/", "/publicity/materials/{material}/file/",
         "/publicity/postings/", "/publicity/postings/export.xlsx"]
IN_SCOPE = ["/publicity/postings/{posting}/photo/", "/publicity/postings/{posting}/photo/thumb/"]
POST_ONLY = ["/publicity/news/{news}/unpublish/", "/publicity/news/{news}/photos/{photo}/remove/",
             "/publicity/materials/new/", "/publicity/materials/{material}/postings/",
             "/publicity/postings/{posting}/remove/"]


@pytest.fixture
def ids(published, material, posting):
    return {"news": published.pk, "photo": published.photos.get(position=1).pk, "material": material.pk,
            "posting": posting.pk}


def get(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("path", OFFICE_ONLY + STAFF + IN_SCOPE)
def test_anonymous_is_sent_to_the_login_page(ids, path):
    answer = get(None, path.format(**ids))
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")


@pytest.mark.parametrize("path", OFFICE_ONLY)
def test_news_pages_are_refused_to_other_roles(ids, path, company_a, haizhou_officer, expert, office):
    assert [get(u, path.format(**ids)).status_code for u in (company_a, haizhou_officer, expert)] == [403] * 3
    assert get(office, path.format(**ids)).status_code == 200


@pytest.mark.parametrize("path", STAFF + IN_SCOPE)
def test_staff_pages_are_refused_to_experts_and_surveyors(ids, path, expert, surveyor):
    assert [get(u, path.format(**ids)).status_code for u in (expert, surveyor)] == [403, 403]


@pytest.mark.parametrize("path", IN_SCOPE)
def test_a_posting_outside_ones_scope_is_absent(ids, path, outsider, lianyun_officer, company_a, haizhou_officer):
    assert [get(u, path.format(**ids)).status_code for u in (outsider, lianyun_officer)] == [404, 404]
    assert [get(u, path.format(**ids)).status_code for u in (company_a, haizhou_officer)] == [200, 200]


@pytest.mark.parametrize("path", POST_ONLY)
def test_changes_are_posts_only(ids, path, office, company_a):
    assert get(office, path.format(**ids)).status_code == 405
    assert get(company_a, path.format(**ids)).status_code == 405


def test_malformed_and_missing_ids_are_absent(ids, office, company_a):
    assert get(office, "/publicity/news/abc/").status_code == 404
    assert get(company_a, "/publicity/materials/0/").status_code == 404
    assert get(company_a, "/publicity/postings/99999999999999999999/photo/").status_code == 404
    assert Client().get("/news/99999999999999999999/").status_code == 404
