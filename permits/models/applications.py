"""The permit application (one of the five services) and its state machine."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from applicants.models import Identity
from core import page_cache
from core.fsm import TransitionLoggedMixin, VersionedModel

from .. import service_types
from ..constants import (
    OPEN_APPLICATION_STATES,
    STATION_QUEUE_STATES,
    WITHDRAWABLE_STATES,
    ApplicationRejectionReason,
    ApplicationState,
    Basis,
    DeliveryMethod,
)
from .access import (
    StaffPermission,
    flagged_items_reuploaded,
    is_filer,
    new_pickup_code,
    no_delivery_chosen,
    old_card_not_received,
    person_is_verified,
    ready_to_mail,
    required_materials_present,
)
from .materials import ApplicationMaterialsMixin
from .page_accounts import identity_accounts
from .permits import ResidencePermit
from .places import Station
from .registrations import ResidenceRegistration


@page_cache.watch
class PermitApplication(
    ApplicationMaterialsMixin,
    TransitionLoggedMixin,
    VersionedModel,
):
    """One application for one of the five services (seed 002), from draft to the card in hand.

    Every state change is a transition below; the services in ``permits.services.applications``
    check who may act (``has_transition_perm``) and do the cross-model work."""

    transition_log_model = "permits.ApplicationTransition"
    transition_log_fk = "application"

    service = models.CharField(_("service"), max_length=20, choices=service_types.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="permit_applications",
    )
    person = models.ForeignKey(
        Identity,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="permit_applications",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("The station of the person's registered house; set, never chosen."),
    )
    agency = models.ForeignKey(
        "permits.Agency",
        verbose_name=_("applied at (community service agency)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_(
            "Empty: at the station. An agency of the station the applicant chose; its staff "
            "receive and accept the case, the station's officers decide it."
        ),
    )
    pickup_at_agency = models.BooleanField(
        _("collected at the agency"),
        default=False,
        help_text=_("Window pickup at the agency it was filed at, not at the station."),
    )
    registration = models.ForeignKey(
        ResidenceRegistration,
        verbose_name=_("residence registration"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices, blank=True)
    permit = models.ForeignKey(
        ResidencePermit,
        verbose_name=_("permit"),
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
        help_text=_("The permit renewed, changed or replaced; for a new permit, the one issued."),
    )
    reference = models.CharField(
        _("reference"), max_length=30, unique=True, null=True, blank=True, editable=False
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    is_late = models.BooleanField(
        _("filed late"),
        default=False,
        help_text=_("A change filed more than 30 days after it happened (still accepted)."),
    )
    state = FSMField(
        _("state"),
        default=ApplicationState.DRAFT,
        choices=ApplicationState.choices,
        protected=True,
    )
    # stage timestamps
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("last resubmitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    produced_at = models.DateTimeField(_("produced at"), null=True, blank=True)
    delivery_chosen_at = models.DateTimeField(_("delivery chosen at"), null=True, blank=True)
    old_card_received_at = models.DateTimeField(_("old card received at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("collected or delivered at"), null=True, blank=True)

    # the statutory clock (seed 001 Art. 9): 15 days from acceptance, paused while waiting for
    # the applicant, extended by at most 30 days
    deadline = models.DateField(_("decision due by"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused waiting for the applicant"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)

    # the one-time notice (一次性告知): the items flagged by the last supplement request
    supplement_requested_at = models.DateTimeField(
        _("more material requested at"), null=True, blank=True
    )
    flagged_items = models.JSONField(_("items flagged"), default=list, blank=True)

    rejection_reason = models.CharField(
        _("rejection reason"), max_length=30, choices=ApplicationRejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("rejection details"), blank=True)

    # after production (seed 002 step ④)
    new_card_serial = models.CharField(_("new card serial"), max_length=30, blank=True)
    delivery_method = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    mail_recipient_name = models.CharField(_("recipient name"), max_length=60, blank=True)
    mail_address = models.CharField(_("mailing address"), max_length=200, blank=True)
    mail_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    pickup_code = models.CharField(
        _("pickup code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Random token shown as a QR code for the window pickup."),
    )
    collected_by_agent = models.BooleanField(_("collected by the agent"), default=False)

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["station", "state", "deadline"]),
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["service", "state"]),
            models.Index(fields=["filed_by", "-created_at"]),
            models.Index(fields=["person", "service", "state"]),
            models.Index(fields=["permit", "state"]),
            # The station's queue, in its order (deadline, nulls last, then submitted): read 50
            # rows in order instead of sorting every open application (issue 18: 8.7 -> 0.5 ms
            # on 100,000 applications).
            models.Index(
                fields=["station", "deadline", "submitted_at", "id"],
                condition=Q(state__in=STATION_QUEUE_STATES),
                name="application_station_queue",
            ),
        ]
        constraints = [
            # One open application (draft to approval) per person: two submits, two tabs or two
            # agents can never open a second one.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=OPEN_APPLICATION_STATES),
                name="application_one_open_per_person",
            )
        ]
        permissions = [
            ("accept_application", _("Can accept applications (受理)")),
            ("request_supplement", _("Can request more material (一次性告知)")),
            ("approve_application", _("Can approve applications")),
            ("reject_application", _("Can reject applications")),
            ("extend_deadline", _("Can extend an application's deadline")),
            ("produce_certificate", _("Can mark certificates produced (制证完成)")),
            ("receive_old_card", _("Can record an old card received by mail")),
            ("mail_certificate", _("Can record a certificate mailed")),
            ("record_delivery", _("Can record a certificate delivered")),
            ("hand_over_certificate", _("Can hand over a certificate at the window")),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    # --- derived --------------------------------------------------------------------------
    @property
    def service_type(self) -> service_types.ServiceType:
        """What the service is (``permits.service_types``): its answers, hooks and papers."""
        return service_types.get(self.service)

    def page_accounts(self):
        """The account that filed it and the person's own (core.page_cache)."""
        return [self.filed_by_id, *identity_accounts(self, "person")]

    @classmethod
    def page_accounts_of(cls, rows):
        """The same for every application of ``rows``, as subqueries (one UPDATE)."""
        return [rows.values("filed_by_id"), rows.values("person__account_id")]

    @property
    def needs_old_card(self) -> bool:
        """Renewal and change rewrite the old card (seed 002 ④); a replacement needs none."""
        return self.service_type.rewrites_card

    @property
    def hands_in_card(self) -> bool:
        """The card held is handed in when the new one is collected (a damaged card)."""
        return self.service_type.card_handed_in(self)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_APPLICATION_STATES

    @property
    def is_withdrawable(self) -> bool:
        return self.state in WITHDRAWABLE_STATES

    # --- transitions (called by services only; never set state by hand) --------------------
    @transition(
        field=state,
        source=ApplicationState.DRAFT,
        target=RETURN_VALUE(ApplicationState.SUBMITTED, ApplicationState.AWAITING_CARD_RETURN),
        permission=is_filer,
        conditions=[person_is_verified, required_materials_present],
    )
    def submit(self, *, by, note=""):
        """To the station; a service that takes the card back (a cancellation) goes straight to
        the card's return: nothing to accept or produce."""
        self.submitted_at = timezone.now()
        return self.service_type.submit_target(self)

    @transition(
        field=state,
        source=ApplicationState.SUPPLEMENT_REQUESTED,
        target=RETURN_VALUE(ApplicationState.SUBMITTED, ApplicationState.ACCEPTED),
        permission=is_filer,
        conditions=[flagged_items_reuploaded],
    )
    def resubmit(self, *, by, paused_days=0, note=""):
        """Back to the officer. If the application had been accepted, the clock restarts where
        it stopped: the days spent waiting for the applicant are added to the deadline."""
        self.resubmitted_at = timezone.now()
        if self.accepted_at is None:
            return ApplicationState.SUBMITTED
        self.paused_days += paused_days
        self.deadline = self.compute_deadline()
        return ApplicationState.ACCEPTED

    @transition(
        field=state,
        source=list(WITHDRAWABLE_STATES),
        target=ApplicationState.WITHDRAWN,
        permission=is_filer,
    )
    def withdraw(self, *, by, note=""):
        self.withdrawn_at = timezone.now()
        self.deadline = None

    @transition(
        field=state,
        source=ApplicationState.SUBMITTED,
        target=ApplicationState.ACCEPTED,
        permission=StaffPermission("permits.accept_application"),
    )
    def accept(self, *, by, note=""):
        self.accepted_at = timezone.now()
        self.accepted_by = by
        self.deadline = self.compute_deadline()

    @transition(field=state, source=ApplicationState.SUBMITTED, target=ApplicationState.ACCEPTED)
    def deem_accepted(self, *, by=None, note=""):
        """Administrative Licensing Law Art. 32 (rules.is_deemed_accepted): no acceptance and no
        notice within the statutory working days, so the submission counts as accepted on the
        day it was received, the clock running from that day. The system's act (run with
        ``check_permission=False``), by the daily job in bulk or by an officer's act first."""
        self.accepted_at = self.received_at
        self.accepted_by = None
        self.deadline = self.compute_deadline()

    @property
    def received_at(self):
        """When the station last received the submission (a resubmission counts anew)."""
        return self.resubmitted_at or self.submitted_at

    @transition(
        field=state,
        # Regulations Art. 9, Administrative Licensing Law Art. 32: the one-time notice comes
        # before acceptance; after it the officer approves, rejects or a supervisor extends.
        source=ApplicationState.SUBMITTED,
        target=ApplicationState.SUPPLEMENT_REQUESTED,
        permission=StaffPermission("permits.request_supplement"),
    )
    def request_supplement(self, *, by, items, note=""):
        """``items``: [{"code", "reason", "note"}], every missing item at once (seed 001)."""
        self.flagged_items = items
        self.supplement_requested_at = timezone.now()
        self.deadline = None  # the clock does not run while waiting for the applicant

    @transition(
        field=state,
        # the clock runs from acceptance to production (seed 001 Art. 9: "issued" within 15 days)
        source=[ApplicationState.ACCEPTED, ApplicationState.APPROVED],
        target=RETURN_VALUE(ApplicationState.ACCEPTED, ApplicationState.APPROVED),
        permission=StaffPermission("permits.extend_deadline"),
    )
    def extend_deadline(self, *, by, days, reason, note=""):
        self.extension_days += days
        self.extension_reason = reason
        self.extended_by = by
        self.extended_at = timezone.now()
        self.deadline = self.compute_deadline()
        return self.state

    @transition(
        field=state,
        source=ApplicationState.ACCEPTED,
        target=ApplicationState.APPROVED,
        permission=StaffPermission("permits.approve_application"),
    )
    def approve(self, *, by, note=""):
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=state,
        source=[
            ApplicationState.SUBMITTED,
            ApplicationState.SUPPLEMENT_REQUESTED,
            ApplicationState.ACCEPTED,
        ],
        target=ApplicationState.REJECTED,
        permission=StaffPermission("permits.reject_application"),
    )
    def reject(self, *, by, reason, note=""):
        self.rejection_reason = reason
        self.rejection_note = note
        self.decided_at = timezone.now()
        self.decided_by = by
        self.deadline = None

    @transition(
        field=state,
        source=ApplicationState.APPROVED,
        target=ApplicationState.PRODUCED,
        permission=StaffPermission("permits.produce_certificate"),
    )
    def mark_produced(self, *, by, note=""):
        """The service has issued or updated the permit and set ``new_card_serial``."""
        self.produced_at = timezone.now()
        self.pickup_code = new_pickup_code()

    @transition(
        field=state,
        source=ApplicationState.PRODUCED,
        target=ApplicationState.AWAITING_PICKUP,
        permission=is_filer,
        conditions=[no_delivery_chosen],
    )
    def choose_pickup(self, *, by, note=""):
        self.delivery_method = DeliveryMethod.WINDOW
        self.delivery_chosen_at = timezone.now()

    @transition(
        field=state,
        source=ApplicationState.PRODUCED,
        target=RETURN_VALUE(ApplicationState.AWAITING_OLD_CARD, ApplicationState.PRODUCED),
        permission=is_filer,
        conditions=[no_delivery_chosen],
    )
    def choose_mail(self, *, by, recipient_name, address, phone, note=""):
        """Renewal and change: the old card is mailed in first. Replacement: the station mails
        the new card at once (the state stays "produced" until it is mailed)."""
        self.delivery_method = DeliveryMethod.MAIL
        self.delivery_chosen_at = timezone.now()
        self.mail_recipient_name = recipient_name
        self.mail_address = address
        self.mail_phone = phone
        if self.needs_old_card:
            return ApplicationState.AWAITING_OLD_CARD
        return ApplicationState.PRODUCED

    @transition(
        field=state,
        source=ApplicationState.AWAITING_OLD_CARD,
        target=ApplicationState.AWAITING_OLD_CARD,
        permission=StaffPermission("permits.receive_old_card"),
        conditions=[old_card_not_received],
    )
    def record_old_card_received(self, *, by, note=""):
        self.old_card_received_at = timezone.now()

    @transition(
        field=state,
        source=[ApplicationState.PRODUCED, ApplicationState.AWAITING_OLD_CARD],
        target=ApplicationState.MAILED,
        permission=StaffPermission("permits.mail_certificate"),
        conditions=[ready_to_mail],
    )
    def record_mailed(self, *, by, tracking_number, note=""):
        self.tracking_number = tracking_number
        self.mailed_at = timezone.now()

    @transition(
        field=state,
        source=ApplicationState.MAILED,
        target=ApplicationState.DELIVERED,
        permission=StaffPermission("permits.record_delivery"),
    )
    def record_delivered(self, *, by, note=""):
        self.completed_at = timezone.now()

    @transition(
        field=state,
        source=ApplicationState.AWAITING_PICKUP,
        target=ApplicationState.COLLECTED,
        # an agency's staff hand over only the cards collected at their agency (issue 31)
        permission=StaffPermission("permits.hand_over_certificate", agency_if="pickup_at_agency"),
    )
    def record_collected(self, *, by, by_agent=False, note=""):
        self.completed_at = timezone.now()
        self.collected_by_agent = by_agent

    # --- cancellation (注销, seed 001 procedure 3): the card comes back, the officer completes -
    @transition(
        field=state,
        source=ApplicationState.AWAITING_CARD_RETURN,
        target=ApplicationState.CARD_RETURNED,
        permission=StaffPermission("permits.receive_old_card"),
    )
    def record_card_returned(self, *, by, received_by, note=""):
        """The clerk has the card in hand, received by mail or at the window (``received_by``)."""
        self.old_card_received_at = timezone.now()
        self.delivery_method = received_by

    @transition(
        field=state,
        source=ApplicationState.CARD_RETURNED,
        target=ApplicationState.COMPLETED,
        permission=StaffPermission("permits.approve_application"),
    )
    def complete_cancellation(self, *, by, note=""):
        """The service has cancelled the permit (card invalid) and the registration."""
        now = timezone.now()
        self.decided_at = now
        self.decided_by = by
        self.completed_at = now

    # --- the clock ------------------------------------------------------------------------
    def compute_deadline(self):
        """15 days from acceptance (+ days paused) then the extension, in the configured
        day mode (permits.rules, seed 001 Art. 9)."""
        from .. import rules

        if self.accepted_at is None:
            return None
        mode = rules.configured_day_mode()
        accepted_on = timezone.localdate(self.accepted_at)
        due = rules.decision_deadline(accepted_on, mode=mode, paused_days=self.paused_days)
        if self.extension_days:
            due = rules.extended_deadline(due, self.extension_days, mode=mode)
        return due
