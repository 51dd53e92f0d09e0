"""Residence registration (居住登记) and its transition log."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from applicants.models import Identity
from core import page_cache
from core.fsm import TransitionLogBase, TransitionLoggedMixin, VersionedModel
from core.uploads import private_upload_to

from ..constants import Basis, RegistrationState
from .page_accounts import identity_accounts
from .places import House, Station


@page_cache.watch
class ResidenceRegistration(TransitionLoggedMixin, VersionedModel):
    """Residence registration (居住登记) of a person at a house, reviewed by its station."""

    transition_log_model = "permits.RegistrationTransition"
    transition_log_fk = "registration"

    person = models.ForeignKey(
        Identity,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="registrations"
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="registrations",
        help_text=_("Always the house's station; set from the house, never chosen."),
    )
    since = models.DateField(_("living here since"))
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    proof = models.FileField(
        _("proof document"),
        upload_to=private_upload_to,
        blank=True,
        help_text=_("Empty when the lessor's confirmation stands for the lease."),
    )
    state = FSMField(
        _("state"),
        default=RegistrationState.SUBMITTED,
        choices=RegistrationState.choices,
        protected=True,
        db_index=True,
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    cancelled_on = models.DateField(_("moved away on"), null=True, blank=True)
    rejection_note = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("residence registration (居住登记)")
        verbose_name_plural = _("residence registrations (居住登记)")
        indexes = [models.Index(fields=["station", "state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=[RegistrationState.SUBMITTED, RegistrationState.REGISTERED]),
                name="registration_one_open_per_person",
            )
        ]
        permissions = [("review_registration", _("Can register or reject residence"))]

    def __str__(self) -> str:
        return f"{self.person} @ {self.house}"

    def page_accounts(self):
        return identity_accounts(self, "person")

    @classmethod
    def page_accounts_of(cls, rows):
        return [rows.values("person__account_id")]

    def save(self, *args, **kwargs):
        self.station_id = self.house.station_id
        super().save(*args, **kwargs)

    @transition(
        field=state,
        source=RegistrationState.SUBMITTED,
        target=RegistrationState.REGISTERED,
        permission="permits.review_registration",
    )
    def register(self, *, by, note=""):
        self.registered_at = timezone.now()

    @transition(
        field=state,
        source=RegistrationState.SUBMITTED,
        target=RegistrationState.REJECTED,
        permission="permits.review_registration",
    )
    def reject(self, *, by, note=""):
        self.rejection_note = note

    @transition(
        field=state, source=RegistrationState.REGISTERED, target=RegistrationState.CANCELLED
    )
    def cancel(self, *, by, moved_on, note=""):
        self.cancelled_on = moved_on


class RegistrationTransition(TransitionLogBase):
    registration = models.ForeignKey(
        ResidenceRegistration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("registration transition")
        verbose_name_plural = _("registration transitions")
