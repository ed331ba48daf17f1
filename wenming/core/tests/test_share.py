"""The share card's pieces: WeChat's script origin joins script-src once, only where a CSP is set;
the card's data is rendered only with a configured 公众号."""

from django.template import Context, Template

from wenming.core.share import JSSDK_ORIGIN, share_csp


def test_the_wechat_origin_joins_script_src_once(settings):
    settings.SECURE_CSP = {"default-src": ["'self'"], "script-src": ["'self'", JSSDK_ORIGIN]}
    assert share_csp()["script-src"] == ["'self'", JSSDK_ORIGIN]
    settings.SECURE_CSP = {"default-src": ["'self'"]}
    assert share_csp() == {"default-src": ["'self'"], "script-src": ["'self'", JSSDK_ORIGIN]}
    settings.SECURE_CSP = {}
    assert share_csp() is None


def test_the_card_is_rendered_only_with_a_configured_account(settings, db):
    template = Template('{% load share %}{% share_card "标题" "描述" "https://wm.example/news/1/" %}')
    settings.WECHAT = {**settings.WECHAT, "appid": ""}
    assert template.render(Context()).strip() == ""
    settings.WECHAT = {**settings.WECHAT, "appid": "wx-test"}
    page = template.render(Context())
    assert 'data-title="标题"' in page and 'data-config="/wechat/jssdk/"' in page and "wx-share.js" in page
    assert f'data-jssdk="{JSSDK_ORIGIN}/open/js/jweixin-1.6.0.js"' in page
