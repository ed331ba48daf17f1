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

Every page view inside WeChat asks for a signature, so WeChat is spared the crowd:

- one process at a time fetches the ticket (a lock in the shared cache); the others wait up
  to a few seconds for it;
- `REFRESH_BEFORE` seconds before the kept ticket is due to go, the first caller to take the
  lock renews it while everyone else goes on signing with the kept one (still valid), so the
  renewal never makes anyone wait;
- a failed fetch (WeChat unreachable, busy, refusing) is remembered for `FAILURE_SECONDS`:
  meanwhile a caller with no kept ticket is refused at once with the same reason and nobody
  calls WeChat, and one with a kept ticket uses it.

(The config view adds a rate limit per client address.)

Code signs through the `Signer` interface (`get_signer()`); tests point
WENMING_WECHAT_API_BASE at a local fake server."""

import hashlib
import secrets
import time
import urllib.parse
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from wenming.core.cache import fetch_once, lock
from wenming.core.identity import wechat_messages as messages
from wenming.core.identity.wechat_messages import TOKEN_ERRORS, WeChatMessageClient, WeChatSendError, _refusal

TICKET_TTL_MARGIN = 300  # seconds: a cached ticket is never one WeChat has already expired
REFRESH_BEFORE = 600  # seconds before its cache entry lapses that a kept ticket is renewed
FAILURE_SECONDS = 30  # seconds a failed fetch is remembered (nobody asks WeChat meanwhile)


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
        self.lock_key = f"{self.cache_key}:fetching"
        self.failed_key = f"{self.cache_key}:failed"

    def _kept(self):
        kept = cache.get(self.cache_key)
        return kept if isinstance(kept, dict) else None  # (a bare string: kept by an older release)

    def ticket(self):
        kept = self._kept()
        if kept is not None:
            if time.time() < kept["renew_at"]:
                return kept["ticket"]
            # Due for renewal but still valid: whoever takes the lock renews it, the rest go on.
            if cache.get(self.failed_key) is None:
                with lock(self.lock_key, messages.FETCH_HOLD) as held:
                    renewed = self._kept() if held else None
                    if renewed is not None and time.time() < renewed["renew_at"]:
                        return renewed["ticket"]  # renewed by another process meanwhile
                    if held:
                        try:
                            return self._fetch()
                        except WeChatSendError:
                            pass
            return kept["ticket"]

        def read():
            kept = self._kept()
            if kept is not None:
                return kept["ticket"]
            failure = cache.get(self.failed_key)
            if failure is not None:
                raise WeChatSendError(failure)
            return None

        ticket = fetch_once(self.lock_key, read, self._fetch, wait=messages.FETCH_WAIT, hold=messages.FETCH_HOLD)
        if ticket is None:  # another process is still fetching it
            raise WeChatSendError("微信接口暂时不可用")
        return ticket

    def _fetch(self):
        """A new ticket from WeChat, kept; a failure is remembered for FAILURE_SECONDS."""
        try:
            ticket, expires_in = self._ask()
        except WeChatSendError as exc:
            cache.set(self.failed_key, str(exc), FAILURE_SECONDS)
            raise
        ttl = max(expires_in - TICKET_TTL_MARGIN, 60)
        cache.set(self.cache_key, {"ticket": ticket, "renew_at": time.time() + max(ttl - REFRESH_BEFORE, 30)}, ttl)
        cache.delete(self.failed_key)
        return ticket

    def _ask(self):
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
            return ticket, int(answer.get("expires_in", 7200))
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
