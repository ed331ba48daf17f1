"""One permission matrix for the API (STYLE.md §9): (caller, method, path) → status."""

import pytest

from wenming.core.models import ApiToken, AuditEntry


@pytest.fixture
def tokens(world, office, haizhou_officer, company_a, expert, surveyor):
    users = {"office": office, "haizhou": haizhou_officer, "company_a": company_a, "expert": expert,
             "surveyor": surveyor}
    return {name: ApiToken.issue(user)[1] for name, user in users.items()}


def call(client, tokens, who, method, path):
    headers = {} if who == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
    return getattr(client, method)(path, **headers)


MATRIX = [
    # who, method, path (placeholders filled from the world), expected
    ("anonymous", "get", "/api/v1/districts", 401),
    ("anonymous", "get", "/api/v1/communities", 401),
    ("anonymous", "get", "/api/v1/campaign", 200),
    ("office", "get", "/api/v1/districts", 200),
    ("expert", "get", "/api/v1/districts", 200),
    ("surveyor", "get", "/api/v1/districts", 200),
    ("expert", "get", "/api/v1/communities", 403),
    ("surveyor", "get", "/api/v1/companies", 403),
    ("expert", "get", "/api/v1/staff", 403),
    ("office", "get", "/api/v1/communities/{community_b}", 200),
    ("haizhou", "get", "/api/v1/communities/{community_a}", 200),
    ("haizhou", "get", "/api/v1/communities/{community_b}", 404),
    ("haizhou", "get", "/api/v1/companies/{company_b}", 404),
    ("haizhou", "get", "/api/v1/staff/{staff_b}", 404),
    ("company_a", "get", "/api/v1/companies/{company_a}", 200),
    ("company_a", "get", "/api/v1/companies/{company_b}", 404),
    ("company_a", "get", "/api/v1/communities/{community_b}", 404),
    ("office", "get", "/api/v1/communities/abc", 404),
    ("office", "get", "/api/v1/communities/99999999999999999999999", 404),
    ("office", "post", "/api/v1/communities", 405),
    ("office", "delete", "/api/v1/communities/{community_a}", 405),
    ("anonymous", "get", "/api/v1/auth/token", 405),
    ("office", "get", "/api/v1/no-such-thing", 404),
]


@pytest.mark.parametrize("who, method, path, expected", MATRIX)
def test_permission_matrix(client, world, tokens, who, method, path, expected):
    ids = {k: getattr(world, k).pk for k in ("community_a", "community_b", "company_a", "company_b", "staff_b")}
    before = AuditEntry.objects.count()
    response = call(client, tokens, who, method, path.format(**ids))
    assert response.status_code == expected
    if expected >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]
    assert AuditEntry.objects.count() == before


def test_a_405_carries_allow(client, world, tokens):
    response = call(client, tokens, "office", "post", "/api/v1/communities")
    assert "GET" in response["Allow"] and response.json()["error"]["code"] == "method_not_allowed"


def test_lists_page_and_filter(client, world, tokens):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens['office']}"}
    body = client.get("/api/v1/communities", {"district": world.lianyun.pk, "page_size": 1}, **headers).json()
    assert body["count"] == 1 and [c["name"] for c in body["items"]] == ["连云新村"]
    assert body["items"][0]["district"] == {"id": world.lianyun.pk, "name": "连云区"}
    too_big = client.get("/api/v1/communities", {"page_size": 101}, **headers)
    assert too_big.status_code == 422 and "page_size" in too_big.json()["error"]["fields"]
    overflow = client.get("/api/v1/communities", {"district": -(10**22)}, **headers)
    assert overflow.status_code == 422 and "district" in overflow.json()["error"]["fields"]
    ignored = client.get("/api/v1/communities", {"colour": "red"}, **headers)
    assert ignored.status_code == 200


def test_phones_are_masked_in_the_api(client, world, tokens):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens['office']}"}
    staff = client.get(f"/api/v1/staff/{world.staff_a.pk}", **headers).json()
    assert staff["phone"] == world.staff_a.masked_phone and "*" in staff["phone"]
    company = client.get(f"/api/v1/companies/{world.company_a.pk}", **headers).json()
    assert "*" in company["contact_phone"] and company["credit_code"] == world.company_a.credit_code


def test_the_browser_session_also_authenticates(client, world, office):
    client.force_login(office)
    assert client.get("/api/v1/communities").status_code == 200


def test_the_openapi_document_and_docs_are_served_locally(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/campaign" in spec["paths"]
    responses = spec["paths"]["/api/v1/communities/{community_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404"} <= set(responses)
    docs = client.get("/api/v1/docs").text
    assert "cdn" not in docs.lower() or "/static/" in docs
