"""WeChat JS-SDK share cards: a thin client for the page signature.

A page inside WeChat calls `wx.config` with the 公众号's app id, a timestamp, a nonce and a
signature of its own URL; only then may it set the card WeChat shows when the page is shared
(title, description, link, picture). The signature follows WeChat's documented algorithm
(JS-SDK 说明文档, 附录1): sha1 of
"jsapi_ticket=<ticket>&noncestr=<nonce>&timestamp=<seconds>&url=<page URL without #fragment>".

The jsapi_ticket comes from `cgi-bin/ticket/getticket?type=jsapi` with the 公众号's access
token (the same token, and the same cache entry, as the subscribe messages' client), and is
kept in the cache until shortly before WeChat expires it. A ticket request WeChat answers
"token expired or invalid" fetches a new token and tries once more.

Code signs through the `Signer` interface (`get_signer()`); tests point
WENMING_WECHAT_API_BASE at a local fake server."""

import hashlib
import secrets
import time
import urllib.parse
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from wenming.core.identity.wechat_messages import TOKEN_ERRORS, WeChatMessageClient, WeChatSendError, _refusal

TICKET_TTL_MARGIN = 300  # seconds: a cached ticket is never one WeChat has already expired


class Signer(Protocol):
    def config_for(self, url: str) -> dict: ...


def signature(ticket, noncestr, timestamp, url):
    """WeChat's JS-SDK signature: keys in ASCII order, values raw (not URL-encoded)."""
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324  (WeChat's algorithm, not a password)


def page_url(url):
    """The URL WeChat signs: the page's full address without its #fragment."""
    return url.split("#", 1)[0]


class WeChatJsSdkClient:
    def __init__(self, config=None):
        self.config = config or settings.WECHAT
        self.tokens = WeChatMessageClient(self.config)
        self.cache_key = f"wenming:wechat:jsapi_ticket:{self.config['appid']}"

    def ticket(self):
        ticket = cache.get(self.cache_key)
        if ticket:
            return ticket
        for fresh in (False, True):
            token = self.tokens.access_token(fresh=fresh)
            query = urllib.parse.urlencode({"access_token": token, "type": "jsapi"})
            answer = self.tokens._call(f"{self.tokens.base}/cgi-bin/ticket/getticket?{query}")
            if answer.get("errcode") in TOKEN_ERRORS and not fresh:
                cache.delete(self.tokens.cache_key)
                continue
            ticket = answer.get("ticket")
            if answer.get("errcode") or not ticket:
                raise _refusal(answer)
            ttl = max(int(answer.get("expires_in", 7200)) - TICKET_TTL_MARGIN, 60)
            cache.set(self.cache_key, ticket, ttl)
            return ticket
        raise WeChatSendError("微信接口暂时不可用")  # pragma: no cover - the loop returns or raises

    def config_for(self, url):
        """What `wx.config` needs for the page at `url`."""
        url = page_url(url)
        nonce = secrets.token_urlsafe(12)
        timestamp = int(time.time())
        return {"appId": self.config["appid"], "timestamp": timestamp, "nonceStr": nonce,
                "signature": signature(self.ticket(), nonce, timestamp, url)}


def enabled():
    config = settings.WECHAT
    return bool(config.get("appid") and config.get("secret"))


def get_signer() -> Signer:
    return WeChatJsSdkClient()
