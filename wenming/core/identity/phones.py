"""Phone verification by SMS code, and resident tokens.

Rules: 6-digit codes, valid 5 minutes, single use, at most 5 guesses; at least 60 s between
sends to one phone; daily caps per phone and per IP. Used for public recommendations and
self-nomination now, and for the voters of the voting issue."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wenming.core import audit
from wenming.core.errors import DomainError
from wenming.core.identity.sms import SmsError, get_backend
from wenming.core.models import PhoneCode, Resident, ResidentToken, WeChatIdentity, hash_token

CODE_TTL = datetime.timedelta(minutes=5)
RESEND_AFTER = datetime.timedelta(seconds=60)
MAX_GUESSES = 5
DAILY_PER_PHONE = 10
DAILY_PER_IP = 50
TOKEN_TTL = datetime.timedelta(hours=12)


class PhoneError(DomainError):
    """A refused phone step; its `code` says why (wenming.core.refusals answers it)."""

    def __init__(self, message, code, retry_after=None, fields=None):
        self.retry_after, self.fields = retry_after, fields
        super().__init__(message, code)


def _code_hash(phone, code):
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(phone, *, ip=None, purpose="resident"):
    """Send a code; returns seconds until another may be sent. Raises PhoneError (too_many_requests, sms_unavailable)."""
    now = timezone.now()
    day_start = now - datetime.timedelta(days=1)
    latest = PhoneCode.objects.filter(phone=phone).order_by("-created_at").first()
    if latest and now - latest.created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - latest.created_at)).total_seconds()) + 1
        raise PhoneError(f"发送过于频繁，请 {wait} 秒后再试", "too_many_requests", retry_after=wait)
    if PhoneCode.objects.filter(phone=phone, created_at__gte=day_start).count() >= DAILY_PER_PHONE:
        raise PhoneError("该手机号今日获取验证码次数已达上限", "too_many_requests")
    if ip and PhoneCode.objects.filter(ip=ip, created_at__gte=day_start).count() >= DAILY_PER_IP:
        raise PhoneError("请求过于频繁，请明天再试", "too_many_requests")
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        get_backend().send_code(phone, code)
    except SmsError as exc:
        raise PhoneError(f"{exc}，请稍后再试", "sms_unavailable") from None
    PhoneCode.objects.create(phone=phone, code_hash=_code_hash(phone, code), purpose=purpose, ip=ip,
                             created_at=now, expires_at=now + CODE_TTL)
    return int(RESEND_AFTER.total_seconds())


def check_code(phone, code):
    """Return the id of the live code matching `code`, or raise PhoneError (wrong_code). A wrong
    guess is counted (and stays counted: the raise comes after the commit)."""
    now = timezone.now()
    with transaction.atomic():
        record = (PhoneCode.objects.select_for_update()
                  .filter(phone=phone, used_at__isnull=True, expires_at__gt=now).order_by("-created_at").first())
        if record is None or record.attempts >= MAX_GUESSES:
            outcome = "invalid"
        elif not hmac.compare_digest(record.code_hash, _code_hash(phone, code)):
            PhoneCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
            outcome = "wrong"
        else:
            outcome = "ok"
    if outcome == "invalid":
        raise PhoneError("验证码无效或已过期，请重新获取", "wrong_code")
    if outcome == "wrong":
        raise PhoneError("验证码错误", "wrong_code")
    return record.pk


def consume_code(code_id):
    """Single use, even when two requests race with the same code."""
    if not PhoneCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=timezone.now()):
        raise PhoneError("验证码已使用，请重新获取", "wrong_code")


@transaction.atomic
def bind_wechat(resident, openid):
    """One phone ↔ one openid. Raises PhoneError (already_bound) if either side is bound elsewhere."""
    existing = WeChatIdentity.objects.filter(openid=openid).first()
    if existing is not None:
        if existing.resident_id != resident.pk:
            raise PhoneError("该微信号已绑定其他手机号", "already_bound")
        return existing
    if WeChatIdentity.objects.filter(resident=resident).exists():
        raise PhoneError("该手机号已绑定其他微信号", "already_bound")
    identity = WeChatIdentity.objects.create(resident=resident, openid=openid)
    audit.record("core.resident.wechat_bound", actor=None, target=resident, after={"openid": openid[:6] + "…"})
    return identity


def verify_resident(phone, code, consent_version, *, current_version=None):
    """Check the code, then the consent (a valid code is not spent on an outdated consent),
    and record both; returns (resident, raw token, expires_at)."""
    code_id = check_code(phone, code)
    if current_version is not None and consent_version != current_version:
        raise PhoneError("请阅读并同意最新版本的个人信息保护告知", "consent_outdated",
                         fields={"consent_version": f"当前版本为 {current_version}"})
    consume_code(code_id)
    now = timezone.now()
    resident, created = Resident.objects.get_or_create(
        phone=phone, defaults={"consent_version": consent_version, "consented_at": now})
    if created:
        audit.record("core.resident.verified", actor=None, target=resident, after={"consent_version": consent_version})
    elif resident.consent_version != consent_version:
        before = resident.consent_version
        resident.consent_version, resident.consented_at = consent_version, now
        resident.save(update_fields=["consent_version", "consented_at"])
        audit.record("core.resident.consented", actor=None, target=resident, before={"consent_version": before},
                     after={"consent_version": consent_version})
    raw = signed_token(resident.pk)
    token = ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw), expires_at=now + TOKEN_TTL)
    return resident, raw, token.expires_at


# A resident token names its resident under the server's signature: `<resident id>.<random>.<mac>`.
# Only its SHA-256 is stored, as for every token. The signature lets the vote path know whose
# token it is (rate limits and risk counters need the resident before the vote) without a
# lookup; the token's row is still checked, inside the vote's own statement (voting 0007), so
# an expired or withdrawn token votes nothing. A token whose signature does not check (an
# older opaque token, or one signed before SECRET_KEY was rotated) is simply looked up.
_TOKEN_SALT = "wenming.core.resident-token"


def _token_mac(body):
    return salted_hmac(_TOKEN_SALT, body, algorithm="sha256").hexdigest()[:32]


def signed_token(resident_id):
    """A new raw resident token for this resident (the caller stores its hash)."""
    body = f"{resident_id}.{secrets.token_urlsafe(24)}"
    return f"{body}.{_token_mac(body)}"


def token_claim(raw):
    """The resident id a raw token names under a valid signature, or None. Says nothing about
    whether the token was issued or is still valid: that is its row's business."""
    body, _, mac = raw.rpartition(".")
    resident_id = body.partition(".")[0]
    if not (resident_id.isascii() and resident_id.isdigit() and len(resident_id) <= 18):
        return None
    return int(resident_id) if hmac.compare_digest(mac.encode(), _token_mac(body).encode()) else None


def resident_for_token(raw):
    """The resident holding this unexpired token, or None (with the fields requests use; the
    others, the phone too, load on access: nothing is decrypted for a vote)."""
    return (Resident.objects.filter(tokens__key_hash=hash_token(raw), tokens__expires_at__gt=timezone.now())
            .only("id", "phone_prefix", "consent_version").first())
