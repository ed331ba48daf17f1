from django.conf import settings

from wenming.core import notifications


def wenming(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "unread_count": lambda: _unread_count(request)}


def _unread_count(request):
    """The header's unread count, counted only when a page shows it (a signed-in user's), once."""
    if not hasattr(request, "_unread_count"):
        user = getattr(request, "user", None)
        request._unread_count = notifications.unread_count(user) if user is not None and user.is_authenticated else 0
    return request._unread_count
