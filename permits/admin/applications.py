"""Admin for the materials catalogue (editable) and read-only views of the transition logs. The
applications and permits themselves are registered by ``review.admin`` (issue 7: the officers'
and clerks' desk), which reuses the inlines below.
Nothing here can change a state: every act goes through permits.services."""

from django.contrib import admin

from core.admin_mixins import ReadOnlyAdminMixin
from permits.admin.mixins import StationScopedAdminMixin
from permits.models import (
    ApplicationTransition,
    CardSerial,
    Material,
    MaterialRequirement,
    PermitTransition,
)


@admin.register(MaterialRequirement)
class MaterialRequirementAdmin(admin.ModelAdmin):
    list_display = ["service", "basis", "code", "name_zh", "name_en", "required", "order", "active"]
    list_filter = ["service", "basis", "required", "active"]
    list_editable = ["required", "order", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["service", "order", "code"]


class ApplicationTransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationTransition
    fields = ["created_at", "transition", "from_state", "to_state", "actor", "note", "items"]
    readonly_fields = fields
    extra = 0
    ordering = ["created_at", "pk"]


class MaterialInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Material
    fields = ["requirement", "version", "superseded", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0


class CardSerialInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CardSerial
    fields = ["serial", "issued_on", "status", "invalidated_on", "invalidated_reason"]
    readonly_fields = fields
    extra = 0


class PermitTransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PermitTransition
    fields = ["created_at", "transition", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(ReadOnlyAdminMixin, StationScopedAdminMixin, admin.ModelAdmin):
    station_field = "application__station"
    list_display = ["created_at", "application", "transition", "from_state", "to_state", "actor"]
    list_filter = ["transition"]
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(PermitTransition)
class PermitTransitionAdmin(ReadOnlyAdminMixin, StationScopedAdminMixin, admin.ModelAdmin):
    station_field = "permit__station"
    list_display = ["created_at", "permit", "transition", "from_state", "to_state", "actor"]
    list_filter = ["transition"]
    list_select_related = ["permit", "actor"]
    search_fields = ["permit__number"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
