"""Reads of permits: whether a card serial is a usable card (public verification), and what the
daily jobs of ``permits.services.permits`` act on (endorsement reminders due, permits suspended
and applications deemed accepted on a day), each in one query whatever their number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from permits import rules, service_types
from permits.constants import IN_PROGRESS_STATES, CardSerialStatus, PermitStatus
from permits.models import ApplicationTransition, CardSerial, PermitApplication, ResidencePermit


@dataclass(frozen=True)
class CardCheck:
    serial: str
    known: bool
    valid: bool
    permit: ResidencePermit | None
    status: str  # the card's status ("valid"/"invalidated") or "" when unknown


def verify_card_serial(serial: str) -> CardCheck:
    """Whether a card serial is the current, usable card of a permit. A replaced card's serial
    (lost or damaged) answers invalid; so does any card of a suspended or cancelled permit."""
    card = (
        CardSerial.objects.select_related("permit")
        .filter(serial=(serial or "").strip().upper())
        .first()
    )
    if card is None:
        return CardCheck(serial=serial, known=False, valid=False, permit=None, status="")
    valid = (
        card.status == CardSerialStatus.VALID
        and card.permit.card_serial == card.serial
        and card.permit.status == PermitStatus.ACTIVE
    )
    return CardCheck(serial=serial, known=True, valid=valid, permit=card.permit, status=card.status)


def renewal_filed_on(permit) -> datetime.date | None:
    """The day the permit's endorsement still being decided was filed (None: none pending)."""
    submitted = (
        renewal_in_progress()
        .filter(permit=permit, submitted_at__isnull=False)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    return timezone.localdate(submitted) if submitted else None


def permit_in_use(permit, *, today: datetime.date) -> bool:
    """Seeds 002, 003 (rules.is_in_use): whether ``permit`` may be used on ``today``, whether or
    not the daily suspension job ran: held (active or suspended) and endorsed, or overdue with an
    endorsement filed on time still being decided. One query, only for an overdue permit."""
    if permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
        return False
    if not rules.is_endorsement_overdue(permit.valid_until, today):
        return permit.status == PermitStatus.ACTIVE
    return rules.is_in_use(
        valid_until=permit.valid_until, today=today, renewal_filed_on=renewal_filed_on(permit)
    )


# --- what the daily jobs act on -------------------------------------------------------------


def renewal_in_progress():
    return PermitApplication.objects.filter(
        service__in=service_types.codes(keeps_permit_in_use_while_pending=True),
        state__in=IN_PROGRESS_STATES,
        permit__isnull=False,
    )


def endorsement_reminders_due(*, today: datetime.date) -> list[tuple[int, str]]:
    """Seed 002, reminders (rules.endorsement_reminder_due): the active permits to remind today,
    as ``(permit id, "window" | "week")``, in ONE query whatever their number: the ranges of
    ``valid_until`` come from ``rules.expiries_reminded_on``; a permit whose renewal is being
    decided is left out."""
    ranges = rules.expiries_reminded_on(today)
    in_progress = renewal_in_progress().filter(permit=OuterRef("pk"))
    rows = (
        ResidencePermit.objects.filter(status=PermitStatus.ACTIVE)
        .filter(Q(valid_until__range=ranges["week"]) | Q(valid_until__range=ranges["window"]))
        .exclude(Exists(in_progress))
        .order_by("pk")
        .values_list("pk", "valid_until")
    )
    due = []
    for pk, valid_until in rows.iterator(chunk_size=2000):
        which = rules.endorsement_reminder_due(valid_until, today)
        if which:
            due.append((pk, which))
    return due


def suspended_permit_ids(*, on: datetime.date) -> list[int]:
    return list(
        ResidencePermit.objects.filter(status=PermitStatus.SUSPENDED, suspended_on=on)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deemed_accepted_ids(*, on: datetime.date) -> list[int]:
    """The applications the daily job deemed accepted on ``on`` (to notify, in chunks)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(on, datetime.time(), tz)
    return list(
        ApplicationTransition.objects.filter(
            transition="deem_accepted",
            created_at__gte=since,
            created_at__lt=since + datetime.timedelta(days=1),
        )
        .order_by("application_id")
        .values_list("application_id", flat=True)
    )
