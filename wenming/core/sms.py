"""Sending SMS. Code depends on the `SmsBackend` interface only; the backend is chosen by
WENMING_SMS_BACKEND. In dev and the demo, messages go to `outbox/sms.jsonl` under the data
dir, one JSON object a line: {"phone", "code", "sent_at"}. Vendor adapters (Tencent Cloud,
Aliyun) implement the same interface."""

import json
import threading
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send_code(self, phone: str, code: str) -> None: ...


class FileOutboxBackend:
    _lock = threading.Lock()

    @staticmethod
    def path():
        return settings.OUTBOX_DIR / "sms.jsonl"

    def send_code(self, phone, code):
        line = json.dumps(
            {"phone": phone, "code": code, "sent_at": timezone.now().isoformat()}, ensure_ascii=False
        )
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


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
