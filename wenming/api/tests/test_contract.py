"""The API contract over every operation of the OpenAPI document, not case by case: the document
is valid, JSON types are strict, missing or bad credentials answer 401, a session without its
CSRF token 403 in the API's shape, and answers to someone known are never cached."""

import datetime
import re

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from openapi_spec_validator import validate

from wenming.core.models import ApiToken, Resident, ResidentToken, hash_token
from wenming.testing.factories import make_candidates, make_resident, verified_session
from wenming.voting.models import Vote

pytestmark = pytest.mark.django_db
VOTING_DAY = "2019-11-28 10:00 +0800"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def concrete(path):
    """A path with every parameter filled by an id that may or may not exist: what is tested here
    is decided before the record is looked up."""
    return re.sub(r"\{[^}]+\}", "1", path)


def rows_everywhere():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def numeric_fields(spec, schema):
    """Top-level body fields whose JSON type is integer or number (alone or beside null)."""
    for name, field in resolve(spec, schema).get("properties", {}).items():
        kinds = {alt.get("type") for alt in field.get("anyOf", [field])}
        if kinds & {"integer", "number"}:
            yield name


def test_the_openapi_document_is_valid_and_every_ref_resolves(spec):
    validate(spec)  # OpenAPI 3.1 schema, $refs included: raises on the first fault

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    names = set(spec["components"]["schemas"])
    assert {ref.rsplit("/", 1)[1] for ref in refs(spec)} <= names
    assert "LeaderItem" in names


@pytest.fixture
def credentials(world, office, expert, surveyor, company_a):
    resident = Resident.objects.create(phone="13900139000", consent_version="2019.1",
                                       consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))
    raw = "resident-token-for-the-contract-test"
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw),
                                 expires_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    # every staff role an operation may be limited to (a body is read only once the role may call)
    roles = {user.role: ApiToken.issue(user)[1] for user in (office, expert, surveyor, company_a)}
    return {"staff": roles[office.role], "roles": roles, "resident": raw}


def json_bodied(spec):
    for path, method, operation in operations(spec):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            yield path, method, operation, content["application/json"]["schema"]


def test_every_json_body_refuses_a_boolean_or_text_where_a_number_is_declared(client, spec, credentials,
                                                                              candidates_on_show):
    checked = []
    for path, method, operation, schema in json_bodied(spec):
        security = {name for requirement in operation.get("security", []) for name in requirement}
        tokens = [credentials["resident"]] if "ResidentToken" in security else list(credentials["roles"].values())
        for field in numeric_fields(spec, schema):
            for wrong in (True, False, "1"):
                before = rows_everywhere()
                for token in tokens:  # the first role the operation lets through reads the body
                    with time_machine.travel(VOTING_DAY, tick=False):
                        response = getattr(client, method)(concrete(path), {field: wrong},
                                                           content_type="application/json",
                                                           HTTP_AUTHORIZATION=f"Bearer {token}")
                    if response.status_code != 403:
                        break
                assert 400 <= response.status_code < 500, (method, path, field, wrong, response.status_code)
                assert response.json()["error"]["fields"][field] == "应为数字", (method, path, field, wrong)
                assert rows_everywhere() == before, (method, path, field, wrong)
            checked.append(f"{method} {path} {field}")
    # the operations with a numeric JSON field today; a new one is checked without being named here
    assert {"post /api/v1/votes candidate_id", "post /api/v1/surveys/responses community_id",
            "put /api/v1/judging/assignments/{assignment_id}/sheet version"} <= set(checked)


@pytest.fixture
def candidates_on_show(campaign, world):
    return make_candidates(campaign, world)


def test_a_boolean_candidate_id_casts_no_vote(client, credentials, candidates_on_show):
    """The reported case: {"candidate_id": true} cast a real vote for candidate 1."""
    with time_machine.travel(VOTING_DAY, tick=False):
        for body in ({"candidate_id": True}, {"candidate_id": str(candidates_on_show[0].pk)}):
            response = client.post("/api/v1/votes", body, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {credentials['resident']}")
            assert response.status_code == 422
        accepted = client.post("/api/v1/votes", {"candidate_id": float(candidates_on_show[0].pk)},
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {credentials['resident']}")
    assert accepted.status_code == 201  # 7.0 is an integer in JSON Schema's sense, and in ours
    assert Vote.objects.count() == 1


def secured(spec):
    for path, method, operation in operations(spec):
        if operation.get("security"):
            yield path, method


@pytest.mark.parametrize("authorization", [None, "Bearer junk", "Bearer ", "Basic b2ZmaWNlOnB3", "junk"])
def test_every_secured_operation_answers_401_without_good_credentials(spec, world, authorization):
    client = Client(enforce_csrf_checks=True)  # as a real browser or phone: CSRF is checked
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    seen = 0
    for path, method in secured(spec):
        before = rows_everywhere()
        response = getattr(client, method)(concrete(path), {}, content_type="application/json", **headers)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "unauthorized"
        assert rows_everywhere() == before
        seen += 1
    assert seen >= 12


def test_a_signed_in_session_without_its_csrf_token_is_403_in_the_api_shape(world, office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = client.post("/api/v1/applications/1/opinions", {"stage": "office"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    # the same session with its token gets past the check (to the record, which does not exist)
    client.get("/workbench/")
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/applications/1/opinions", {"stage": "office", "decision": "approve", "text": "同意"},
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 404
    # a session cookie nobody is signed in to is no credential at all
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.cookies["sessionid"] = "not-a-session-anyone-has"
    assert anonymous.post("/api/v1/applications/1/opinions", {}).status_code == 401


PRIVATE = "private, no-store"


def test_answers_to_someone_known_are_private_and_public_pages_stay_cacheable(client, world, office, credentials,
                                                                            candidates_on_show):
    staff = {"HTTP_AUTHORIZATION": f"Bearer {credentials['staff']}"}
    assert client.get("/api/v1/districts", **staff)["Cache-Control"] == PRIVATE
    assert client.get("/api/v1/campaign", **staff)["Cache-Control"] == PRIVATE  # public data, a known caller
    public = client.get("/showcase/")
    assert public.status_code == 200 and "no-store" not in public.get("Cache-Control", "")
    candidate = client.get(f"/showcase/{candidates_on_show[0].pk}/")
    assert candidate.status_code == 200 and "no-store" not in candidate.get("Cache-Control", "")
    client.force_login(office)
    for url in ("/workbench/", "/showcase/", f"/showcase/{candidates_on_show[0].pk}/", "/api/v1/districts"):
        assert client.get(url)["Cache-Control"] == PRIVATE, url


def test_a_residents_own_page_is_private(client, campaign, world):
    verified_session(client, make_resident("13900139000"))  # as the recommendation page leaves it
    assert client.get("/")["Cache-Control"] == PRIVATE
