"""The residence registration desk: the house's station registers or rejects."""

from django.utils.translation import gettext_lazy as _

from permits.models import ResidenceRegistration
from permits.services import registrations as services

from .. import forms
from .base import Act, Desk


class RegistrationDesk(Desk):
    model = ResidenceRegistration
    stale_message = _(
        "This registration changed since you opened it (someone else acted on it). Nothing was "
        "applied: reload it and check before acting again."
    )
    acts = {
        act.name: act
        for act in [
            Act(
                "register",
                _("Register residence"),
                _("Registered; the applicant is notified."),
                forms.InlineActForm,
                lambda user, obj, **kw: services.register_residence(
                    registration=obj, by=user, **kw
                ),
            ),
            Act(
                "reject",
                _("Reject registration"),
                _("Rejected; the applicant is notified."),
                forms.RegistrationRejectForm,
                lambda user, obj, **kw: services.reject_registration(
                    registration=obj, by=user, **kw
                ),
                danger=True,
            ),
        ]
    }

    def may_act(self, obj, act, user) -> bool:
        return super().may_act(obj, act, user) and services.can_review(user, obj)


REGISTRATION_DESK = RegistrationDesk()
