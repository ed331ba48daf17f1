"""Access helpers shared by every app.

The order of checks is the contract: a role that may never touch this kind of record gets
403; a record outside the caller's district or company is answered 404 as if absent (so
its existence does not leak); then a read-only caller asking to change it gets 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from wenming.core.roles import Role

MAX_ID = 2**63 - 1  # the largest id a database row can have


def require_role(user, roles):
    if not (user.is_authenticated and user.is_active and (user.role in roles or user.is_superuser)):
        raise PermissionDenied("您的角色无权进行此操作")


def is_office(user):
    return user is not None and user.is_authenticated and (user.is_superuser or user.role == Role.OFFICE)


def ensure_office(actor, message="只有评选工作办公室可以进行此操作"):
    """Services' check for office-only state changes (the views' role_required is the first line)."""
    if not is_office(actor):
        raise PermissionDenied(message)


def parse_pk(value):
    """A malformed id is simply not found."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("记录不存在") from None
    if pk <= 0 or pk > MAX_ID:
        raise Http404("记录不存在")
    return pk


def get_in_scope(queryset, pk):
    try:
        return queryset.get(pk=parse_pk(pk))
    except queryset.model.DoesNotExist:
        raise Http404("记录不存在") from None


def role_required(*roles):
    """Page decorator: anonymous → login page; a signed-in user of another role → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
