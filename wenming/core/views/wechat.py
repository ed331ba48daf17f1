import secrets
import time

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wenming.core import counters
from wenming.core.identity import wechat, wechat_jssdk
from wenming.core.identity.wechat_messages import WeChatSendError

SESSION_STATE = "wechat_oauth_state"
SESSION_NEXT = "wechat_oauth_next"
SESSION_OPENID = "wechat_openid"


@require_GET
def login(request):
    if not wechat.enabled():
        raise Http404("未启用微信登录")
    state = secrets.token_urlsafe(16)
    target = request.GET.get("next", "/")
    request.session[SESSION_STATE] = state
    request.session[SESSION_NEXT] = target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"
    callback = request.build_absolute_uri("/wechat/callback/")
    return redirect(wechat.authorize_url(callback, state))


@require_GET
def callback(request):
    """Only a code from WeChat, with the state this session was given, yields an openid; an
    openid in the query string is ignored."""
    if not wechat.enabled():
        raise Http404("未启用微信登录")
    expected = request.session.pop(SESSION_STATE, None)
    code, state = request.GET.get("code", "")[:128], request.GET.get("state", "")[:64]
    if not expected or not code or not secrets.compare_digest(expected, state):
        return render(request, "core/wechat_error.html", {"message": "授权已失效，请重新进入页面"}, status=400)
    try:
        openid = wechat.exchange_code(code)
    except wechat.WeChatError as exc:
        return render(request, "core/wechat_error.html", {"message": str(exc)}, status=403)
    request.session.cycle_key()
    request.session[SESSION_OPENID] = openid
    return redirect(request.session.pop(SESSION_NEXT, "/"))


def _error(status, code, message, retry_after=None):
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_GET
def jssdk_config(request):
    """The JS-SDK `wx.config` of a page on this site (static/wenming/wx-share.js asks for it,
    inside WeChat only). Public pages are cached whole, so the signature, which differs per
    visit, comes from here, never from the page. Only this site's own pages are signed. Each
    client address may ask `settings.WECHAT_JSSDK_PER_MINUTE` times a minute (core.counters,
    shared by every process through Redis); a page asks once."""
    if not wechat_jssdk.enabled():
        raise Http404("未启用微信分享")
    now = time.time()
    minute = int(now // 60)
    count, = counters.bump([(f"wechat:jssdk:{request.client_ip or 'none'}:{minute}", 120)])
    if count > settings.WECHAT_JSSDK_PER_MINUTE:
        return _error(429, "too_many_requests", "请求过于频繁，请稍后再试", retry_after=60 - int(now) % 60)
    url = request.GET.get("url", "")[:2000]
    if not url.startswith(("https://", "http://")) or not url_has_allowed_host_and_scheme(url, {request.get_host()}):
        return _error(400, "bad_url", "页面地址无效")
    try:
        config = wechat_jssdk.get_signer().config_for(url)
    except WeChatSendError as exc:
        return _error(503, "wechat_unavailable", str(exc), retry_after=wechat_jssdk.FAILURE_SECONDS)
    return JsonResponse(config)
