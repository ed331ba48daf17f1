"""WeChat subscribe messages (公众号 订阅通知, `message/subscribe/bizsend`): a thin client.

The 公众号's access token (`cgi-bin/token`, client credentials) is fetched once and kept in the
cache until shortly before WeChat expires it; a send that WeChat answers "token expired or
invalid" fetches a new one and tries once more. One process at a time fetches it (a lock in
the shared cache, `core.cache.fetch_once`): every fetch makes WeChat expire the previous token
within minutes, so many processes fetching at once would keep invalidating one another's;
the others wait briefly for the one fetched. WeChat's error codes become Chinese reasons;
those another try cannot fix (the user refused the message, a wrong template) say so.

Code sends through the `MessageClient` interface; `send_notification` is the "wechat" channel
of core.notifications. Settings: WENMING_WECHAT_APPID / _SECRET (the 公众号 of the OAuth login),
WENMING_WECHAT_NOTICE_TEMPLATE, WENMING_WECHAT_NOTICE_FIELDS (the template's three keywords:
the event, the message, the time; default thing1,thing2,time3), WENMING_SITE_URL (the link),
WENMING_WECHAT_API_BASE (tests point it at a local fake server)."""

import http.client
import json
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from wenming.core.cache import fetch_once
from wenming.core.models import NotificationSetting
from wenming.core.notifications import DeliveryFailed, kind_name

TOKEN_ERRORS = {40001, 40014, 42001}
TIMEOUT = 10  # seconds for one call to WeChat
FETCH_WAIT = 3  # seconds a caller waits for the token (or ticket) another process is fetching
FETCH_HOLD = 3 * TIMEOUT  # seconds a fetch may hold its lock (a token and a ticket call, and slack)
ERRORS = {
    -1: ("微信系统繁忙，稍后重试", True),
    40003: ("接收人的微信标识无效，请重新绑定微信", False),
    40037: ("微信消息模板编号错误", False),
    43101: ("接收人未订阅或已拒收此类消息", False),
    45009: ("微信接口今日调用次数已达上限", True),
    47003: ("消息内容不符合微信模板要求", False),
    40125: ("公众号密钥错误", False),
    40013: ("公众号编号错误", False),
}


class WeChatSendError(Exception):
    def __init__(self, message, *, retry=True):
        super().__init__(message)
        self.retry = retry


class MessageClient(Protocol):
    def send(self, openid: str, template_id: str, data: dict, url: str = "") -> None: ...


def _refusal(answer):
    code = answer.get("errcode")
    message, retry = ERRORS.get(code, (f"微信消息发送失败（错误码 {code}）", True))
    return WeChatSendError(message, retry=retry)


class WeChatMessageClient:
    def __init__(self, config=None):
        self.config = config or settings.WECHAT
        self.base = self.config["api_base"].rstrip("/")
        self.cache_key = f"wenming:wechat:access_token:{self.config['appid']}"
        self.lock_key = f"{self.cache_key}:fetching"

    def _call(self, url, body=None):
        if not url.startswith(("https://", "http://")):
            raise WeChatSendError("微信接口地址配置错误", retry=False)
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if data else "GET",  # noqa: S310  (checked above)
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  (https endpoint from settings)
                return json.loads(response.read().decode("utf-8"))
        except (OSError, http.client.HTTPException, ValueError):  # unreachable, reset, cut off, not JSON
            raise WeChatSendError("微信接口暂时不可用") from None

    def access_token(self, *, fresh=False):
        """The cached token, else one fetched by one process at a time. `fresh`: the caller has
        just been told the cached one expired (and dropped it)."""
        token = None if fresh else cache.get(self.cache_key)
        if token:
            return token
        token = fetch_once(self.lock_key, lambda: cache.get(self.cache_key), self._fetch_token, wait=FETCH_WAIT,
                           hold=FETCH_HOLD)
        if token is None:  # another process is still fetching it
            raise WeChatSendError("微信接口暂时不可用")
        return token

    def _fetch_token(self):
        query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": self.config["appid"],
                                        "secret": self.config["secret"]})
        answer = self._call(f"{self.base}/cgi-bin/token?{query}")
        token = answer.get("access_token")
        if answer.get("errcode") or not token:
            raise _refusal(answer)
        # Kept a little shorter than WeChat keeps it, so a cached token is never one it expired.
        cache.set(self.cache_key, token, max(int(answer.get("expires_in", 7200)) - 300, 60))
        return token

    def send(self, openid, template_id, data, url=""):
        body = {"touser": openid, "template_id": template_id,
                "data": {name: {"value": value} for name, value in data.items()}}
        if url:
            body["page"] = url
        for fresh in (False, True):
            token = self.access_token(fresh=fresh)
            answer = self._call(f"{self.base}/cgi-bin/message/subscribe/bizsend?access_token={token}", body)
            if answer.get("errcode") in TOKEN_ERRORS and not fresh:
                cache.delete(self.cache_key)
                continue
            if answer.get("errcode"):
                raise _refusal(answer)
            return


def get_client() -> MessageClient:
    return WeChatMessageClient()


def notice_data(notification, fields):
    """The template's keywords: thing values are at most 20 characters in WeChat's rules."""
    when = timezone.localtime(notification.created_at or timezone.now()).strftime("%Y-%m-%d %H:%M")
    values = [kind_name(notification.kind)[:20], notification.message[:20], when]
    return dict(zip(fields, values, strict=False))


def send_notification(delivery):
    """The "wechat" channel of core.notifications: to the WeChat the user bound."""
    notification = delivery.notification
    if notification is None:
        raise DeliveryFailed("居民不接收微信通知", retry=False)
    config = settings.WECHAT
    if not (config.get("appid") and config.get("secret") and config.get("notice_template")):
        raise DeliveryFailed("未配置微信消息", retry=False)
    setting = NotificationSetting.objects.filter(user_id=notification.user_id).first()
    if setting is None or not setting.wechat_openid:
        raise DeliveryFailed("账号未绑定微信", retry=False)
    site = config.get("site_url", "")
    url = f"{site}{notification.link}" if site and notification.link.startswith("/") else ""
    fields = config.get("notice_fields") or ["thing1", "thing2", "time3"]
    try:
        get_client().send(setting.wechat_openid, config["notice_template"], notice_data(notification, fields), url)
    except WeChatSendError as exc:
        raise DeliveryFailed(str(exc), retry=exc.retry) from None
