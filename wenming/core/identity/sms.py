"""Sending SMS. Code depends on the `SmsBackend` interface only; the backend is chosen by
WENMING_SMS_BACKEND. In dev and the demo, messages go to `outbox/sms.jsonl` under the data
dir, one JSON object a line: {"phone", "code", "sent_at"}. The vendor adapters below speak
Tencent Cloud SMS (API 3.0, TC3-HMAC-SHA256) and Aliyun Dysmsapi (RPC, HMAC-SHA1); their
endpoints are settings, so tests point them at a local fake server.

Settings: WENMING_SMS_SECRET_ID / WENMING_SMS_SECRET_KEY (or *_FILE), WENMING_SMS_SIGN_NAME,
WENMING_SMS_TEMPLATE, WENMING_SMS_APP_ID (Tencent), WENMING_SMS_ENDPOINT (override).

Notifications (`send_notice`, the "sms" channel of core.notifications) use a second template,
WENMING_SMS_NOTICE_TEMPLATE, with two variables: the event and the message. The file outbox
writes them as {"phone", "text", "sent_at"}."""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from wenming.core.notifications import DeliveryFailed, kind_name

logger = logging.getLogger(__name__)

class SmsBackend(Protocol):
    def send_code(self, phone: str, code: str) -> None: ...

    # Optional: a backend without it cannot carry notifications (their delivery says so).
    def send_notice(self, phone: str, title: str, text: str) -> None: ...


class FileOutboxBackend:
    """Refuses to work where it is not allowed (settings.SMS_OUTBOX_ALLOWED: debug, the demo and
    tests, or WENMING_SMS_OUTBOX=1): in production codes must reach phones, not a file."""

    _lock = threading.Lock()

    def __init__(self):
        if not settings.SMS_OUTBOX_ALLOWED:
            raise ImproperlyConfigured("the file SMS outbox is for this machine only: set WENMING_SMS_BACKEND "
                                       "to a vendor backend (or WENMING_SMS_OUTBOX=1 to keep the file on purpose)")

    @staticmethod
    def path():
        return settings.OUTBOX_DIR / "sms.jsonl"

    def send_code(self, phone, code):
        self._write({"phone": phone, "code": code, "sent_at": timezone.now().isoformat()})

    def send_notice(self, phone, title, text):
        self._write({"phone": phone, "text": f"【{title}】{text}", "sent_at": timezone.now().isoformat()})

    def _write(self, record):
        line = json.dumps(record, ensure_ascii=False)
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    @classmethod
    def read(cls, limit=100):
        path = cls.path()
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
        return [json.loads(line) for line in reversed(lines) if line.strip()]


class SmsError(Exception):
    """The provider refused or could not be reached. The message is Chinese and is shown (to a
    resident asking for a code, on a failed delivery); `code` is the provider's own answer
    (English, e.g. "LimitExceeded.PhoneNumberDailyLimit"), logged for operators, never shown.
    Neither names personal data."""

    def __init__(self, message, code=""):
        super().__init__(message)
        self.code = code
        if code:
            logger.warning("sms provider refused: %s", code)


def _post(url, data, headers, timeout=10):
    if not url.startswith(("https://", "http://")):
        raise SmsError("短信服务地址配置错误")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310  (checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (https endpoint from settings)
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise SmsError("短信服务暂时无法连接，请稍后再试", code=type(exc).__name__) from None


class TencentCloudBackend:
    """Tencent Cloud SMS, action SendSms, version 2021-01-11."""

    host = "sms.tencentcloudapi.com"

    def __init__(self, config=None):
        self.config = config or settings.SMS_CONFIG
        self.endpoint = self.config.get("endpoint") or f"https://{self.host}/"

    def send_code(self, phone, code):
        self._send(phone, self.config["template"], [code])

    def send_notice(self, phone, title, text):
        self._send(phone, _notice_template(self.config), [title[:12], text[:60]])

    def _send(self, phone, template, params):
        payload = json.dumps({
            "PhoneNumberSet": [f"+86{phone}"], "SmsSdkAppId": self.config["app_id"],
            "SignName": self.config["sign_name"], "TemplateId": template, "TemplateParamSet": params,
        }, separators=(",", ":")).encode()
        timestamp = int(datetime.datetime.now(datetime.UTC).timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8", "Host": self.host,
                   "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Region": "ap-guangzhou",
                   "X-TC-Timestamp": str(timestamp),
                   "Authorization": self.authorization(payload, timestamp)}
        answer = _post(self.endpoint, payload, headers).get("Response", {})
        if "Error" in answer:
            raise SmsError("短信发送失败，短信平台拒绝了本次发送", code=answer["Error"].get("Code", ""))
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError("短信发送失败，短信平台拒绝了本次发送", code=statuses[0].get("Code", ""))

    def authorization(self, payload, timestamp):
        date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        canonical = ("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:" + self.host + "\n\n"
                     "content-type;host\n" + hashlib.sha256(payload).hexdigest())
        scope = f"{date}/sms/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

        def sign(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(("TC3" + self.config["secret_key"]).encode(), date), "sms"), "tc3_request")
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return (f"TC3-HMAC-SHA256 Credential={self.config['secret_id']}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}")


class AliyunBackend:
    """Aliyun Dysmsapi SendSms, version 2017-05-25, RPC signature (HMAC-SHA1)."""

    def __init__(self, config=None):
        self.config = config or settings.SMS_CONFIG
        self.endpoint = self.config.get("endpoint") or "https://dysmsapi.aliyuncs.com/"

    def send_code(self, phone, code):
        self._send(phone, self.config["template"], {"code": code})

    def send_notice(self, phone, title, text):
        self._send(phone, _notice_template(self.config), {"title": title[:12], "text": text[:60]})

    def _send(self, phone, template, values):
        params = {
            "AccessKeyId": self.config["secret_id"], "Action": "SendSms", "Format": "JSON", "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou", "SignName": self.config["sign_name"], "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0", "TemplateCode": template,
            "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = self.signature(params)
        body = urllib.parse.urlencode(params).encode()
        answer = _post(self.endpoint, body, {"Content-Type": "application/x-www-form-urlencoded"})
        if answer.get("Code") != "OK":
            raise SmsError("短信发送失败，短信平台拒绝了本次发送", code=answer.get("Code", ""))

    def signature(self, params):
        def enc(text):
            return urllib.parse.quote(str(text), safe="~")

        query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
        to_sign = f"POST&{enc('/')}&{enc(query)}"
        digest = hmac.new((self.config["secret_key"] + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()


def _notice_template(config):
    template = config.get("notice_template")
    if not template:
        raise SmsError("未配置短信通知模板")
    return template


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_notification(delivery):
    """The "sms" channel of core.notifications: to the user's phone, or the resident's."""
    phone = delivery.phone or (delivery.notification.user.phone if delivery.notification else "")
    if not phone:
        raise DeliveryFailed("账号未登记手机号", retry=False)
    backend = get_backend()
    if not hasattr(backend, "send_notice"):
        raise DeliveryFailed("短信通道不支持发送通知", retry=False)
    try:
        backend.send_notice(phone, kind_name(delivery.kind), delivery.message)
    except SmsError as exc:
        raise DeliveryFailed(str(exc)) from None
