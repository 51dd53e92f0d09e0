"""The station clerk's acts: certificate produced (制证完成), old card received, mailed,
delivered, handed over at the window."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput, WrongState
from core.masking import mask_id_number
from notifications.constants import NotificationKind
from permits.constants import ApplicationState, DocumentKind
from permits.models import CardSerial, PermitApplication

from .. import documents
from .. import ratings as rating_services
from .common import fire, notify_applicant, require_permission, station_text


def _entered_card_serial(application, card_serial: str) -> str:
    """The serial the clerk typed or scanned from the card (issue 7), checked: a new card's
    serial is never used twice; renewal and change rewrite the same card, so its serial, if
    given, must be the permit's current one. Empty: the portal numbers the card itself."""
    serial = (card_serial or "").strip().upper()
    if not serial:
        return ""
    if len(serial) > 30 or not serial.isalnum():
        raise InvalidInput(_("A card serial is up to 30 letters and digits."), code="bad_serial")
    if application.service_type.rewrites_card:
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
    """制证完成 (seed 002 ④). The permit side happens here, in the same transaction, as the service
    declares it (``ServiceType.produce``): a new permit is issued (number, card serial, one year);
    a renewal endorses it; a change moves it with the registration; a replacement gives a new card
    serial and invalidates the old one.
    ``card_serial``: the serial printed on the produced card, entered or scanned by the clerk
    (new and replacement); without it the next serial of the portal's counter is used."""
    today = clock.today()
    require_permission(application, "mark_produced", user)
    entered = _entered_card_serial(application, card_serial)

    def before(app):
        app.new_card_serial = app.service_type.produce(app, user=user, today=today, serial=entered)

    def after(app):
        notify_applicant(
            app,
            NotificationKind.CERTIFICATE_PRODUCED,
            station=station_text(app.station),
            valid_until=app.permit.valid_until,
        )

    return fire(application, "mark_produced", user=user, before=before, after=after, note=note)


def record_old_card_received(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        notify_applicant(app, NotificationKind.OLD_CARD_RECEIVED, station=station_text(app.station))

    return fire(application, "record_old_card_received", user=user, note=note, after=after)


def record_mailed(*, user, application, tracking_number: str, note: str = ""):
    require_permission(application, "record_mailed", user)
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
        notify_applicant(app, NotificationKind.CERTIFICATE_MAILED, tracking_number=tracking_number)

    return fire(
        application,
        "record_mailed",
        user=user,
        tracking_number=tracking_number[:40],
        note=note,
        after=after,
    )


def record_delivered(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        paper = documents.issue_for_application(
            app, DocumentKind.HANDOVER, by=user, event_key="handover"
        )
        notify_applicant(
            app,
            NotificationKind.CERTIFICATE_DELIVERED,
            document=paper,
            **rating_services.invite(app),
        )

    return fire(application, "record_delivered", user=user, note=note, after=after)


def record_collected(*, user, application, collector_id_number: str, note: str = ""):
    """Handed over at the window to the holder, or to the agent who filed for them: the
    collector's ID number is checked against theirs. The log keeps it masked only."""
    require_permission(application, "record_collected", user)
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
        paper = documents.issue_for_application(
            app, DocumentKind.HANDOVER, by=user, event_key="handover"
        )
        notify_applicant(
            app,
            NotificationKind.CERTIFICATE_COLLECTED,
            document=paper,
            **rating_services.invite(app),
        )

    return fire(
        application, "record_collected", user=user, by_agent=by_agent, note=log_note, after=after
    )
