"""Cancellation (注销) on moving away (seed 001, procedure 3: cancel the registration and return
the card), the fifth service.

The holder (or their agent) files it like any other application: the date of moving away and how
the card goes back to the station (mailed to it, or handed in at the window: the pickup/mail
choice of the other services, reversed); no material. Submitted, it waits for the card
(``awaiting_card_return``); the clerk records the card received (``card_returned``); an officer
completes it (``completed``): the permit is cancelled and its card serial invalidated (the public
check answers "not valid"), and the residence registration is cancelled too, each by its own
logged transition, in one transaction. The applicant is told at filing and at completion.

The service itself (answers, eligibility, hooks) is declared in ``permits.service_types.
cancellation``; the drafting, submitting and withdrawing are the common acts of ``applicant``; this
module holds the acts only a cancellation has.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput, RuleRefused
from core.fsm import run_transition
from notifications.constants import NotificationKind
from permits import rules
from permits.constants import CardReturn, RegistrationState
from permits.models import PermitApplication, ResidenceRegistration
from permits.selectors.applicant import current_registration

from .. import permits as permit_services
from .. import ratings as rating_services
from .common import fire, notify_applicant, require_permission, station_text

# How the clerk had the card (the history's note).
RECEIVED = {
    CardReturn.MAIL: _("Received by mail"),
    CardReturn.WINDOW: _("Handed in at the window"),
}


def registration_for(person, permit) -> ResidenceRegistration | None:
    """The registration a cancellation is filed under: the one in force, else (already cancelled
    by hand before this service existed) the person's latest at the permit's house."""
    registration = current_registration(person)
    if registration is not None:
        return registration
    registrations = ResidenceRegistration.objects.filter(person=person).select_related(
        "house__station"
    )
    return (
        registrations.filter(house_id=permit.house_id).order_by("-since", "-pk").first()
        or registrations.order_by("-since", "-pk").first()
    )


def moved_on_of(application) -> datetime.date | None:
    value = (application.answers or {}).get("moved_on")
    return datetime.date.fromisoformat(value) if value else None


def check_submission(application, answers: dict) -> None:
    """At submission: the date of moving is not before the registration began, and mail is
    chosen only where the station takes cards by mail."""
    try:
        rules.check_moved_away_date(
            datetime.date.fromisoformat(answers["moved_on"]),
            clock.today(),
            since=application.registration.since,
        )
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation
    if answers["card_return"] == CardReturn.MAIL and not application.station.offers_mail:
        raise InvalidInput(
            _("This station does not take cards by mail; choose to hand it in at the window."),
            code="mail_not_offered",
        )


def before_submit(application, answers: dict) -> None:
    """The return of the card is chosen with the application (the reverse of pickup or mail)."""
    application.delivery_method = answers["card_return"]
    application.delivery_chosen_at = timezone.now()


def submitted_message_context(application) -> dict:
    """What the message on filing says: where the card goes, by mail or not, and when."""
    return {
        "event_key": f"cancellation_submitted:{application.pk}",
        "station": station_text(application.station),
        "by_mail": application.delivery_method == CardReturn.MAIL,
        "moved_on": (application.answers or {}).get("moved_on", ""),
    }


def record_card_returned(
    *, user, application, method: str = "", note: str = ""
) -> PermitApplication:
    """The clerk has the card: received by mail or handed in at the window (``method``; by
    default the way the applicant chose)."""
    require_permission(application, "record_card_returned", user)
    method = method or application.delivery_method or CardReturn.WINDOW
    if method not in CardReturn.values:
        raise InvalidInput(_("Choose how the card was received: by mail or at the window."))
    log_note = " ".join(filter(None, [str(RECEIVED[method]), note]))
    return fire(application, "record_card_returned", user=user, received_by=method, note=log_note)


def complete_cancellation(*, user, application, note: str = "") -> PermitApplication:
    """注销: the permit is cancelled (its card invalid from now on) and the residence
    registration in force is cancelled with the date of moving away."""
    today = clock.today()

    def before(app):
        permit = app.permit
        permit_services.cancel_permit(user=user, permit=permit, moved_on=today, note=app.reference)
        registration = current_registration(app.person)
        if registration is not None and registration.state == RegistrationState.REGISTERED:
            moved_on = moved_on_of(app) or today
            run_transition(
                registration,
                "cancel",
                user=user,
                moved_on=max(moved_on, registration.since),
                note=app.reference,
            )

    def after(app):
        notify_applicant(
            app,
            NotificationKind.CANCELLATION_COMPLETED,
            event_key=f"cancellation_completed:{app.pk}",
            number=app.permit.number,
            cancelled_on=app.permit.cancelled_on.isoformat(),
            **rating_services.invite(app),  # a case that ends is rated (issue 17)
        )

    return fire(
        application, "complete_cancellation", user=user, before=before, after=after, note=note
    )
