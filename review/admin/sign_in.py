"""Staff sign-in in the admin: a supervisor resets a colleague's second factor (a lost phone)
and unlocks an account locked by failed logins (django-axes). Both are audit-logged.

The second-factor devices themselves are not shown in the admin (their secrets stay out of
every page); the reset is the one way to change them.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from applicants.admin import UserAdmin
from review import audit

User = get_user_model()

RESET_PERMISSION = "otp_totp.delete_totpdevice"  # supervisors (review.roles)
UNLOCK_PERMISSION = "axes.delete_accessattempt"  # supervisors (review.roles)

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class StaffUserAdmin(UserAdmin):
    actions = [*(UserAdmin.actions or []), "reset_second_factor"]

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.has_perm(RESET_PERMISSION)

    @admin.action(
        description=_("Reset the second factor (lost phone: set up again at next login)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        """Delete the selected staff accounts' authenticator and backup codes: their sessions
        and API tokens verified by them stop working, and the next login enrols a new device.
        Never one's own (another supervisor does that)."""
        targets = list(queryset.filter(is_staff=True).exclude(pk=request.user.pk))
        for user in targets:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            audit.log_event("second_factor_reset", request=request, record=user)
        if len(targets) < len(queryset):
            self.message_user(
                request,
                _("Only other staff accounts can be reset; the rest were left alone."),
                messages.WARNING,
            )
        if targets:
            self.message_user(
                request,
                ngettext(
                    "The second factor of %(count)d account was reset.",
                    "The second factor of %(count)d accounts was reset.",
                    len(targets),
                )
                % {"count": len(targets)},
                messages.SUCCESS,
            )


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


try:
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt
except ImportError:  # pragma: no cover - axes is a dependency
    AccessAttemptAdmin = None

if AccessAttemptAdmin is not None and admin.site.is_registered(AccessAttempt):

    class LockoutAdmin(AccessAttemptAdmin):
        actions = [*AccessAttemptAdmin.actions, "unlock"]

        def has_unlock_permission(self, request) -> bool:
            return request.user.has_perm(UNLOCK_PERMISSION)

        @admin.action(description=_("Unlock (forget these failed logins)"), permissions=["unlock"])
        def unlock(self, request, queryset):
            for attempt in queryset:
                audit.log_event(
                    "login_unlocked",
                    request=request,
                    record=attempt,
                    unlocked=audit.masked_login_name(attempt.username),
                    locked_ip=attempt.ip_address,
                )
            count = queryset.count()
            queryset.delete()
            self.message_user(
                request,
                ngettext(
                    "%(count)d locked login was unlocked.",
                    "%(count)d locked logins were unlocked.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )

    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LockoutAdmin)
