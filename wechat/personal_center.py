"""The WeChat section of the personal center: bound or not, the channel preference, unbind."""

from django.utils.translation import gettext_lazy as _

from core.personal_center import Section, register

from . import client
from .browser import in_wechat
from .forms import NotifyByForm
from .models import WechatBinding


@register(order=90)
def wechat_section(request):
    if not client.enabled() or request.user.is_staff:
        return None
    binding = WechatBinding.objects.filter(user=request.user).first()
    return Section(
        title=_("WeChat"),
        template="wechat/includes/center.html",
        context={
            "wechat_binding": binding,
            "wechat_form": NotifyByForm(initial={"notify_by": binding.notify_by})
            if binding
            else None,
            "in_wechat": in_wechat(request),
        },
        key="wechat",
    )
