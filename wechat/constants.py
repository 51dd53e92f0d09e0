from django.db import models
from django.utils.translation import gettext_lazy as _


class NotifyBy(models.TextChoices):
    """How a bound person gets results (personal center); unbound people get SMS."""

    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    BOTH = "both", _("WeChat and SMS")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    # The send call went out but no answer came back: WeChat may have it, so it is never resent
    # (its TEMPLATESENDJOBFINISH event cannot be matched without the msgid).
    UNKNOWN = "unknown", _("Unknown: no answer")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    # WeChat refused it (unfollowed, template removed, quota) or it failed for good: the SMS went
    # out instead, once.
    SMS_INSTEAD = "sms_instead", _("Refused: SMS sent instead")


# WeChat error codes (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html)
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid or expired access token: refresh once, retry once
BUSY = -1  # system busy: retry later
# Refusals where WeChat will not carry this notice: the SMS goes instead.
UNFOLLOWED = 43004  # the person no longer follows the account
REFUSED_SUBSCRIPTION = 43101  # the person refused (or used up) the subscription notice
TEMPLATE_GONE = {40037, 40036}  # template id invalid / removed
QUOTA = 45009  # daily API quota reached
CODE_USED = 40163
