import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin

from .backends import masked
from .models import Notification, SmsMessage


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Records of what was said to applicants: looked at, never edited in the admin."""


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "phone",
        "status",
        "attempts",
        "error_code",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "error_code"]
    search_fields = ["=provider_id", "=idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = False
    fields = [
        "phone",
        "text",
        "status",
        "attempts",
        "provider_id",
        "error_code",
        "error_message",
        "idempotency_key",
        "notification",
        "created_at",
        "updated_at",
        "sent_at",
        "next_attempt_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("recipient phone"), ordering="recipient_phone")
    def phone(self, obj):
        return masked(obj.recipient_phone)

    @admin.display(description=_("text"))
    def text(self, obj):
        # An SMS without an inbox entry (a phone code) carries a secret: its digits are hidden.
        if obj.notification_id is None:
            return re.sub(r"\d", "•", obj.body)
        return obj.body


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["=event_key"]
    date_hierarchy = "created_at"
    fields = [
        "recipient",
        "kind",
        "title",
        "body",
        "link",
        "event_key",
        "related_type",
        "related_id",
        "created_at",
        "read_at",
    ]
    readonly_fields = fields
