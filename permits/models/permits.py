"""The residence permit (居住证), every card issued for it, its log, and the number counter."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from applicants.models import Identity
from core import clock, page_cache
from core.fsm import TransitionLogBase, TransitionLoggedMixin

from ..constants import (
    HELD_PERMIT_STATUSES,
    Basis,
    CardSerialStatus,
    PermitStatus,
    ReplacementReason,
)
from .page_accounts import identity_accounts
from .places import House, Station


class Counter(models.Model):
    """A named counter for numbers that must be unique and dense (permit numbers, card serials).

    ``next_value`` locks the row inside the caller's transaction, so two concurrent issues never
    get the same number (PostgreSQL row lock; SQLite serialises writers anyway)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def next_value(cls, name: str) -> int:
        cls.objects.get_or_create(name=name)
        cls.objects.filter(name=name).update(value=F("value") + 1)
        return cls.objects.select_for_update().values_list("value", flat=True).get(name=name)


@page_cache.watch
class ResidencePermit(TransitionLoggedMixin, ConcurrentTransitionMixin, models.Model):
    """A residence permit (居住证). Endorsed once a year; not endorsed in time it is suspended,
    a late endorsement restores it (seeds 002, 003)."""

    transition_log_model = "permits.PermitTransition"
    transition_log_fk = "permit"

    number = models.CharField(_("permit number"), max_length=30, unique=True)
    card_serial = models.CharField(_("current card serial"), max_length=30, unique=True)
    holder = models.ForeignKey(
        Identity, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="permits"
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="permits"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="permits"
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    continuous_since = models.DateField(
        _("residence counted since"),
        help_text=_("Years of residence count continuously from this date (seed 002)."),
    )
    last_endorsed_on = models.DateField(_("last endorsed on"), null=True, blank=True)
    status = FSMField(
        _("status"),
        default=PermitStatus.ACTIVE,
        choices=PermitStatus.choices,
        protected=True,
    )
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("residence permit (居住证)")
        verbose_name_plural = _("residence permits (居住证)")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["valid_until", "status"]),
            models.Index(fields=["station", "status"]),
            # The daily job and its notices find "suspended on this day" through this index.
            models.Index(fields=["status", "suspended_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["holder"],
                condition=Q(status__in=HELD_PERMIT_STATUSES),
                name="permit_one_held_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def page_accounts(self):
        return identity_accounts(self, "holder")

    @classmethod
    def page_accounts_of(cls, rows):
        return [rows.values("holder__account_id")]

    @property
    def is_usable(self) -> bool:
        return self.status == PermitStatus.ACTIVE

    @transition(field=status, source=PermitStatus.ACTIVE, target=PermitStatus.SUSPENDED)
    def suspend(self, *, by=None, note="", on=None):
        """One permit at a time (the daily job suspends in bulk: see tasks/services)."""
        self.suspended_on = on or clock.today()

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
        target=PermitStatus.ACTIVE,
    )
    def endorse(self, *, by, endorsed_on, applied_on=None, note=""):
        """On time: one more year. Late: restored, one year from ``endorsed_on``, residence
        counted from it (rules.endorse, seeds 002, 003)."""
        from .. import rules

        self.valid_until, self.continuous_since = rules.endorse(
            valid_until=self.valid_until,
            continuous_since=self.continuous_since,
            endorsed_on=endorsed_on,
            applied_on=applied_on,
        )
        self.last_endorsed_on = endorsed_on
        self.suspended_on = None

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
        target=RETURN_VALUE(PermitStatus.ACTIVE, PermitStatus.SUSPENDED),
    )
    def change_details(self, *, by, house, basis, note=""):
        self.house = house
        self.station_id = house.station_id
        if basis:
            self.basis = basis
        return self.status

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
        target=PermitStatus.LOST,
    )
    def report_lost(self, *, by, on, note=""):
        """The card stops verifying at once (seed 002): its serial is invalidated now, and stays
        invalid even if the replacement is withdrawn or refused (``restore_after_lost_report``)."""
        CardSerial.objects.filter(
            permit=self, serial=self.card_serial, status=CardSerialStatus.VALID
        ).update(
            status=CardSerialStatus.INVALIDATED,
            invalidated_on=on,
            invalidated_reason=ReplacementReason.LOST,
        )

    @transition(
        field=status,
        source=PermitStatus.LOST,
        target=RETURN_VALUE(PermitStatus.ACTIVE, PermitStatus.SUSPENDED),
    )
    def restore_after_lost_report(self, *, by, on, note=""):
        """The lost-card replacement was withdrawn or refused: back to the status the permit
        would have (rules.status_after_lost_report_withdrawn); the reported card stays invalid."""
        from .. import rules

        status = rules.status_after_lost_report_withdrawn(valid_until=self.valid_until, on=on)
        if status == PermitStatus.SUSPENDED:
            self.suspended_on = self.suspended_on or on
            return PermitStatus.SUSPENDED
        return PermitStatus.ACTIVE

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED, PermitStatus.LOST],
        target=RETURN_VALUE(PermitStatus.ACTIVE, PermitStatus.SUSPENDED),
    )
    def replace_card(self, *, by, new_serial, reason, on, note=""):
        """A new card: the old serial is invalidated (a lost card can no longer be used). A
        new card does not endorse: a permit not endorsed in time stays suspended
        (rules.is_endorsement_overdue, seeds 002, 003)."""
        from .. import rules

        CardSerial.objects.filter(
            permit=self, serial=self.card_serial, status=CardSerialStatus.VALID
        ).update(status=CardSerialStatus.INVALIDATED, invalidated_on=on, invalidated_reason=reason)
        self.card_serial = new_serial
        CardSerial.objects.create(permit=self, serial=new_serial, issued_on=on)
        if rules.is_endorsement_overdue(self.valid_until, on):
            self.suspended_on = self.suspended_on or self.valid_until
            return PermitStatus.SUSPENDED
        return PermitStatus.ACTIVE

    @transition(field=status, source=list(HELD_PERMIT_STATUSES), target=PermitStatus.CANCELLED)
    def cancel(self, *, by, on, note=""):
        self.cancelled_on = on


class CardSerial(models.Model):
    """Every card ever issued for a permit: a verification can tell an old serial is invalid."""

    permit = models.ForeignKey(
        ResidencePermit,
        verbose_name=_("permit"),
        on_delete=models.CASCADE,
        related_name="card_serials",
    )
    serial = models.CharField(_("card serial"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CardSerialStatus.choices,
        default=CardSerialStatus.VALID,
    )
    invalidated_on = models.DateField(_("invalidated on"), null=True, blank=True)
    invalidated_reason = models.CharField(
        _("why invalidated"), max_length=20, choices=ReplacementReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("card serial")
        verbose_name_plural = _("card serials")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.serial


class PermitTransition(TransitionLogBase):
    permit = models.ForeignKey(
        ResidencePermit,
        verbose_name=_("permit"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("permit transition")
        verbose_name_plural = _("permit transitions")
