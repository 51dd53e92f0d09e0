"""Accounts in the admin (supervisors only). Identity verification is a review desk: see
``review.admin.identities``."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["masked_phone", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["phone", "display_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["phone", "password", "display_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "password1", "password2"]}),
    ]

    @admin.display(description=_("mobile phone"), ordering="phone")
    def masked_phone(self, obj):
        return obj.masked_phone

    # --- who sees accounts (issue 11) -------------------------------------------------------
    # Officers and clerks meet accounts only through the identities and applications they
    # review; the account pages (phone, last login, groups) and the account search are for
    # supervisors (and superusers). The admin autocomplete, used to assign staff to a station,
    # answers staff accounts only.

    def _sees_accounts(self, request) -> bool:
        """Supervisors and superusers: only their role holds ``applicants.view_user``."""
        return request.user.has_perm("applicants.view_user")

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._sees_accounts(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._sees_accounts(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._sees_accounts(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._sees_accounts(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._sees_accounts(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self._sees_accounts(request):
            return queryset.none()
        return queryset

    def history_view(self, request, object_id, extra_context=None):
        # Django looks the object up before checking permissions; refuse first so that the
        # answer does not depend on whether the account exists.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if self._is_autocomplete(request):
            queryset = queryset.filter(is_staff=True)
        return queryset, may_have_duplicates

    def _is_autocomplete(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        return (
            match is not None
            and match.url_name == "autocomplete"
            and self.admin_site.name in match.namespaces
        )
