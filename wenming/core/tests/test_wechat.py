"""WeChat web OAuth against the local fake of WeChat (wenming.testing.fake_wechat)."""

import urllib.parse

import pytest

from wenming.core.identity import phones
from wenming.core.models import Resident, WeChatIdentity


@pytest.fixture
def wechat(fake_wechat):
    return fake_wechat


def start(client):
    response = client.get("/wechat/login/", {"next": "/showcase/"})
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response.url)
    query = dict(urllib.parse.parse_qsl(location.query))
    assert location.netloc == "open.example" and query["scope"] == "snsapi_base" and response.url.endswith(
        "#wechat_redirect")
    return query["state"]


def test_the_code_is_exchanged_on_the_server_and_the_state_checked(client, db, wechat):
    state = start(client)
    response = client.get("/wechat/callback/", {"code": "good", "state": state})
    assert response.status_code == 302 and response.url == "/showcase/"
    assert client.session["wechat_openid"] == "o-good"
    assert "secret" in wechat.seen[-1]  # the secret stays on the server side of the exchange


def test_a_wrong_or_replayed_state_is_refused(client, db, wechat):
    state = start(client)
    assert client.get("/wechat/callback/", {"code": "good", "state": "forged"}).status_code == 400
    assert client.get("/wechat/callback/", {"code": "good", "state": state}).status_code == 400  # state used up
    assert "wechat_openid" not in client.session


def test_an_openid_sent_by_the_client_is_refused(client, db, wechat):
    state = start(client)
    response = client.get("/wechat/callback/", {"openid": "o-chosen-by-client", "state": state})
    assert response.status_code == 400 and "wechat_openid" not in client.session


def test_snapshot_users_and_bad_codes_are_refused(client, db, wechat):
    state = start(client)
    response = client.get("/wechat/callback/", {"code": "snapshot", "state": state})
    assert response.status_code == 403 and "使用完整服务" in response.text
    state = start(client)
    assert client.get("/wechat/callback/", {"code": "bogus", "state": state}).status_code == 403
    assert "wechat_openid" not in client.session


def test_wechat_login_is_absent_when_not_configured(client, db, settings):
    settings.WECHAT = {"appid": "", "secret": "", "authorize_base": "", "api_base": ""}
    assert client.get("/wechat/login/").status_code == 404


def test_one_phone_one_openid(db):
    a = Resident.objects.create(phone="13800000001", consent_version="1", consented_at="2019-11-01T00:00Z")
    b = Resident.objects.create(phone="13800000002", consent_version="1", consented_at="2019-11-01T00:00Z")
    phones.bind_wechat(a, "o-1")
    phones.bind_wechat(a, "o-1")  # the same binding again is fine
    with pytest.raises(phones.PhoneError, match="已绑定其他手机号"):
        phones.bind_wechat(b, "o-1")
    with pytest.raises(phones.PhoneError, match="已绑定其他微信号"):
        phones.bind_wechat(a, "o-2")
    assert WeChatIdentity.objects.count() == 1
    from wenming.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="core.resident.wechat_bound")
    assert entry.target_repr == "138****0001" and "o-1" not in entry.target_repr
