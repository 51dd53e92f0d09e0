"""What every act shares: firing a transition through the one runner, the permission and
password checks, the applicant's notice, what the rules on answers look at."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from applicants.lockout import password_confirmed
from core import clock
from core.errors import NotAllowed, RuleRefused, WrongPassword
from core.fsm import holds_transition_permission, run_transition
from core.uploads import clean_document
from notifications.services import notify
from permits import rules, service_types
from permits.constants import ApplicationState
from permits.models import ApplicationTransition, PermitApplication

from .. import documents


def validate_upload(file):
    """The one shared upload check (core/uploads.py): JPEG/PNG/WebP or PDF by content,
    size-limited, images re-encoded without metadata. Returns the cleaned ContentFile."""
    return clean_document(file)


def city_code() -> str:
    return settings.CITY_CODE


def fire(
    application: PermitApplication,
    method: str,
    *,
    user,
    before: Callable[[PermitApplication], None] | None = None,
    after: Callable[[PermitApplication], None] | None = None,
    **kwargs,
) -> PermitApplication:
    """Run one transition for ``user`` through ``core.fsm.run_transition`` (``kwargs``: the
    transition's own, ``log_extra``); a statutory rule's refusal raised inside comes out as
    ``RuleRefused``. Any refusal changes nothing. The papers the service declares for this act
    (``ServiceType.papers``) are issued in the same transaction."""

    def after_all(app):
        if after is not None:
            after(app)
        paper = app.service_type.papers.get(method)
        if paper:
            documents.issue_for_application(app, paper, by=user, event_key=method)

    try:
        return run_transition(
            application, method, user=user, before=before, after=after_all, **kwargs
        )
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation


def require_permission(application, method: str, user) -> None:
    """The transition's permission (role and station scope, or the filer), whatever the state:
    checked before anything else so a refusal never tells an outsider more."""
    if not holds_transition_permission(application, method, user):
        raise NotAllowed()


def require_password(user, password, *, request=None) -> None:
    """The login password typed again. Through a request (web and API), counted with the
    logins' lockout (``applicants.lockout.password_confirmed``): a wrong one is a failed login,
    and a locked account is refused whatever was typed (the lock's 429 answers the request)."""
    if not password_confirmed(request, user, password):
        raise WrongPassword()


def require_filer(user, application) -> None:
    if not (user and user.is_authenticated and user.pk == application.filed_by_id):
        raise NotAllowed()


def last_log(application) -> ApplicationTransition:
    return application.transitions.order_by("-pk").first()


def _context(application, **extra) -> dict:
    context = {
        "name": application.person.full_name,
        "reference": application.reference,
        "service": application.service_type.label,
    }
    context.update(extra)
    return context


def notify_applicant(application, kind, *, event_key=None, document=None, **extra) -> None:
    """The message of an act to the applicant (My Affairs and SMS). The service may send its own
    message instead (``ServiceType.messages``) with facts of its own (``message_context``).
    ``document``: the paper the act issued (issue 16); the message links to it on the
    application's page."""
    service_type = application.service_type
    kind = service_type.messages.get(kind, kind)
    own = service_type.message_context(kind, application)
    event_key = own.pop("event_key", event_key)
    link = reverse("permits:application_detail", args=[application.pk])
    if document is not None:
        link = f"{link}#document-{document.pk}"
    notify(
        application.filed_by,
        kind,
        _context(application, **extra, **own),
        related=application,
        event_key=event_key,
        link=link,
    )


def station_text(station) -> str:
    return f"{station.name}, {station.address} ({station.window_hours})"


def city_region_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "CITY_REGION_CODES", ()) or ())


def _deemed_acceptance_days() -> int:
    return rules.configured_deemed_acceptance_days()


def settle_deemed_acceptance(application, *, tell: bool = True) -> bool:
    """Administrative Licensing Law Art. 32, checked by each desk act itself (not only by the
    daily job): a submission left without acceptance or notice for the statutory working days
    counts as accepted on receipt (rules.is_deemed_accepted); this records it now, in its own
    transaction, so it stands whatever the act then does, and tells the applicant as the daily
    job would (the same "accepted" notice and event key: never told twice). ``tell=False``: the
    caller sends the notice itself (the officer's acceptance, with its paper). True when it was
    deemed accepted."""
    received = application.received_at
    if application.state != ApplicationState.SUBMITTED or received is None:
        return False
    received_on = timezone.localdate(received)
    if not rules.is_deemed_accepted(received_on, clock.today(), _deemed_acceptance_days()):
        return False
    run_transition(
        application,
        "deem_accepted",
        user=None,
        check_permission=False,
        note="Deemed accepted on receipt: no acceptance or notice within the statutory working "
        "days (Administrative Licensing Law Art. 32).",
    )
    if tell:
        from ..permits import notify_deemed_accepted

        notify_deemed_accepted(application_ids=[application.pk])
    return True


def answer_context() -> service_types.AnswerContext:
    """What the rules on a service's answers look at: today, and the city's region codes."""
    return service_types.AnswerContext(today=clock.today(), city_region_codes=city_region_codes())
