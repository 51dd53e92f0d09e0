import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from applicants.models import Identity
from core.fsm import TransitionLogBase, TransitionLoggedMixin
from core.uploads import private_upload_to

from .constants import (
    HELD_PERMIT_STATUSES,
    OPEN_APPLICATION_STATES,
    WITHDRAWABLE_STATES,
    ApplicationRejectionReason,
    ApplicationState,
    Basis,
    CardSerialStatus,
    DeliveryMethod,
    PermitStatus,
    RegistrationState,
    ReplacementReason,
    Service,
)
from .scoping import is_supervisor, station_id_of


class Station(models.Model):
    """A police station (派出所): it reviews the registrations and applications of its houses."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    window_hours = models.CharField(
        _("window hours"), max_length=200, help_text=_("e.g. Mon-Fri 9:00-12:00, 14:00-17:30")
    )
    offers_mail = models.BooleanField(_("offers mail delivery"), default=True)

    class Meta:
        verbose_name = _("police station (派出所)")
        verbose_name_plural = _("police stations (派出所)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffAssignment(models.Model):
    """A staff account's station. Officers and clerks have one; supervisors need none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        related_name="staff_assignment",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")

    def __str__(self) -> str:
        return f"{self.user} @ {self.station}"


def new_house_code() -> str:
    return uuid.uuid4().hex[:12].upper()


class House(models.Model):
    """An address in the city with its house code (门牌码, seed 004) and its station."""

    code = models.CharField(
        _("house code"), max_length=32, unique=True, default=new_house_code, editable=True
    )
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=60, blank=True)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="houses"
    )

    class Meta:
        verbose_name = _("house (门牌)")
        verbose_name_plural = _("houses (门牌)")
        ordering = ["address"]

    def __str__(self) -> str:
        return f"{self.address} [{self.code}]"


class ResidenceRegistration(TransitionLoggedMixin, ConcurrentTransitionMixin, models.Model):
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
    proof = models.FileField(_("proof document"), upload_to=private_upload_to)
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


# --- Permits, applications and materials (issue 5) -------------------------------------------


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


def new_pickup_code() -> str:
    """The token behind the pickup QR code: random, 128 bits, never derived from the reference."""
    return secrets.token_urlsafe(16)


class StaffPermission:
    """A transition permission for police staff: the Django permission AND the row's station
    (officers and clerks act for their own station; supervisors everywhere, review.scoping)."""

    def __init__(self, perm: str):
        self.perm = perm

    def __call__(self, instance, user) -> bool:

        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        if not user.has_perm(self.perm):
            return False
        if getattr(instance, "filed_by_id", None) == user.pk:
            return False  # never one's own application (separation of duties)
        return is_supervisor(user) or station_id_of(user) == instance.station_id

    def __repr__(self) -> str:
        return f"StaffPermission({self.perm!r})"


def is_filer(instance, user) -> bool:
    """A transition permission: only the account that filed the application (self or agent)."""
    return bool(user and user.is_authenticated and user.pk == instance.filed_by_id)


class MaterialRequirement(models.Model):
    """The materials catalogue (seed 001 Art. 9, seed 002): what to upload per service and basis.

    Loaded by a data migration, editable in the admin. An empty basis means "any basis"."""

    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    basis = models.CharField(
        _("basis"),
        max_length=20,
        choices=Basis.choices,
        blank=True,
        help_text=_("Empty: required whatever the basis."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("what counts (Chinese)"), blank=True)
    description_en = models.TextField(_("what counts (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("material requirement")
        verbose_name_plural = _("materials catalogue")
        ordering = ["service", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "basis", "code"], name="material_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()}: {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def description(self) -> str:
        zh = (get_language() or "").startswith("zh")
        return (self.description_zh if zh else self.description_en) or self.description_zh


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

    @property
    def is_usable(self) -> bool:
        return self.status == PermitStatus.ACTIVE

    @transition(field=status, source=PermitStatus.ACTIVE, target=PermitStatus.SUSPENDED)
    def suspend(self, *, by=None, note="", on=None):
        """One permit at a time (the daily job suspends in bulk: see tasks/services)."""
        self.suspended_on = on or timezone.localdate()

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
        target=PermitStatus.ACTIVE,
    )
    def endorse(self, *, by, endorsed_on, applied_on=None, note=""):
        """On time: one more year. Late: restored, one year from ``endorsed_on``, residence
        counted from it (rules.endorse, seeds 002, 003)."""
        from . import rules

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
    def report_lost(self, *, by, note=""):
        pass

    @transition(
        field=status,
        source=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED, PermitStatus.LOST],
        target=RETURN_VALUE(PermitStatus.ACTIVE, PermitStatus.SUSPENDED),
    )
    def replace_card(self, *, by, new_serial, reason, on, note=""):
        """A new card: the old serial is invalidated (a lost card can no longer be used)."""
        CardSerial.objects.filter(permit=self, serial=self.card_serial).update(
            status=CardSerialStatus.INVALIDATED, invalidated_on=on, invalidated_reason=reason
        )
        self.card_serial = new_serial
        CardSerial.objects.create(permit=self, serial=new_serial, issued_on=on)
        if self.valid_until < on:
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


def _person_is_verified(application) -> bool:
    return application.person.is_verified


def _required_materials_present(application) -> bool:
    return not application.missing_required_codes()


def _flagged_items_reuploaded(application) -> bool:
    return not application.flagged_items_not_reuploaded()


def _no_delivery_chosen(application) -> bool:
    return not application.delivery_method


def _ready_to_mail(application) -> bool:
    if application.delivery_method != DeliveryMethod.MAIL:
        return False
    return not application.needs_old_card or application.old_card_received_at is not None


def _old_card_not_received(application) -> bool:
    return application.old_card_received_at is None


class PermitApplication(TransitionLoggedMixin, ConcurrentTransitionMixin, models.Model):
    """One application for one of the four services (seed 002), from draft to the card in hand.

    Every state change is a transition below; the services in ``permits.services.applications``
    check who may act (``has_transition_perm``) and do the cross-model work."""

    transition_log_model = "permits.ApplicationTransition"
    transition_log_fk = "application"

    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
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
    def needs_old_card(self) -> bool:
        """Renewal and change rewrite the old card (seed 002 ④); a replacement needs none."""
        return self.service in (Service.RENEWAL, Service.CHANGE)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_APPLICATION_STATES

    @property
    def is_withdrawable(self) -> bool:
        return self.state in WITHDRAWABLE_STATES

    def requirements(self):
        qs = MaterialRequirement.objects.filter(service=self.service, active=True)
        return qs.filter(Q(basis="") | Q(basis=self.basis)).order_by("order", "code")

    def current_materials(self):
        return self.materials.filter(superseded=False).select_related("requirement")

    def missing_required_codes(self) -> list[str]:
        uploaded = set(self.current_materials().values_list("requirement__code", flat=True))
        return [r.code for r in self.requirements() if r.required and r.code not in uploaded]

    def reuploaded_codes_since(self, moment) -> set[str]:
        if moment is None:
            return set()
        return set(
            self.materials.filter(uploaded_at__gt=moment).values_list(
                "requirement__code", flat=True
            )
        )

    def flagged_items_not_reuploaded(self) -> list[str]:
        """Flagged codes that need a new upload (an item flagged as a missing optional
        material or an answer needs none if no upload step exists for it)."""
        steps = set(self.requirements().values_list("code", flat=True))
        done = self.reuploaded_codes_since(self.supplement_requested_at)
        return [c for c in self.flagged_codes() if c in steps and c not in done]

    def flagged_codes(self) -> list[str]:
        return [item["code"] for item in self.flagged_items or []]

    # --- transitions (called by services only; never set state by hand) --------------------
    @transition(
        field=state,
        source=ApplicationState.DRAFT,
        target=ApplicationState.SUBMITTED,
        permission=is_filer,
        conditions=[_person_is_verified, _required_materials_present],
    )
    def submit(self, *, by, note=""):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=ApplicationState.SUPPLEMENT_REQUESTED,
        target=RETURN_VALUE(ApplicationState.SUBMITTED, ApplicationState.ACCEPTED),
        permission=is_filer,
        conditions=[_flagged_items_reuploaded],
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

    @transition(
        field=state,
        source=[ApplicationState.SUBMITTED, ApplicationState.ACCEPTED],
        target=ApplicationState.SUPPLEMENT_REQUESTED,
        permission=StaffPermission("permits.request_supplement"),
    )
    def request_supplement(self, *, by, items, note=""):
        """``items``: [{"code", "reason", "note"}], every missing item at once (seed 001)."""
        self.flagged_items = items
        self.supplement_requested_at = timezone.now()
        self.deadline = None  # the clock does not run while waiting for the applicant
        self._transition_log_extra = {"items": items}

    @transition(
        field=state,
        source=ApplicationState.ACCEPTED,
        target=ApplicationState.ACCEPTED,
        permission=StaffPermission("permits.extend_deadline"),
    )
    def extend_deadline(self, *, by, days, reason, note=""):
        self.extension_days += days
        self.extension_reason = reason
        self.extended_by = by
        self.extended_at = timezone.now()
        self.deadline = self.compute_deadline()

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
        conditions=[_no_delivery_chosen],
    )
    def choose_pickup(self, *, by, note=""):
        self.delivery_method = DeliveryMethod.WINDOW
        self.delivery_chosen_at = timezone.now()

    @transition(
        field=state,
        source=ApplicationState.PRODUCED,
        target=RETURN_VALUE(ApplicationState.AWAITING_OLD_CARD, ApplicationState.PRODUCED),
        permission=is_filer,
        conditions=[_no_delivery_chosen],
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
        conditions=[_old_card_not_received],
    )
    def record_old_card_received(self, *, by, note=""):
        self.old_card_received_at = timezone.now()

    @transition(
        field=state,
        source=[ApplicationState.PRODUCED, ApplicationState.AWAITING_OLD_CARD],
        target=ApplicationState.MAILED,
        permission=StaffPermission("permits.mail_certificate"),
        conditions=[_ready_to_mail],
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
        permission=StaffPermission("permits.hand_over_certificate"),
    )
    def record_collected(self, *, by, by_agent=False, note=""):
        self.completed_at = timezone.now()
        self.collected_by_agent = by_agent

    # --- the clock ------------------------------------------------------------------------
    def compute_deadline(self):
        """15 days from acceptance (+ days paused) then the extension, in the configured
        day mode (rules.py, seed 001 Art. 9)."""
        from . import rules

        if self.accepted_at is None:
            return None
        mode = rules.configured_day_mode()
        accepted_on = timezone.localdate(self.accepted_at)
        due = rules.decision_deadline(accepted_on, mode=mode, paused_days=self.paused_days)
        if self.extension_days:
            due = rules.extended_deadline(due, self.extension_days, mode=mode)
        return due


# Plain words for the applicant's timeline, one per transition name.
TIMELINE_LABELS = {
    "submit": _("You submitted the application."),
    "resubmit": _("You sent the requested material."),
    "withdraw": _("The application was withdrawn."),
    "accept": _("The station accepted the application (受理)."),
    "request_supplement": _("The station asked for more material (listed below)."),
    "extend_deadline": _("The decision deadline was extended."),
    "approve": _("The application was approved."),
    "reject": _("The application was rejected."),
    "mark_produced": _("Your certificate is ready (制证完成). Choose pickup or mail."),
    "choose_pickup": _("You chose to pick up the certificate at the station window."),
    "choose_mail": _("You chose to receive the certificate by mail."),
    "record_old_card_received": _("The station received your old card."),
    "record_mailed": _("The station mailed your certificate."),
    "record_delivered": _("Your certificate was delivered."),
    "record_collected": _("The certificate was collected at the window."),
}


class ApplicationTransition(TransitionLogBase):
    application = models.ForeignKey(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    items = models.JSONField(
        _("items flagged"),
        default=list,
        blank=True,
        help_text=_("For a request for more material: every item with its reason."),
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")

    @property
    def label(self) -> str:
        """What happened, in plain words for the applicant's timeline."""
        return str(TIMELINE_LABELS.get(self.transition, self.transition))


class Material(models.Model):
    """One upload for one requirement. A re-upload supersedes, never replaces: the reviewer
    sees every version."""

    application = models.ForeignKey(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    requirement = models.ForeignKey(
        MaterialRequirement,
        verbose_name=_("requirement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=private_upload_to)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    superseded = models.BooleanField(_("superseded by a later upload"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["application", "requirement__order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement", "version"], name="material_version_unique"
            ),
            models.UniqueConstraint(
                fields=["application", "requirement"],
                condition=Q(superseded=False),
                name="material_one_current_per_requirement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code} v{self.version}"
