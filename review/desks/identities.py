"""The identity verification desk (实名认证): city-wide, never one's own identity."""

from django.utils.translation import gettext_lazy as _

from applicants import services
from applicants.models import Identity

from .. import forms
from .base import Act, Desk

# The photos an identity carries, as (URL kind of ``applicants:identity_file``, field, label):
# the identity's desk and the application desk show them to the officer.
PHOTOS = [
    ("front", "id_card_front", _("ID card front")),
    ("back", "id_card_back", _("ID card back")),
    ("face", "face_photo", _("face photo")),
    ("proof", "agent_proof", _("proof of the agent relationship")),
]


class IdentityDesk(Desk):
    model = Identity
    stale_message = _(
        "This identity changed since you opened it (someone else acted on it). Nothing was "
        "applied: reload it and check before acting again."
    )
    acts = {
        act.name: act
        for act in [
            Act(
                "verify",
                _("Verify identity"),
                _("Identity verified; the applicant is notified."),
                forms.InlineActForm,
                lambda user, obj, **kw: services.verify_identity(identity=obj, by=user, **kw),
            ),
            Act(
                "reject",
                _("Reject identity"),
                _("Identity rejected; the applicant is notified."),
                forms.IdentityRejectForm,
                lambda user, obj, **kw: services.reject_identity(identity=obj, by=user, **kw),
                danger=True,
            ),
        ]
    }

    def may_act(self, obj, act, user) -> bool:
        # Separation of duties: never a decision on an identity one's own account filed.
        return super().may_act(obj, act, user) and obj.account_id != user.pk


IDENTITY_DESK = IdentityDesk()
