"""The one phone check of the public pages (vote, recommendation, self-nomination, survey
self-fill): a phone field with a 获取验证码 button and a resend countdown, then the SMS code and
the privacy consent. The session keeps who was verified (the resident's id) and, while a code is
pending, the number encrypted as at rest: never the number itself, since sessions are stored
(database or cache) like any table. `verified_resident(request)` is how a page asks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from wenming.core.fields import PhoneKeyError, decrypt_phone, encrypt_phone
from wenming.core.forms import CodeForm
from wenming.core.identity import phones
from wenming.core.models import Resident
from wenming.core.refusals import page_status
from wenming.core.validators import mask_phone

# New names for new contents: a session from before (which held the number) simply verifies again.
RESIDENT_SESSION_KEY = "verified_resident"  # the Resident's id
PENDING_SESSION_KEY = "pending_phone"  # {"sealed": the number encrypted, "resend_at"}: a code sent, not yet entered


def remember(session, resident: Resident) -> None:
    """Mark the session as verified for `resident` (the phone step does this; tests too)."""
    session[RESIDENT_SESSION_KEY] = resident.pk


def verified_resident_id(request) -> int | None:
    """The id of the resident this session verified, or None (no query: for access checks)."""
    pk = request.session.get(RESIDENT_SESSION_KEY)
    return pk if isinstance(pk, int) else None


def verified_resident(request) -> Resident | None:
    """The resident this session verified, or None. The number is opened only when a page reads
    it (a vote, for one, never does: the virtual-operator check reads the plain prefix)."""
    pk = verified_resident_id(request)
    return None if pk is None else Resident.objects.defer("phone").filter(pk=pk).first()


def _pending_phone(pending) -> str:
    try:
        return decrypt_phone(pending["sealed"]) if pending.get("sealed") else ""
    except PhoneKeyError:  # sealed under a key since retired: the resident types it again
        return ""


def phone_step(request, campaign, purpose, *, heading, intro="", eyebrow=""):
    """Shared phone check for public forms: one form with the phone, a 获取验证码 button
    (`step=send`) and the code (`step=verify`). The phone a code went to and when another may
    be sent are kept in the session, so a reload keeps both (and the resend countdown).
    The page says what the phone is verified for: `heading` (and the page title), an `eyebrow`
    line above it and an `intro` below. Returns (verified_resident_or_None, response_or_None)."""
    verified = verified_resident(request)
    if verified is not None:
        return verified, None
    step = request.POST.get("step") if request.method == "POST" else None
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    retry_after = max(0, int(pending.get("resend_at", 0) - timezone.now().timestamp()))
    status = 200
    if step == "send":
        form = CodeForm(request.POST, step="send")
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                wait = phones.send_code(phone, ip=request.client_ip, purpose=purpose)
            except phones.PhoneError as exc:
                form.add_error("phone", str(exc))
                status, retry_after = page_status(exc), exc.retry_after or 0
            else:
                resend_at = timezone.now().timestamp() + wait
                request.session[PENDING_SESSION_KEY] = {"sealed": encrypt_phone(phone), "resend_at": resend_at}
                messages.info(request, f"验证码已发送至 {mask_phone(phone)}，5 分钟内有效")
                return None, redirect(request.get_full_path())  # a reload then repeats no POST
        else:
            status = 400
    elif step == "verify":
        form = CodeForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                resident, _, _ = phones.verify_resident(
                    phone, form.cleaned_data["code"], campaign.privacy_notice_version,
                    current_version=campaign.privacy_notice_version)
                openid = request.session.get("wechat_openid")
                if openid:
                    phones.bind_wechat(resident, openid)
            except phones.PhoneError as exc:
                form.add_error("code", str(exc))
                status = page_status(exc)
            else:
                request.session.cycle_key()
                request.session.pop(PENDING_SESSION_KEY, None)
                remember(request.session, resident)
                return resident, redirect(request.get_full_path())
        else:
            status = 400
    else:
        form = CodeForm(initial={"phone": _pending_phone(pending)}, step="send")
    return None, render(request, "core/phone_step.html", {
        "campaign": campaign, "form": form, "heading": heading, "intro": intro, "eyebrow": eyebrow,
        "sent": bool(pending), "retry_after": retry_after}, status=status)
