"""The notification inbox and each user's choice of channels (see core.notifications)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.core import notifications
from wenming.core.access import get_in_scope, role_required
from wenming.core.forms import NotificationPreferencesForm, WeChatBindForm
from wenming.core.identity import wechat
from wenming.core.models import Delivery, Notification
from wenming.core.roles import STAFF_ROLES
from wenming.core.views.wechat import SESSION_OPENID

staff_only = role_required(*STAFF_ROLES)


@require_GET
@staff_only
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    rows = notifications.inbox(request.user, unread_only=unread_only).prefetch_related("deliveries")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "unread_only": unread_only,
                                               "query": "unread=1" if unread_only else ""})


@require_POST
@staff_only
def open_notification(request, pk):
    """Opening marks it read (a POST: a GET never changes anything), then goes to its object."""
    notification = get_in_scope(Notification.objects.filter(user=request.user), pk)
    notifications.mark_read(notification, actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, {request.get_host()}, require_https=request.is_secure()):
        return redirect(link)
    return redirect("core:inbox")


@require_POST
@staff_only
def read_all(request):
    count = notifications.mark_all_read(request.user)
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读通知")
    return redirect("core:inbox")


def _preferences_context(request, form, setting):
    return {"form": form, "setting": setting, "wechat_enabled": wechat.enabled(),
            "wechat_pending": bool(request.session.get(SESSION_OPENID)) and not setting.wechat_openid,
            "rows": [(form[key], kind) for key, kind in form.kinds.items()],
            "recent": Delivery.objects.filter(notification__user=request.user).select_related("notification")[:10]}


@require_http_methods(["GET", "POST"])
@staff_only
def preferences(request):
    user = request.user
    setting = notifications.setting_of(user)
    form = NotificationPreferencesForm(request.POST if request.method == "POST" else None, kinds=notifications.kinds_for(user),
                                       current=setting.channels, phone=user.phone,
                                       wechat_bound=bool(setting.wechat_openid))
    if request.method == "POST" and form.is_valid():
        notifications.save_preferences(user, form.channels(), actor=user)
        messages.success(request, "通知设置已保存")
        return redirect("core:notification_preferences")
    return render(request, "core/notification_preferences.html", _preferences_context(request, form, setting),
                  status=400 if form.errors else 200)


@require_POST
@staff_only
def wechat_binding(request):
    """Bind the WeChat this browser session was authorised with (the openid exchanged on the
    server by the OAuth callback, never one the client sends), or unbind it."""
    form = WeChatBindForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效")
        return redirect("core:notification_preferences")
    if form.cleaned_data["action"] == "unbind":
        notifications.unbind_wechat(request.user, actor=request.user)
        messages.success(request, "已解除微信绑定，微信通知已关闭")
        return redirect("core:notification_preferences")
    openid = request.session.pop(SESSION_OPENID, None)
    if not openid:
        messages.error(request, "请先在微信中打开本页并完成授权")
        return redirect("core:notification_preferences")
    notifications.bind_wechat(request.user, openid, actor=request.user)
    messages.success(request, "已绑定微信，可以选择用微信接收通知")
    return redirect("core:notification_preferences")
