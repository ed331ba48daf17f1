"""The audit log: every service records its state changes here.

`record()` takes the actor and the target; the client IP and request id come from the
request context the middleware set (empty for commands and tasks).
"""

import datetime
import decimal
import uuid

from django.db import models

from wenming.core import request_context
from wenming.core.fields import EncryptedPhoneField, is_companion
from wenming.core.models import AuditEntry
from wenming.core.validators import mask_phone

# Field names whose values are personal data: stored masked in before/after (and so is every
# encrypted phone field, whatever its name; a phone's lookup hash and prefix are left out).
MASKED_FIELDS = {"phone": mask_phone, "contact_phone": mask_phone}


def _json_value(value):
    # Aware datetimes in UTC, so the same instant always compares equal in before/after.
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(instance, fields=None):
    """A JSON-safe dict of a model instance's concrete fields (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("password",) or is_companion(field):
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedPhoneField) and value:
            value = mask_phone(value)
        elif field.name in MASKED_FIELDS and value:
            value = MASKED_FIELDS[field.name](value)
        data[field.name] = _json_value(value)
    return data


def changed(before, after):
    """Only the keys whose values differ, as (before, after) dicts."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def build(action, *, actor=None, target=None, before=None, after=None, reason="", target_type="", target_id=""):
    ctx = request_context.current()
    entry = AuditEntry(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=str(actor) if actor is not None else "系统",
        actor_role=getattr(actor, "role", "") or ("superuser" if getattr(actor, "is_superuser", False) else ""),
        before=before,
        after=after,
        reason=reason,
        ip=ctx.ip,
        request_id=ctx.request_id,
        target_type=target_type,
        target_id=str(target_id),
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:200]
    return entry


def record(action, **kwargs):
    entry = build(action, **kwargs)
    entry.save()
    return entry


def record_many(entries):
    AuditEntry.objects.bulk_create(entries, batch_size=500)
