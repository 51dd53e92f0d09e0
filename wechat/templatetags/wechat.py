from django import template

from .. import client
from ..browser import in_wechat

register = template.Library()


@register.simple_tag(takes_context=True)
def wechat_sign_in_offered(context) -> bool:
    """The channel is on and the page is open in WeChat's browser."""
    request = context.get("request")
    return bool(request is not None and client.enabled() and in_wechat(request))


@register.simple_tag(takes_context=True)
def in_wechat_browser(context) -> bool:
    """The page is open in WeChat's browser (whether or not the channel is configured)."""
    request = context.get("request")
    return bool(request is not None and in_wechat(request))
