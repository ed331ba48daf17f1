"""The one scoping rule: which rows of a queryset a signed-in user may see.

Every resource says only *where* its district and its company are (two Q factories); the rule
itself — inactive or anonymous users see nothing, the office sees everything, a district officer
their district, a company its own, every other role nothing — is written here once and used by
`registry.ScopedQuerySet.visible_to`, `awards.ApplicationQuerySet.visible_to` and
`supervision.services.scoped`. Rows outside the scope are treated as absent (404), see core.access.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from wenming.core.roles import Role

Scope = Callable[[int], Q]


def visible_to(queryset: QuerySet, user, *, district: Scope, company: Scope, distinct: bool = False) -> QuerySet:
    """The rows of `queryset` that `user` may see. `district(district_id)` and
    `company(company_id)` give the resource's filter for a district officer and a company;
    `distinct` when either follows a to-many relation (a row would repeat)."""
    if user is None or not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser or user.role == Role.OFFICE:
        return queryset.all()
    if user.role == Role.DISTRICT:
        scoped = queryset.filter(district(user.district_id))
    elif user.role == Role.COMPANY:
        scoped = queryset.filter(company(user.company_id))
    else:
        return queryset.none()
    return scoped.distinct() if distinct else scoped


def by_fields(queryset: QuerySet, user, *, district_field: str = "district", company_field: str = "company") -> QuerySet:
    """`visible_to` for a resource that names its district and company by foreign key."""
    return visible_to(queryset, user, district=lambda pk: Q(**{f"{district_field}_id": pk}),
                      company=lambda pk: Q(**{f"{company_field}_id": pk}))
