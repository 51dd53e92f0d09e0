"""Staff sign-in in the admin: a supervisor issues a colleague's one-time second-factor
enrolment link (a new account, or a lost phone: the old device is reset) and unlocks an account
locked by failed logins (django-axes). Both are audit-logged.

The second-factor devices themselves are not shown in the admin (their secrets stay out of
every page); the reset is the one way to change them.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from applicants.admin import UserAdmin
from review import audit
from review.services import second_factor as enrolments

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
        description=_(
            "Issue a second-factor enrolment link (new staff, or a lost phone: the current "
            "authenticator stops working)"
        ),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        """A one-time enrolment link for each selected staff account, shown once on the page
        that follows, to hand over in person: their authenticator and backup codes are deleted
        (their sessions and API tokens verified by them stop working), and only the link sets
        up a new one. Never one's own (another supervisor does that). Audit-logged."""
        targets = list(queryset.filter(is_staff=True).exclude(pk=request.user.pk))
        links = [enrolments.issue_link(user, by=request.user, request=request) for user in targets]
        if len(targets) < len(queryset):
            self.message_user(
                request,
                _("Only other staff accounts can be reset; the rest were left alone."),
                messages.WARNING,
            )
        if not links:
            return None
        return TemplateResponse(
            request,
            "review/second_factor_links.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Second-factor enrolment links"),
                "links": links,
                "minutes": int(enrolments.lifetime().total_seconds() // 60),
                "opts": self.model._meta,
            },
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
