"""Decisions that need several distinct office members (lists, results): one helper so that
every such rule refuses a second approval by the same member in the same way."""

from wenming.core.errors import Conflict


def add_distinct(model, *, member_field, actor, refusal, **owner):
    """Record `actor`'s approval of `owner` in `model` (whose unique constraint backs this);
    a second one by the same member is refused with `refusal`. Returns the distinct count."""
    if model.objects.filter(**owner, **{member_field: actor}).exists():
        raise Conflict(refusal)
    model.objects.create(**owner, **{member_field: actor})
    return model.objects.filter(**owner).count()
