"""Every change to the registry goes through here: checked, atomic, audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from wenming.core import audit
from wenming.core.forms import save_form_instance
from wenming.core.roles import Role
from wenming.registry.models import Community, Company, ResidentsCommittee, Staff, Street

# Who may change which kind of record; scope (own district / own company) is checked by
# the caller's lookup, the role here.
WRITE_ROLES = {
    Company: {Role.OFFICE},
    Community: {Role.OFFICE, Role.DISTRICT},
    Staff: {Role.OFFICE, Role.COMPANY},
}


def can_write(user, model):
    return user.is_superuser or user.role in WRITE_ROLES[model]


def ensure_can_write(user, model):
    if not can_write(user, model):
        raise PermissionDenied("您的角色无权修改此类记录")


def resolve_street(district, street_name, committee_name):
    street = committee = None
    if street_name:
        street, _ = Street.objects.get_or_create(district=district, name=street_name)
        if committee_name:
            committee, _ = ResidentsCommittee.objects.get_or_create(street=street, name=committee_name)
    return street, committee


def _prepare(form):
    instance = form.instance
    if isinstance(instance, Community):
        instance.street, instance.committee = resolve_street(
            form.cleaned_data["district"], form.cleaned_data.get("street_name"), form.cleaned_data.get("committee_name")
        )


def save_record_entry(form, *, actor):
    """Save a valid registry form and return the unsaved audit entry (for bulk writes)."""
    model = form._meta.model
    ensure_can_write(actor, model)
    creating = form.instance.pk is None
    before = None if creating else audit.snapshot(model.objects.get(pk=form.instance.pk))
    instance = form.save(commit=False)
    _prepare(form)
    save_form_instance(instance, form, "street", "committee")
    after = audit.snapshot(instance)
    name = model._meta.model_name
    if creating:
        return instance, audit.build(f"registry.{name}.created", actor=actor, target=instance, after=after)
    old, new = audit.changed(before, after)
    new.pop("updated_at", None)
    old.pop("updated_at", None)
    if not new:
        return instance, None
    return instance, audit.build(f"registry.{name}.updated", actor=actor, target=instance, before=old, after=new)


@transaction.atomic
def save_record(form, *, actor):
    instance, entry = save_record_entry(form, actor=actor)
    if entry is not None:
        entry.save()
    return instance
