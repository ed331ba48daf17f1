from django import template
from django.conf import settings

from wenming.core.share import JSSDK_URL

register = template.Library()


@register.inclusion_tag("core/share_card.html")
def share_card(title, desc, link, img=""):
    """The data of a WeChat share card (core.share). Empty without a configured 公众号."""
    return {"enabled": bool(settings.WECHAT.get("appid")), "title": str(title)[:60], "desc": str(desc)[:120],
            "link": link, "img": img, "jssdk": JSSDK_URL}
