import json

from wenming.core.models import ApiToken
from wenming.testing.factories import PASSWORD

URL = "/api/v1/auth/token"


def post(client, body, **extra):
    return client.post(URL, json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **extra)


def test_staff_get_a_token_with_role_and_expiry_in_shanghai_time(client, office):
    response = post(client, {"username": "office", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "office" and body["expires_at"].endswith("+08:00") and len(body["token"]) > 30
    stored = ApiToken.objects.get()
    assert body["token"] not in stored.key_hash  # only the hash is kept
    me = client.get("/api/v1/districts", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200


def test_a_wrong_password_is_401_in_chinese(client, office):
    response = post(client, {"username": "office", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": "用户名或密码错误"}}
    assert not ApiToken.objects.exists()


def test_repeated_failures_answer_429(client, office, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post(client, {"username": "office", "password": "nope"})
    response = post(client, {"username": "office", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_requests"
    assert "登录失败次数过多" in response.json()["error"]["message"]
    assert not ApiToken.objects.exists()


def test_malformed_json_is_400_and_missing_fields_422(client, db):
    assert post(client, "{not json").status_code == 400
    response = post(client, {"username": "office"})
    assert response.status_code == 422 and response.json()["error"]["fields"] == {"password": "必填"}


def test_a_disabled_account_loses_its_tokens(client, office, haizhou_officer):
    from wenming.core.services import set_user_active

    _, raw = ApiToken.issue(haizhou_officer)
    set_user_active(haizhou_officer, False, actor=office)
    assert client.get("/api/v1/districts", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_an_expired_token_is_401(client, office):
    import time_machine

    _, raw = ApiToken.issue(office)
    with time_machine.travel("2099-01-01"):
        assert client.get("/api/v1/districts", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_control_characters_are_refused_before_any_lookup(client, db):
    response = post(client, {"username": "office\u0000", "password": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"username": "格式无效（不能包含控制字符等）"}


def test_only_json_is_accepted(client, db):
    response = client.post(URL, "username=office&password=x", content_type="multipart/form-data")
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
