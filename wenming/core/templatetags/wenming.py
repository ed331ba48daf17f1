from django import template

from wenming.core import validators

register = template.Library()


@register.filter
def mask_phone(value):
    return validators.mask_phone(value) if value else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def audit_sentence(entry):
    from wenming.core.audit_text import sentence

    return sentence(entry)


@register.filter
def audit_changes(entry):
    from wenming.core.audit_text import changes

    return changes(entry)
