from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.core import services
from wenming.core.access import get_in_scope, role_required
from wenming.core.forms import UserForm
from wenming.core.models import User
from wenming.core.pages import REFUSALS, refusal_message
from wenming.core.roles import Role


@require_GET
@role_required(Role.OFFICE)
def user_list(request):
    users = User.objects.filter(is_superuser=False).select_related("district", "company").order_by("role", "username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/user_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def user_edit(request, pk=None):
    user = get_in_scope(User.objects.filter(is_superuser=False), pk) if pk else None
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        saved = services.save_user(form, actor=request.user)
        messages.success(request, f"账号已保存：{saved.username}")
        return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form, "account": user},
                  status=400 if form.errors else 200)


@require_POST
@role_required(Role.OFFICE)
def user_toggle(request, pk):
    user = get_in_scope(User.objects.filter(is_superuser=False), pk)
    try:
        services.set_user_active(user, not user.is_active, actor=request.user)
    except REFUSALS as exc:
        refusal_message(request, exc)
        return redirect("core:user_list")
    messages.success(request, f"账号 {user.username} 已{'启用' if user.is_active else '停用，其所有登录已失效'}")
    return redirect("core:user_list")
