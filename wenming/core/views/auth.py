from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from wenming.core.forms import LoginForm

LOCKOUT_MESSAGE = "登录失败次数过多，该账号或网络地址已被暂时锁定，请 {minutes} 分钟后再试。"


def lockout_message():
    return LOCKOUT_MESSAGE.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this once a username or address is locked out."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "too_many_requests", "message": lockout_message()}},
                            status=429, json_dumps_params={"ensure_ascii": False})
    form = LoginForm(request)
    return render(request, "core/login.html", {"form": form, "lockout": lockout_message(),
                                               "demo_accounts": demo_accounts()}, status=429)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is English and rendered without the request."""
    return render(request, "403_csrf.html", status=403)


def demo_accounts():
    if not settings.DEMO_MODE:
        return []
    from wenming.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    return [{"username": u, "label": label, "password": DEMO_PASSWORD} for u, label in DEMO_ACCOUNTS]


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"demo_accounts": demo_accounts()}


login = LoginView.as_view()
logout = require_POST(auth_views.LogoutView.as_view())
