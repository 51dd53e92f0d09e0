"""The lessor's confirmation of a tenant's address (房屋出租人出具的住宿证明; seed 001 procedure 1:
"the homeowner ... and their confirmation of the actual address"; seed 004 Art. 9: "an
accommodation certificate issued by the lessor").

A registration at a rented house names the lessor's phone; the lessor gets a single-use signed
link by SMS, proves the phone with a code, sees the address and the masked tenant, and confirms
or declines. A confirmation belongs to one registration and the house it names: it never
stands for another house."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core import page_cache
from core.fsm import TransitionLogBase, TransitionLoggedMixin, VersionedModel
from core.phones import mask_phone

from ..constants import LessorConfirmationState
from .places import House
from .registrations import ResidenceRegistration


@page_cache.watch
class LessorConfirmation(TransitionLoggedMixin, VersionedModel):
    transition_log_model = "permits.LessorConfirmationTransition"
    transition_log_fk = "confirmation"

    registration = models.ForeignKey(
        ResidenceRegistration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="lessor_confirmations",
    )
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The registration's house: the only address this confirmation speaks for."),
    )
    lessor_phone = models.CharField(_("lessor's phone"), max_length=20)
    lessor_name = models.CharField(_("lessor's name"), max_length=100, blank=True)
    # the link's secret part: a new link (sent again) makes the older one stop working
    link_nonce = models.CharField(max_length=64, editable=False)
    state = FSMField(
        _("state"),
        default=LessorConfirmationState.PENDING,
        choices=LessorConfirmationState.choices,
        protected=True,
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lessor's confirmation")
        verbose_name_plural = _("lessors' confirmations")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{mask_phone(self.lessor_phone)} @ {self.house_id}: {self.state}"

    def page_accounts(self):
        from .registrations import ResidenceRegistration

        registration = self._state.fields_cache.get("registration")
        if registration is not None:
            return registration.page_accounts()
        return [
            ResidenceRegistration.objects.filter(pk=self.registration_id).values(
                "person__account_id"
            )
        ]

    @classmethod
    def page_accounts_of(cls, rows):
        return [rows.values("registration__person__account_id")]

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.lessor_phone)

    @property
    def is_confirmed(self) -> bool:
        return self.state == LessorConfirmationState.CONFIRMED

    @transition(
        field=state,
        source=LessorConfirmationState.PENDING,
        target=LessorConfirmationState.CONFIRMED,
    )
    def confirm(self, *, by, at, lessor_name, note=""):
        self.decided_at = at
        self.lessor_name = lessor_name

    @transition(
        field=state,
        source=LessorConfirmationState.PENDING,
        target=LessorConfirmationState.DECLINED,
    )
    def decline(self, *, by, at, note=""):
        self.decided_at = at


class LessorConfirmationTransition(TransitionLogBase):
    confirmation = models.ForeignKey(
        LessorConfirmation,
        verbose_name=_("lessor's confirmation"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("lessor's confirmation transition")
        verbose_name_plural = _("lessor's confirmation transitions")
