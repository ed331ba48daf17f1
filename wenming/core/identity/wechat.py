"""WeChat web OAuth (网页授权, scope snsapi_base): a thin client. The browser is sent to
WeChat's authorize page with a random `state`; WeChat sends it back with a one-time `code`;
the server exchanges the code for the openid. An openid never comes from the client.

Settings: WENMING_WECHAT_APPID, WENMING_WECHAT_SECRET (or _FILE); the API and authorize hosts
are settings too, so tests point them at a local fake server."""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings


class WeChatError(Exception):
    pass


def enabled():
    return bool(settings.WECHAT["appid"] and settings.WECHAT["secret"])


def authorize_url(redirect_uri, state):
    query = urllib.parse.urlencode({"appid": settings.WECHAT["appid"], "redirect_uri": redirect_uri,
                                    "response_type": "code", "scope": "snsapi_base", "state": state})
    return f"{settings.WECHAT['authorize_base']}/connect/oauth2/authorize?{query}#wechat_redirect"


def exchange_code(code):
    """The openid for a one-time code. Refuses errors and snapshot-page users (快照页, whose
    openid is not a real user's)."""
    query = urllib.parse.urlencode({"appid": settings.WECHAT["appid"], "secret": settings.WECHAT["secret"],
                                    "code": code, "grant_type": "authorization_code"})
    url = f"{settings.WECHAT['api_base']}/sns/oauth2/access_token?{query}"
    if not url.startswith(("https://", "http://")):
        raise WeChatError("微信接口地址配置错误")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (checked above)
            answer = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError):
        raise WeChatError("微信授权服务暂时不可用") from None
    if answer.get("errcode"):
        raise WeChatError(f"微信授权失败（{answer.get('errcode')}）")
    if answer.get("is_snapshotuser") == 1:
        raise WeChatError("请点击“使用完整服务”后再授权")
    openid = answer.get("openid")
    if not openid:
        raise WeChatError("微信授权失败")
    return openid
