"""State changes of core records: staff accounts."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from wenming.core import audit
from wenming.core.access import ensure_office
from wenming.core.forms import save_form_instance
from wenming.core.models import ApiToken, User

USER_FIELDS = ["username", "display_name", "role", "district", "company", "phone", "is_active"]


def _ensure_office(actor):
    ensure_office(actor, "只有评选工作办公室可以管理账号")


@transaction.atomic
def save_user(form, *, actor):
    """Create or update a staff account from a valid UserForm."""
    _ensure_office(actor)
    user = form.instance
    creating = user.pk is None
    before = None if creating else audit.snapshot(User.objects.get(pk=user.pk), USER_FIELDS)
    user = form.save(commit=False)
    if form.cleaned_data.get("password"):
        user.set_password(form.cleaned_data["password"])
        if not creating:
            user.session_epoch = F("session_epoch") + 1
    save_form_instance(user, form, "password", "session_epoch")
    user.refresh_from_db()
    after = audit.snapshot(user, USER_FIELDS)
    if creating:
        audit.record("core.user.created", actor=actor, target=user, after=after)
    else:
        old, new = audit.changed(before, after)
        if form.cleaned_data.get("password"):
            new["password"] = "（已重置）"
        audit.record("core.user.updated", actor=actor, target=user, before=old, after=new)
    return user


@transaction.atomic
def set_user_active(user, active, *, actor, reason=""):
    """Disabling ends every session and API token of the account at once."""
    _ensure_office(actor)
    if user.pk == actor.pk and not active:
        raise PermissionDenied("不能停用自己的账号")
    if user.is_active == active:
        return user
    fields = ["is_active"]
    user.is_active = active
    if not active:
        user.session_epoch = F("session_epoch") + 1
        fields.append("session_epoch")
        ApiToken.objects.filter(user=user).delete()
    user.save(update_fields=fields)
    user.refresh_from_db()
    audit.record(
        "core.user.enabled" if active else "core.user.disabled",
        actor=actor, target=user, before={"is_active": not active}, after={"is_active": active}, reason=reason,
    )
    return user
