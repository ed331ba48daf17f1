import pytest
import time_machine

from wenming.core.models import ApiToken
from wenming.judging import services
from wenming.judging.models import Sheet

pytestmark = pytest.mark.django_db
SCORING = "2019-12-10 10:00 +0800"


def auth(user):
    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def assignment(campaign, candidate, experts, office):
    return services.assign(campaign, office, experts[1], candidate)


@time_machine.travel(SCORING, tick=False)
@pytest.mark.parametrize("bad", [-1, "8.5", "NaN", 1e309, "７", "", None, True])
def test_bad_scores_answer_422_and_save_nothing(client, assignment, experts, bad):
    url = f"/api/v1/judging/assignments/{assignment.pk}/sheet"
    body = {"version": 0, "scores": {"environment.1": "7", "environment.2": bad}}
    response = client.put(url, body, content_type="application/json", **auth(experts[1].user))
    assert response.status_code == 422
    assert "environment.2" in response.json()["error"]["fields"]
    assert Sheet.objects.get(assignment=assignment).version == 0


@time_machine.travel(SCORING, tick=False)
def test_the_expert_scores_a_second_tab_gets_409_then_submits(client, campaign, assignment, experts):
    headers = auth(experts[1].user)
    listed = client.get("/api/v1/judging/assignments", **headers).json()
    assert [a["id"] for a in listed] == [assignment.pk]
    sheet = client.get(f"/api/v1/judging/assignments/{assignment.pk}", **headers).json()
    assert sheet["items"][0]["key"] == "environment.1" and sheet["items"][0]["max"] == "8"
    assert sheet["record"][0]["title"] == "督查与信用记录"
    url = f"/api/v1/judging/assignments/{assignment.pk}/sheet"
    ok = client.put(url, {"version": 0, "scores": {"environment.1": "7.5"}}, content_type="application/json", **headers)
    assert ok.status_code == 200 and ok.json()["version"] == 1
    stale = client.put(url, {"version": 0, "scores": {"environment.1": "6"}}, content_type="application/json",
                       **headers)
    assert stale.status_code == 409 and stale.json()["error"]["fields"]["version"] == "1"
    scores = {i["key"]: i["max"] for i in sheet["items"]}
    client.put(url, {"version": 1, "scores": scores}, content_type="application/json", **headers)
    done = client.post(f"/api/v1/judging/assignments/{assignment.pk}/submit", **headers)
    assert done.status_code == 200 and done.json()["submitted"] and done.json()["total"] == "100.0"
    again = client.put(url, {"version": 2, "scores": scores}, content_type="application/json", **headers)
    assert again.status_code == 409


@time_machine.travel(SCORING, tick=False)
def test_an_expert_cannot_read_or_score_an_unassigned_candidate(client, assignment, experts, company_a):
    other = auth(experts[2].user)
    assert client.get(f"/api/v1/judging/assignments/{assignment.pk}", **other).status_code == 404
    assert client.put(f"/api/v1/judging/assignments/{assignment.pk}/sheet", {"version": 0, "scores": {}},
                      content_type="application/json", **other).status_code == 404
    assert client.post(f"/api/v1/judging/assignments/{assignment.pk}/submit", **other).status_code == 404
    assert client.get("/api/v1/judging/assignments/abc", **other).status_code == 404
    assert client.get("/api/v1/judging/assignments", **auth(company_a)).status_code == 403
    assert client.delete(f"/api/v1/judging/assignments/{assignment.pk}/sheet", **other).status_code == 405
    assert Sheet.objects.get(assignment=assignment).version == 0
