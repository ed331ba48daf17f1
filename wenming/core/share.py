"""WeChat share cards on public pages (the candidate, news and results pages).

A page that offers a card renders `{% share_card title desc link img %}` (templatetags/share.py)
and its view is wrapped in `@share_page`. The tag emits the card's data and the small
`wx-share.js` only when the 公众号's app id is configured; the script acts only inside WeChat
(user agent MicroMessenger): it asks `core:wechat_jssdk` for the page's signature, loads
WeChat's `jweixin` script and sets the card.

WeChat requires jweixin from its own origin, so `share_page` adds that one origin,
`https://res.wx.qq.com`, to the page's script-src (and nothing else, on no other page)."""

from functools import wraps

from django.conf import settings

JSSDK_ORIGIN = "https://res.wx.qq.com"
JSSDK_URL = f"{JSSDK_ORIGIN}/open/js/jweixin-1.6.0.js"


def share_csp():
    """The site's CSP with WeChat's script origin added to script-src, or None without a CSP."""
    base = getattr(settings, "SECURE_CSP", None)
    if not base:
        return None
    config = dict(base)
    scripts = list(config.get("script-src") or config.get("default-src") or [])
    if JSSDK_ORIGIN not in scripts:
        scripts.append(JSSDK_ORIGIN)
    config["script-src"] = scripts
    return config


def share_page(view):
    """A view whose page may carry a WeChat share card."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        config = share_csp()
        if config is not None and settings.WECHAT.get("appid"):
            response._csp_config = config  # read by Django's ContentSecurityPolicyMiddleware
        return response

    return wrapper
