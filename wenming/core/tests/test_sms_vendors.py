"""The vendor adapters against a local fake server that checks each signature with its own,
independent code (written from the vendors' published algorithms, not by calling ours)."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import urllib.parse

import pytest

from wenming.core import refusals
from wenming.core.identity import phones
from wenming.core.identity.sms import AliyunBackend, SmsError, TencentCloudBackend
from wenming.core.models import PhoneCode

SECRET_ID, SECRET_KEY = "AKIDexample", "secret-for-tests"


class Fake(http.server.BaseHTTPRequestHandler):
    received = []
    answer = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        payload = json.dumps(type(self).answer(self.headers, body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake():
    Fake.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def tencent_answer(headers, body):
    auth = headers["Authorization"]
    timestamp = int(headers["X-TC-Timestamp"])
    import datetime

    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).date().isoformat()
    canonical = "\n".join(["POST", "/", "", "content-type:application/json; charset=utf-8",
                           "host:sms.tencentcloudapi.com", "", "content-type;host", hashlib.sha256(body).hexdigest()])
    string = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                        hashlib.sha256(canonical.encode()).hexdigest()])
    k = hmac.new(("TC3" + SECRET_KEY).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"sms", hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    expected = hmac.new(k, string.encode(), hashlib.sha256).hexdigest()
    if not auth.endswith(f"Signature={expected}") or f"Credential={SECRET_ID}/" not in auth:
        return {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}}
    return {"Response": {"SendStatusSet": [{"Code": "Ok"}], "RequestId": "r1"}}


def aliyun_answer(headers, body):
    params = dict(urllib.parse.parse_qsl(body.decode()))
    signature = params.pop("Signature")

    def q(text):
        return urllib.parse.quote(text, safe="~")

    canonical = "&".join(f"{q(k)}={q(params[k])}" for k in sorted(params))
    string = "POST&%2F&" + q(canonical)
    expected = base64.b64encode(hmac.new((SECRET_KEY + "&").encode(), string.encode(), hashlib.sha1).digest()).decode()
    if signature != expected:
        return {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
    return {"Code": "OK", "Message": "OK", "BizId": "b1", "RequestId": "r1"}


def config(fake, **overrides):
    return {"secret_id": SECRET_ID, "secret_key": SECRET_KEY, "sign_name": "港城物管", "template": "100001",
            "app_id": "1400000000", "endpoint": f"http://127.0.0.1:{fake.server_port}/"} | overrides


def test_tencent_cloud_signs_and_sends(fake):
    Fake.answer = staticmethod(tencent_answer)
    TencentCloudBackend(config(fake)).send_code("13800138000", "123456")
    headers, body = Fake.received[0]
    sent = json.loads(body)
    assert sent["PhoneNumberSet"] == ["+8613800138000"] and sent["TemplateParamSet"] == ["123456"]
    assert {k.lower(): v for k, v in headers.items()}["x-tc-action"] == "SendSms"


def test_tencent_cloud_with_a_wrong_key_is_an_error(fake):
    Fake.answer = staticmethod(tencent_answer)
    with pytest.raises(SmsError, match="短信平台拒绝") as refused:
        TencentCloudBackend(config(fake, secret_key="wrong")).send_code("13800138000", "123456")
    assert refused.value.code == "AuthFailure.SignatureFailure"  # logged for operators, not shown


def test_aliyun_signs_and_sends(fake):
    Fake.answer = staticmethod(aliyun_answer)
    AliyunBackend(config(fake)).send_code("13800138000", "654321")
    params = dict(urllib.parse.parse_qsl(Fake.received[0][1].decode()))
    assert params["PhoneNumbers"] == "13800138000" and json.loads(params["TemplateParam"]) == {"code": "654321"}
    with pytest.raises(SmsError, match="短信平台拒绝") as refused:
        AliyunBackend(config(fake, secret_key="wrong")).send_code("13800138000", "654321")
    assert refused.value.code == "SignatureDoesNotMatch"


def test_a_provider_failure_is_a_503_and_stores_no_code(client, db, fake, settings):
    Fake.answer = staticmethod(aliyun_answer)
    settings.SMS_BACKEND = "wenming.core.identity.sms.AliyunBackend"
    settings.SMS_CONFIG = config(fake, secret_key="wrong")
    response = client.post("/api/v1/voters/code", {"phone": "13800138000"}, content_type="application/json")
    message = response.json()["error"]["message"]
    assert response.status_code == 503 and "短信发送失败" in message and "Signature" not in message
    assert not PhoneCode.objects.exists()


def test_an_unreachable_provider_is_an_error(db, settings):
    settings.SMS_BACKEND = "wenming.core.identity.sms.TencentCloudBackend"
    settings.SMS_CONFIG = {"secret_id": "x", "secret_key": "y", "sign_name": "s", "template": "t", "app_id": "a",
                           "endpoint": "http://127.0.0.1:9/"}
    with pytest.raises(phones.PhoneError) as exc:
        phones.send_code("13800138000")
    assert exc.value.code == "sms_unavailable" and refusals.api_status(exc.value) == 503
