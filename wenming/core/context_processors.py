from django.conf import settings

from wenming.core import navigation, notifications


def wenming(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "unread_count": lambda: _unread_count(request),
            "navigation_html": lambda: navigation.menu_html(_navigation(request))}


def _navigation(request):
    """The signed-in user's grouped menu (core.navigation), built only when a page shows it, once."""
    if not hasattr(request, "_navigation"):
        user = getattr(request, "user", None)
        request._navigation = (navigation.menu(request, counters={"unread": lambda: _unread_count(request)})
                               if user is not None and user.is_authenticated else [])
    return request._navigation


def _unread_count(request):
    """The header's unread count, counted only when a page shows it (a signed-in user's), once."""
    if not hasattr(request, "_unread_count"):
        user = getattr(request, "user", None)
        request._unread_count = notifications.unread_count(user) if user is not None and user.is_authenticated else 0
    return request._unread_count
