from django.contrib import admin

from core.admin_mixins import ReadOnlyAdminMixin

from .models import WechatBinding, WechatNotice


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What went to applicants by WeChat, and who is bound: looked at, never edited."""


@admin.register(WechatNotice)
class WechatNoticeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "notification", "status", "attempts", "error_code", "created_at"]
    list_filter = ["status", "error_code"]
    list_select_related = ["notification"]
    search_fields = ["=msgid"]
    date_hierarchy = "created_at"
    fields = [
        "notification",
        "status",
        "attempts",
        "msgid",
        "error_code",
        "error_message",
        "created_at",
        "updated_at",
        "sent_at",
        "next_attempt_at",
    ]
    readonly_fields = fields


@admin.register(WechatBinding)
class WechatBindingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "bound_at", "subscribed", "notify_by"]
    list_filter = ["subscribed", "notify_by"]
    list_select_related = ["user"]
    fields = ["user", "bound_at", "subscribed", "subscription_changed_at", "notify_by"]
    readonly_fields = fields
