"""The applicant's acts: draft, answers, uploads, submit, resubmit, withdraw, and the choice
of pickup or mail once the certificate is produced."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from applicants.constants import PhoneCodePurpose
from applicants.services.phone_codes import consume_phone_code
from core import clock
from core.errors import InvalidInput, NotAllowed, NotEligible, StaleState, WrongState
from core.phones import normalize_phone
from core.uploads import sniff_content_type
from notifications.constants import NotificationKind
from permits import rules, service_types
from permits.constants import ApplicationState
from permits.models import Material, MaterialRequirement, PermitApplication
from permits.photo_check import check_photo
from permits.selectors.applicant import current_permit, current_registration, draft_of

from .. import ratings as rating_services
from .common import (
    answer_context,
    city_code,
    fire,
    last_log,
    notify_applicant,
    require_filer,
    require_password,
    validate_upload,
)
from .eligibility import check_eligibility
from .places import check_place


def start_application(
    *, user, person, service, basis: str = "", answers: dict | None = None
) -> PermitApplication:
    """Open a draft for ``person`` (self or a dependent). Returns the existing draft of the same
    service rather than a second one. The case is filed where the service says
    (``ServiceType.filed_under``: by default the registration in force and its station)."""
    service_type = service_types.get(service)
    if person.account_id != getattr(user, "pk", None):
        raise NotAllowed()
    existing = draft_of(person, service_type.code)
    if existing is not None:
        return existing
    reasons = check_eligibility(user=user, person=person, service=service_type.code)
    if reasons:
        raise NotEligible(params={"reasons": " ".join(reasons)}, reasons=reasons)
    permit = None if service_type.for_new_permit else current_permit(person)
    registration, station_id = service_type.filed_under(
        person=person, permit=permit, registration=current_registration(person)
    )
    basis = service_type.check_basis(service_type.initial_basis(basis, permit))
    try:
        with transaction.atomic():
            application = PermitApplication.objects.create(
                service=service_type.code,
                filed_by=user,
                person=person,
                registration=registration,
                station_id=station_id,
                basis=basis,
                permit=permit,
                answers=service_type.clean_answers(
                    answers or {}, complete=False, context=answer_context()
                ),
            )
            application.reference = (
                f"{city_code()}{timezone.localdate(application.created_at).year}"
                f"-{application.pk:06d}"
            )
            application.save(update_fields=["reference"])
    except IntegrityError as exc:  # a concurrent start won (one open application per person)
        raise NotEligible(
            params={"reasons": _("Another application is already in progress.")}
        ) from exc
    return application


def save_answers(*, user, application, answers: dict | None = None, basis: str | None = None):
    """Edit the draft's answers (and the basis, which decides the proofs asked for)."""
    require_filer(user, application)
    if application.state != ApplicationState.DRAFT:
        raise WrongState(params={"state": application.get_state_display()})
    service_type = application.service_type
    fields = []
    if answers is not None:
        merged = {**application.answers, **answers}
        application.answers = service_type.clean_answers(
            merged, complete=False, context=answer_context()
        )
        fields.append("answers")
    if basis is not None and service_type.basis_editable:
        application.basis = service_type.check_basis(basis)
        fields.append("basis")
    if fields:
        try:
            application.save(update_fields=[*fields, "updated_at"])
        except ConcurrentTransition as exc:
            application.refresh_from_db()
            raise StaleState() from exc
    return application


def upload_material(
    *, user, application, requirement_code: str, file, lessor_confirmation=None
) -> Material:
    """Upload one material. In a draft: any step of the application; while more material is
    requested: only the flagged items (seed 001, one-time notice). A re-upload keeps the earlier
    version (superseded) so the reviewer sees what changed.

    The certificate photo (the service declares which material it is) must be an image, and is
    checked against the specification (``permits.photo_check``, issue 31): the verdict is kept
    with the upload (``Material.photo_check``) for the person, who can retake it before
    submitting, and for the officer. A photo that fails is kept all the same: the check can be
    wrong, and the officer decides."""
    require_filer(user, application)
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
        cleaned = validate_upload(file)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_upload") from exc
    head = cleaned.read(16)
    cleaned.seek(0)
    photo_check = None
    if application.service_type.is_certificate_photo(requirement_code):
        content_type = sniff_content_type(head)
        if not content_type.startswith("image/"):
            raise InvalidInput(
                _("The photo must be one picture (JPEG, PNG or WebP), not a PDF."),
                code="photo_not_image",
            )
        photo_check = check_photo(cleaned.read()).as_json()
        cleaned.seek(0)
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
            photo_check=photo_check,
            lessor_confirmation=lessor_confirmation,
        )
        material.file.save(cleaned.name, cleaned, save=False)
        material.save()
    return material


def submit(
    *,
    user,
    application,
    password: str = "",
    sms_code: str = "",
    client_ip: str = "",
    request=None,
) -> PermitApplication:
    """Submit the draft (seed 002 step ②): every answer and required material present, the
    identity verified, still eligible, and the login password re-entered (at the station kiosk,
    where no password is typed, an SMS code sent to the account's phone instead: ``sms_code``).
    A second submit of the same draft is refused (WrongState, or StaleState if it raced): one
    submission.

    The password (or code) is checked last, after everything that can refuse the case: a case
    that cannot be submitted answers the same whatever was typed (no oracle on the password),
    and a wrong one is counted with the logins' lockout (``request``: the web or API request
    it came through; issue 30)."""
    require_filer(user, application)
    if application.state != ApplicationState.DRAFT:
        raise WrongState(
            _("This application has already been submitted (%(reference)s)."),
            code="already_submitted",
            params={"reference": application.reference},
        )
    reasons = check_eligibility(
        user=user,
        person=application.person,
        service=application.service,
        exclude_pk=application.pk,
        household_region=(application.answers or {}).get("household_region") or None,
    )
    if reasons:
        raise NotEligible(params={"reasons": " ".join(reasons)}, reasons=reasons)
    service_type = application.service_type
    answers = service_type.clean_answers(
        application.answers, complete=True, context=answer_context()
    )
    service_type.check_basis(application.basis)
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
    today = clock.today()
    registration = current_registration(application.person)
    service_type.check_submission(
        application, answers=answers, registration=registration, today=today
    )
    # the agency chosen must still be one of the station's (issue 31): refused before the
    # code or the password is checked, so a refusal here spends no code (checked again under
    # the lock below)
    check_place(application, application.agency_id)
    if sms_code:
        # A wrong try is counted (committed): call outside any atomic block
        # (consume_phone_code refuses otherwise).
        consume_phone_code(
            phone=user.phone,
            purpose=PhoneCodePurpose.CONFIRM_SUBMIT,
            code=sms_code,
            client_ip=client_ip,
        )
    else:
        require_password(user, password, request=request)

    def before(app):
        app.answers = answers
        service_type.before_submit(app, answers=answers, registration=registration, today=today)
        # the agency chosen must still be one of the station's (issue 31)
        check_place(app, app.agency_id)

    def after(app):
        service_type.after_submit(app, user=user, today=today)
        notify_applicant(app, NotificationKind.APPLICATION_SUBMITTED)

    return fire(application, "submit", user=user, before=before, after=after)


def resubmit(*, user, application, password: str, request=None) -> PermitApplication:
    """Send the flagged items back (seed 001). If the application had been accepted, the clock
    resumes: the days spent waiting (counted in the deadline's day mode) extend the deadline.
    The password is checked last and counted, as for ``submit``."""
    require_filer(user, application)
    if application.state != ApplicationState.SUPPLEMENT_REQUESTED:
        raise WrongState(params={"state": application.get_state_display()})
    pending = application.flagged_items_not_reuploaded()
    if pending:
        raise InvalidInput(
            _("Upload again every item listed in the request first: %(items)s."),
            code="flagged_not_reuploaded",
            params={"items": ", ".join(pending)},
        )
    require_password(user, password, request=request)
    paused = 0
    if application.accepted_at is not None:
        paused = max(
            0,
            rules.count_days(
                timezone.localdate(application.supplement_requested_at),
                clock.today(),
                mode=rules.configured_day_mode(),
            ),
        )

    def after(app):
        log = last_log(app)
        notify_applicant(
            app, NotificationKind.APPLICATION_SUBMITTED, event_key=f"resubmitted:{log.pk}"
        )

    return fire(application, "resubmit", user=user, paused_days=paused, after=after)


def withdraw(*, user, application, note: str = "") -> PermitApplication:
    """The applicant withdraws, at any time before approval; a case the station had accepted
    is then one to rate (好差评)."""

    def after(app):
        # a lost-card replacement: the permit returns to its earlier status, the card reported
        # lost stays invalid (seeds 002, 003)
        app.service_type.after_closed(app, user=user, today=clock.today())
        rating_services.invite_without_notice(app)

    return fire(application, "withdraw", user=user, note=note, after=after)


def _refuse_second_choice(application) -> None:
    if application.delivery_method:
        raise WrongState(
            _("The way to receive the certificate has already been chosen."),
            code="delivery_already_chosen",
        )


def choose_pickup(*, user, application, at_agency: bool = False) -> PermitApplication:
    """窗口领证: bring the ID card (and the old card for renewal and change) to the station, or
    (issue 31) to the community service agency it was filed at, where the station lets it hand
    over cards."""
    require_filer(user, application)
    _refuse_second_choice(application)
    if at_agency and not (application.agency_id and application.agency.hands_over_cards):
        raise InvalidInput(
            _("Cards of this application are handed over at the station only."),
            code="agency_does_not_hand_over",
        )

    def before(app):
        app.pickup_at_agency = bool(at_agency)

    return fire(application, "choose_pickup", user=user, before=before)


def choose_mail(
    *, user, application, recipient_name: str, address: str, phone: str
) -> PermitApplication:
    """邮寄领证: recipient, address and phone; postage collect. Renewal and change: the old card
    is mailed to the station first; a replacement is mailed at once."""
    require_filer(user, application)
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
    return fire(
        application,
        "choose_mail",
        user=user,
        recipient_name=recipient_name[:60],
        address=address[:200],
        phone=phone,
    )
