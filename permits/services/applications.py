"""Every act on a permit application, from the draft to the card in hand (seeds 001, 002).

Each service is keyword-only and takes the acting ``user``. It refuses what that user may not do
(``NotAllowed``: the transition's permission, which includes the station scope for staff), what
the state does not allow (``WrongState``), what a rule forbids (``NotEligible``/``RuleRefused``)
and a stale object (``StaleState``: django-fsm ``ConcurrentTransition``), always with a clear,
translatable message, and it changes nothing when it refuses (one ``transaction.atomic()``
around transition, save, side records and notifications; the in-memory object is reloaded).

The login password re-entered on submit (seed 002: "输入登录密码,点击确定") is checked HERE
(``password=``), so the web pages and the API share one check.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import ConcurrentTransition

from core.errors import (
    InvalidInput,
    NotAllowed,
    NotEligible,
    RuleRefused,
    StaleState,
    WrongPassword,
    WrongState,
)
from core.fsm import check_transition, holds_transition_permission, run_transition
from core.masking import mask_id_number
from core.phones import normalize_phone
from notifications.constants import NotificationKind
from notifications.services import notify
from permits import rules
from permits.constants import (
    FINAL_APPLICATION_STATES,
    OPEN_APPLICATION_STATES,
    ApplicationRejectionReason,
    ApplicationState,
    Basis,
    ChangedField,
    PermitStatus,
    RegistrationState,
    ReplacementReason,
    Service,
    SupplementReason,
)
from permits.models import (
    ApplicationTransition,
    Material,
    MaterialRequirement,
    PermitApplication,
    ResidenceRegistration,
)

from . import permits as permit_services


def _validate_upload(file):
    """The one shared upload check (core/uploads.py): JPEG/PNG/WebP or PDF by content,
    size-limited, images re-encoded without metadata. Returns the cleaned ContentFile."""
    from core.uploads import clean_document

    return clean_document(file)


# --- lookups ------------------------------------------------------------------------------------


def current_registration(person) -> ResidenceRegistration | None:
    return (
        ResidenceRegistration.objects.filter(person=person, state=RegistrationState.REGISTERED)
        .select_related("house__station")
        .order_by("-since", "-pk")
        .first()
    )


def open_application(person, *, exclude_pk=None) -> PermitApplication | None:
    qs = PermitApplication.objects.filter(person=person, state__in=OPEN_APPLICATION_STATES)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _today() -> datetime.date:
    return timezone.localdate()


# --- eligibility --------------------------------------------------------------------------------


def check_eligibility(*, user, person, service, today=None, exclude_pk=None) -> list[str]:
    """Every reason, in plain words and in the active language, why ``user`` cannot apply for
    ``service`` for ``person`` today. Empty list: eligible (seed 003 Art. 2, seeds 001, 002)."""
    today = today or _today()
    service = Service(service)
    if person.account_id != getattr(user, "pk", None):
        return [str(_("You can apply only for yourself or for a person you act for as agent."))]
    reasons = []
    if not person.is_verified:
        reasons.append(_("The real-name identity must be verified before applying."))
    registration = current_registration(person)
    if registration is None:
        reasons.append(_("Register the residence in the city first (居住登记)."))
    permit = permit_services.current_permit(person)

    if service == Service.NEW:
        if registration is not None and not rules.has_resided_long_enough(
            registration.since, today
        ):
            months = rules.months_resided(registration.since, today)
            reasons.append(
                ngettext(
                    "Registered for %(months)s month; a new permit needs more than "
                    "%(required)s (possible from %(from)s).",
                    "Registered for %(months)s months; a new permit needs more than "
                    "%(required)s (possible from %(from)s).",
                    months,
                )
                % {
                    "months": months,
                    "required": rules.RESIDENCE_MONTHS_REQUIRED,
                    "from": rules.residence_eligible_from(registration.since).isoformat(),
                }
            )
        if permit is not None:
            reasons.append(
                _("A residence permit is already held; renew, change or replace it instead.")
            )
    elif service == Service.RENEWAL:
        if permit is None or permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
            reasons.append(_("There is no active or suspended residence permit to endorse."))
        else:
            try:
                rules.check_renewal_window(permit.valid_until, today)
            except rules.RuleViolation as violation:
                reasons.append(str(violation))
    elif service == Service.CHANGE:
        if permit is None or permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
            reasons.append(_("There is no residence permit whose details could be changed."))
    elif service == Service.REPLACEMENT and permit is None:
        reasons.append(_("There is no residence permit to replace."))

    other = open_application(person, exclude_pk=exclude_pk)
    if other is not None and not (other.state == ApplicationState.DRAFT and exclude_pk is None):
        reasons.append(
            _("Application %(reference)s (%(service)s) is still in progress.")
            % {"reference": other.reference, "service": Service(other.service).label}
        )
    elif other is not None and other.service != service:
        reasons.append(
            _("A draft for %(service)s exists; submit or withdraw it first.")
            % {"service": Service(other.service).label}
        )
    return [str(r) for r in reasons]


# --- answers ------------------------------------------------------------------------------------


def _clean_answers(service, answers: dict, *, complete: bool) -> dict:
    """The answers each service asks (seed 002): change: what changed, its new value and the
    date; replacement: lost or damaged. ``complete``: every answer must be there (submit)."""
    answers = dict(answers or {})
    cleaned: dict = {}
    missing = []
    if service == Service.CHANGE:
        field = answers.get("changed_field", "")
        if field and field not in ChangedField.values:
            raise InvalidInput(_("Choose what changed: address, employer or school."))
        new_value = str(answers.get("new_value", "")).strip()[:200]
        changed_on = answers.get("changed_on", "")
        if changed_on:
            try:
                day = (
                    changed_on
                    if isinstance(changed_on, datetime.date)
                    else datetime.date.fromisoformat(str(changed_on))
                )
            except ValueError as exc:
                raise InvalidInput(_("Enter the date of the change as YYYY-MM-DD.")) from exc
            try:
                rules.check_change_date(day, _today())
            except rules.RuleViolation as violation:
                raise RuleRefused.from_rule(violation) from violation
            changed_on = day.isoformat()
        cleaned = {"changed_field": field, "new_value": new_value, "changed_on": changed_on}
        missing = [k for k, v in cleaned.items() if not v]
    elif service == Service.REPLACEMENT:
        reason = answers.get("reason", "")
        if reason and reason not in ReplacementReason.values:
            raise InvalidInput(_("Choose whether the card was lost or damaged."))
        cleaned = {"reason": reason}
        missing = [] if reason else ["reason"]
    if complete and missing:
        raise InvalidInput(
            _("Some answers are missing: %(fields)s."), params={"fields": ", ".join(missing)}
        )
    return cleaned


def _check_basis(service, basis) -> str:
    if service in (Service.NEW, Service.RENEWAL) and basis not in Basis.values:
        raise InvalidInput(
            _("Choose one condition: legally stable employment, residence or continuous study.")
        )
    if basis and basis not in Basis.values:
        raise InvalidInput(_("Unknown condition."))
    return basis or ""


# --- the transition runner ---------------------------------------------------------------------


def _fire(
    application: PermitApplication,
    method: str,
    *,
    user,
    before: Callable[[PermitApplication], None] | None = None,
    after: Callable[[PermitApplication], None] | None = None,
    **kwargs,
) -> PermitApplication:
    """Run one transition for ``user`` through ``core.fsm.run_transition``; a statutory rule's
    refusal raised inside comes out as ``RuleRefused``. Any refusal changes nothing."""
    try:
        return run_transition(application, method, user=user, before=before, after=after, **kwargs)
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation


def _check_perm(application, method: str, user) -> None:
    """The transition's permission (role and station scope, or the filer), whatever the state:
    checked before anything else so a refusal never tells an outsider more."""
    if not holds_transition_permission(application, method, user):
        raise NotAllowed()


def _check_password(user, password) -> None:
    if not password or not user.check_password(password):
        raise WrongPassword()


def _require_filer(user, application) -> None:
    if not (user and user.is_authenticated and user.pk == application.filed_by_id):
        raise NotAllowed()


def _last_log(application) -> ApplicationTransition:
    return application.transitions.order_by("-pk").first()


def _context(application, **extra) -> dict:
    context = {
        "name": application.person.full_name,
        "reference": application.reference,
        "service": Service(application.service).label,
    }
    context.update(extra)
    return context


def _notify(application, kind, *, event_key=None, **extra) -> None:
    notify(
        application.filed_by,
        kind,
        _context(application, **extra),
        related=application,
        event_key=event_key,
        link=reverse("permits:application_detail", args=[application.pk]),
    )


def _station_text(station) -> str:
    return f"{station.name}, {station.address} ({station.window_hours})"


# --- applicant: draft, upload, submit, resubmit, withdraw --------------------------------------


def start_application(
    *, user, person, service, basis: str = "", answers: dict | None = None
) -> PermitApplication:
    """Open a draft for ``person`` (self or a dependent). Returns the existing draft of the same
    service rather than a second one. The station is the one of the registered house."""
    service = Service(service)
    if person.account_id != getattr(user, "pk", None):
        raise NotAllowed()
    existing = PermitApplication.objects.filter(
        person=person, service=service, state=ApplicationState.DRAFT
    ).first()
    if existing is not None:
        return existing
    reasons = check_eligibility(user=user, person=person, service=service)
    if reasons:
        raise NotEligible(params={"reasons": " ".join(reasons)}, reasons=reasons)
    registration = current_registration(person)
    permit = None if service == Service.NEW else permit_services.current_permit(person)
    if service == Service.REPLACEMENT or (service == Service.CHANGE and not basis):
        basis = permit.basis
    basis = _check_basis(service, basis)
    try:
        with transaction.atomic():
            application = PermitApplication.objects.create(
                service=service,
                filed_by=user,
                person=person,
                registration=registration,
                station_id=registration.house.station_id,
                basis=basis,
                permit=permit,
                answers=_clean_answers(service, answers or {}, complete=False),
            )
            application.reference = (
                f"{_city_code()}{timezone.localdate(application.created_at).year}"
                f"-{application.pk:06d}"
            )
            application.save(update_fields=["reference"])
    except IntegrityError as exc:  # a concurrent start won (one open application per person)
        raise NotEligible(
            params={"reasons": _("Another application is already in progress.")}
        ) from exc
    return application


def _city_code() -> str:
    from django.conf import settings

    return settings.CITY_CODE


def save_answers(*, user, application, answers: dict | None = None, basis: str | None = None):
    """Edit the draft's answers (and the basis, which decides the proofs asked for)."""
    _require_filer(user, application)
    if application.state != ApplicationState.DRAFT:
        raise WrongState(params={"state": application.get_state_display()})
    fields = []
    if answers is not None:
        merged = {**application.answers, **answers}
        application.answers = _clean_answers(application.service, merged, complete=False)
        fields.append("answers")
    if basis is not None and application.service != Service.REPLACEMENT:
        application.basis = _check_basis(application.service, basis)
        fields.append("basis")
    if fields:
        try:
            application.save(update_fields=[*fields, "updated_at"])
        except ConcurrentTransition as exc:
            application.refresh_from_db()
            raise StaleState() from exc
    return application


def upload_material(*, user, application, requirement_code: str, file) -> Material:
    """Upload one material. In a draft: any step of the application; while more material is
    requested: only the flagged items (seed 001, one-time notice). A re-upload keeps the earlier
    version (superseded) so the reviewer sees what changed."""
    _require_filer(user, application)
    if application.state == ApplicationState.DRAFT:
        allowed = None
    elif application.state == ApplicationState.SUPPLEMENT_REQUESTED:
        allowed = set(application.flagged_codes())
    else:
        raise WrongState(params={"state": application.get_state_display()})
    requirement = application.requirements().filter(code=requirement_code).first()
    if requirement is None:
        raise InvalidInput(_("This application does not ask for that material."))
    if allowed is not None and requirement_code not in allowed:
        raise InvalidInput(_("Only the items listed in the request can be uploaded again."))
    try:
        cleaned = _validate_upload(file)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_upload") from exc
    head = cleaned.read(16)
    cleaned.seek(0)
    from core.uploads import sniff_content_type

    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        if locked.state != application.state:
            raise StaleState()
        previous = (
            Material.objects.filter(application=locked, requirement=requirement)
            .order_by("-version")
            .first()
        )
        Material.objects.filter(
            application=locked, requirement=requirement, superseded=False
        ).update(superseded=True)
        material = Material(
            application=locked,
            requirement=requirement,
            content_type=sniff_content_type(head),
            size=cleaned.size,
            version=(previous.version + 1) if previous else 1,
            uploaded_by=user,
        )
        material.file.save(cleaned.name, cleaned, save=False)
        material.save()
    return material


def submit(*, user, application, password: str) -> PermitApplication:
    """Submit the draft (seed 002 step ②): every answer and required material present, the
    identity verified, still eligible, and the login password re-entered. A second submit of
    the same draft is refused (WrongState, or StaleState if it raced): one submission."""
    _require_filer(user, application)
    _check_password(user, password)
    if application.state != ApplicationState.DRAFT:
        raise WrongState(
            _("This application has already been submitted (%(reference)s)."),
            code="already_submitted",
            params={"reference": application.reference},
        )
    reasons = check_eligibility(
        user=user, person=application.person, service=application.service, exclude_pk=application.pk
    )
    if reasons:
        raise NotEligible(params={"reasons": " ".join(reasons)}, reasons=reasons)
    answers = _clean_answers(application.service, application.answers, complete=True)
    _check_basis(application.service, application.basis)
    missing = application.missing_required_codes()
    if missing:
        names = MaterialRequirement.objects.filter(
            service=application.service, code__in=missing
        ).values_list("name_zh", "name_en")
        raise InvalidInput(
            _("Upload every required material first: %(items)s."),
            code="materials_missing",
            params={"items": ", ".join(sorted({f"{zh} / {en}" for zh, en in names}))},
        )
    today = _today()
    registration = current_registration(application.person)
    if (
        application.service == Service.CHANGE
        and answers["changed_field"] == ChangedField.ADDRESS
        and application.permit is not None
        and registration.house_id == application.permit.house_id
    ):
        raise InvalidInput(
            _(
                "Register your residence at the new address first (居住登记); the change then "
                "moves your permit there."
            ),
            code="new_address_not_registered",
        )

    def before(app):
        app.answers = answers
        app.registration = registration
        app.station_id = registration.house.station_id
        if app.service == Service.CHANGE:
            changed_on = datetime.date.fromisoformat(answers["changed_on"])
            app.is_late = rules.is_change_late(changed_on, today)

    def after(app):
        if app.service == Service.REPLACEMENT and answers["reason"] == ReplacementReason.LOST:
            permit = app.permit
            if permit.status != PermitStatus.LOST:
                permit.report_lost(by=user, note=app.reference)
                permit.save()
        _notify(app, NotificationKind.APPLICATION_SUBMITTED)

    return _fire(application, "submit", user=user, before=before, after=after)


def resubmit(*, user, application, password: str) -> PermitApplication:
    """Send the flagged items back (seed 001). If the application had been accepted, the clock
    resumes: the days spent waiting (counted in the deadline's day mode) extend the deadline."""
    _require_filer(user, application)
    _check_password(user, password)
    if application.state != ApplicationState.SUPPLEMENT_REQUESTED:
        raise WrongState(params={"state": application.get_state_display()})
    pending = application.flagged_items_not_reuploaded()
    if pending:
        raise InvalidInput(
            _("Upload again every item listed in the request first: %(items)s."),
            code="flagged_not_reuploaded",
            params={"items": ", ".join(pending)},
        )
    paused = 0
    if application.accepted_at is not None:
        paused = max(
            0,
            rules.count_days(
                timezone.localdate(application.supplement_requested_at),
                _today(),
                mode=rules.configured_day_mode(),
            ),
        )

    def after(app):
        log = _last_log(app)
        _notify(app, NotificationKind.APPLICATION_SUBMITTED, event_key=f"resubmitted:{log.pk}")

    return _fire(application, "resubmit", user=user, paused_days=paused, after=after)


def withdraw(*, user, application, note: str = "") -> PermitApplication:
    """The applicant withdraws, at any time before approval."""
    return _fire(application, "withdraw", user=user, note=note)


# --- officer: accept, one-time notice, approve, reject; supervisor: extend -----------------------


def accept(*, user, application, note: str = "") -> PermitApplication:
    """受理 (seed 001): the 15-day clock starts (calendar or working days, by setting)."""

    def after(app):
        _notify(app, NotificationKind.APPLICATION_ACCEPTED, deadline=app.deadline)

    return _fire(application, "accept", user=user, note=note, after=after)


def request_supplement(*, user, application, items: list[dict], note: str = ""):
    """The one-time notice (一次性告知, seed 001): every missing or unacceptable item at once,
    each ``{"code": <requirement code>, "reason": <SupplementReason>, "note": "..."}``.
    A further request may only flag items re-uploaded since the previous one."""
    check_transition(application, "request_supplement", user)
    requirements = {r.code: r for r in application.requirements()}
    cleaned, seen = [], set()
    for item in items or []:
        code = str(item.get("code", "")).strip()
        reason = str(item.get("reason", "")).strip()
        item_note = str(item.get("note", "")).strip()[:500]
        if code not in requirements:
            raise InvalidInput(
                _("“%(code)s” is not a material of this application."), params={"code": code}
            )
        if code in seen:
            raise InvalidInput(_("Each item may be listed once."))
        if reason not in SupplementReason.values:
            raise InvalidInput(_("Give a reason for every item."), code="reason_missing")
        if reason == SupplementReason.OTHER and not item_note:
            raise InvalidInput(_("Explain the reason “other” in the note."), code="reason_missing")
        seen.add(code)
        cleaned.append({"code": code, "reason": reason, "note": item_note})
    previous = set(application.flagged_codes()) if application.supplement_requested_at else None
    try:
        rules.check_supplement_request(
            requested={i["code"] for i in cleaned},
            previous_requested=previous,
            reuploaded_since_previous=application.reuploaded_codes_since(
                application.supplement_requested_at
            ),
        )
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation

    def after(app):
        log = _last_log(app)
        lines = []
        for item in cleaned:
            requirement = requirements[item["code"]]
            line = f"{requirement.name}: {SupplementReason(item['reason']).label}"
            if item["note"]:
                line += f" ({item['note']})"
            lines.append(line)
        _notify(
            app,
            NotificationKind.SUPPLEMENT_REQUESTED,
            event_key=f"supplement:{log.pk}",
            items=lines,
            reason=note,
        )

    return _fire(
        application, "request_supplement", user=user, items=cleaned, note=note, after=after
    )


def approve(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        _notify(app, NotificationKind.APPLICATION_APPROVED)

    return _fire(application, "approve", user=user, note=note, after=after)


def reject(*, user, application, reason: str, note: str = "") -> PermitApplication:
    """Rejection states its reason (seed 002 ③, 004: information that does not match reality
    means no certificate)."""
    _check_perm(application, "reject", user)
    if reason not in ApplicationRejectionReason.values:
        raise InvalidInput(_("Choose the reason for the rejection."))
    if reason == ApplicationRejectionReason.OTHER and not (note or "").strip():
        raise InvalidInput(_("Explain the reason “other” in the note."))

    def after(app):
        text = str(ApplicationRejectionReason(reason).label)
        _notify(
            app,
            NotificationKind.APPLICATION_REJECTED,
            reason=f"{text} {note}".strip() if note else text,
        )

    return _fire(application, "reject", user=user, reason=reason, note=note, after=after)


def extend_deadline(*, user, application, days: int, reason: str) -> PermitApplication:
    """Seed 001 Art. 9: a supervisor extends the deadline, with a reason, by at most 30 days
    in total."""
    _check_perm(application, "extend_deadline", user)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the extension."), code="reason_missing")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput(_("The extension is a number of days, at least 1."))
    try:
        rules.extended_deadline(
            application.deadline or _today(),
            application.extension_days + days,
            mode=rules.configured_day_mode(),
        )
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation

    def after(app):
        log = _last_log(app)
        _notify(
            app,
            NotificationKind.DEADLINE_EXTENDED,
            event_key=f"extension:{log.pk}",
            deadline=app.deadline,
            reason=reason,
        )

    return _fire(
        application,
        "extend_deadline",
        user=user,
        days=days,
        reason=reason,
        note=reason,
        after=after,
    )


# --- station: production, delivery -------------------------------------------------------------


def _entered_card_serial(application, card_serial: str) -> str:
    """The serial the clerk typed or scanned from the card (issue 7), checked: a new card's
    serial is never used twice; renewal and change rewrite the same card, so its serial, if
    given, must be the permit's current one. Empty: the portal numbers the card itself."""
    from permits.models import CardSerial

    serial = (card_serial or "").strip().upper()
    if not serial:
        return ""
    if len(serial) > 30 or not serial.isalnum():
        raise InvalidInput(_("A card serial is up to 30 letters and digits."), code="bad_serial")
    if application.service in (Service.RENEWAL, Service.CHANGE):
        if application.permit is not None and serial != application.permit.card_serial:
            raise InvalidInput(
                _("Renewal and change rewrite the same card: its serial is %(serial)s."),
                code="serial_mismatch",
                params={"serial": application.permit.card_serial},
            )
        return serial
    if CardSerial.objects.filter(serial=serial).exists():
        raise InvalidInput(
            _("The card serial %(serial)s is already used."),
            code="serial_used",
            params={"serial": serial},
        )
    return serial


def mark_produced(*, user, application, card_serial: str = "", note: str = "") -> PermitApplication:
    """制证完成 (seed 002 ④). The permit side happens here, in the same transaction:
    new -> the permit is issued (number, card serial, one year); renewal -> endorsed (on time:
    one more year; late: restored, one year from today, residence counted from today); change ->
    house, station and basis updated; replacement -> a new card serial, the old one invalidated.
    ``card_serial``: the serial printed on the produced card, entered or scanned by the clerk
    (new and replacement); without it the next serial of the portal's counter is used."""
    today = _today()
    _check_perm(application, "mark_produced", user)
    entered = _entered_card_serial(application, card_serial)

    def before(app):
        service = app.service
        if service == Service.NEW:
            serial = entered or permit_services.next_card_serial()
            app.permit = permit_services.issue_permit(
                by=user,
                holder=app.person,
                house=app.registration.house,
                basis=app.basis,
                issued_on=today,
                card_serial=serial,
            )
        elif service == Service.RENEWAL:
            permit = app.permit
            permit.endorse(
                by=user,
                endorsed_on=today,
                applied_on=timezone.localdate(app.submitted_at),
                note=app.reference,
            )
            permit.save()
            serial = permit.card_serial  # the same card, its chip rewritten
        elif service == Service.CHANGE:
            permit = app.permit
            permit.change_details(
                by=user, house=app.registration.house, basis=app.basis, note=app.reference
            )
            permit.save()
            serial = permit.card_serial
        else:
            permit = app.permit
            serial = entered or permit_services.next_card_serial()
            permit.replace_card(
                by=user,
                new_serial=serial,
                reason=app.answers.get("reason", ReplacementReason.LOST),
                on=today,
                note=app.reference,
            )
            permit.save()
        app.new_card_serial = serial

    def after(app):
        _notify(
            app,
            NotificationKind.CERTIFICATE_PRODUCED,
            station=_station_text(app.station),
            valid_until=app.permit.valid_until,
        )

    return _fire(application, "mark_produced", user=user, before=before, after=after, note=note)


def _refuse_second_choice(application) -> None:
    if application.delivery_method:
        raise WrongState(
            _("The way to receive the certificate has already been chosen."),
            code="delivery_already_chosen",
        )


def choose_pickup(*, user, application) -> PermitApplication:
    """窗口领证: bring the ID card (and the old card for renewal and change) to the station."""
    _require_filer(user, application)
    _refuse_second_choice(application)
    return _fire(application, "choose_pickup", user=user)


def choose_mail(
    *, user, application, recipient_name: str, address: str, phone: str
) -> PermitApplication:
    """邮寄领证: recipient, address and phone; postage collect. Renewal and change: the old card
    is mailed to the station first; a replacement is mailed at once."""
    _require_filer(user, application)
    _refuse_second_choice(application)
    recipient_name = (recipient_name or "").strip()
    address = (address or "").strip()
    if not recipient_name or not address:
        raise InvalidInput(_("Enter the recipient's name and the mailing address."))
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_phone") from exc
    if not application.station.offers_mail:
        raise InvalidInput(
            _("This station does not mail certificates; choose window pickup."),
            code="mail_not_offered",
        )
    return _fire(
        application,
        "choose_mail",
        user=user,
        recipient_name=recipient_name[:60],
        address=address[:200],
        phone=phone,
    )


def record_old_card_received(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        _notify(app, NotificationKind.OLD_CARD_RECEIVED, station=_station_text(app.station))

    return _fire(application, "record_old_card_received", user=user, note=note, after=after)


def record_mailed(*, user, application, tracking_number: str, note: str = ""):
    _check_perm(application, "record_mailed", user)
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise InvalidInput(_("Enter the tracking number."), code="tracking_missing")
    if application.state == ApplicationState.PRODUCED and application.delivery_method != "mail":
        raise WrongState(
            _("The applicant has not chosen delivery by mail."), code="mail_not_chosen"
        )
    if application.state == ApplicationState.AWAITING_OLD_CARD and (
        application.old_card_received_at is None
    ):
        raise WrongState(_("The old card has not been received yet."), code="old_card_not_received")

    def after(app):
        _notify(app, NotificationKind.CERTIFICATE_MAILED, tracking_number=tracking_number)

    return _fire(
        application,
        "record_mailed",
        user=user,
        tracking_number=tracking_number[:40],
        note=note,
        after=after,
    )


def record_delivered(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        _notify(app, NotificationKind.CERTIFICATE_DELIVERED)

    return _fire(application, "record_delivered", user=user, note=note, after=after)


def record_collected(*, user, application, collector_id_number: str, note: str = ""):
    """Handed over at the window to the holder, or to the agent who filed for them: the
    collector's ID number is checked against theirs. The log keeps it masked only."""
    _check_perm(application, "record_collected", user)
    given = (collector_id_number or "").strip().upper()
    person = application.person
    agent_identity = application.filed_by.own_identity if person.is_dependent else None
    if given and given == person.id_number.upper():
        by_agent = False
    elif (
        agent_identity is not None
        and agent_identity.is_verified
        and given == agent_identity.id_number.upper()
    ):
        by_agent = True
    else:
        raise InvalidInput(
            _("This ID number is neither the holder's nor the registered agent's."),
            code="collector_mismatch",
        )
    log_note = " ".join(filter(None, [note, mask_id_number(given)]))

    def after(app):
        _notify(app, NotificationKind.CERTIFICATE_COLLECTED)

    return _fire(
        application, "record_collected", user=user, by_agent=by_agent, note=log_note, after=after
    )


def timeline(application) -> list[dict]:
    """The applicant's timeline in plain words (no staff names): when, what happened, and for a
    request for more material every item with its name and reason."""
    names = {r.code: r.name for r in application.requirements()}
    entries = []
    for log in application.transitions.order_by("created_at", "pk"):
        items = [
            {
                "code": item.get("code", ""),
                "name": names.get(item.get("code", ""), item.get("code", "")),
                "reason": str(SupplementReason(item["reason"]).label)
                if item.get("reason") in SupplementReason.values
                else "",
                "note": item.get("note", ""),
            }
            for item in log.items or []
        ]
        entries.append(
            {"at": log.created_at, "transition": log.transition, "label": log.label, "items": items}
        )
    return entries


__all__ = [
    "FINAL_APPLICATION_STATES",
    "accept",
    "approve",
    "check_eligibility",
    "choose_mail",
    "choose_pickup",
    "extend_deadline",
    "mark_produced",
    "record_collected",
    "record_delivered",
    "record_mailed",
    "record_old_card_received",
    "reject",
    "request_supplement",
    "resubmit",
    "save_answers",
    "start_application",
    "submit",
    "timeline",
    "upload_material",
    "withdraw",
]
