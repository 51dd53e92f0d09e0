"""The permit after issue (seeds 002, 003): numbers, issue, card serials, and the daily jobs
(endorsement reminders, suspension of overdue permits, deemed acceptance of submissions left
unanswered: Administrative Licensing Law Art. 32)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models import Identity
from core import clock, page_cache
from core.errors import NotAllowed, WrongState
from core.fsm import run_transition
from notifications.constants import NotificationKind
from notifications.services import notify
from permits import rules, service_types
from permits.constants import (
    ApplicationState,
    CardSerialStatus,
    PermitStatus,
)
from permits.models import (
    ApplicationTransition,
    CardSerial,
    Counter,
    PermitApplication,
    PermitTransition,
    ResidencePermit,
    StaffPermission,
)
from permits.selectors.permits import endorsement_reminders_due, renewal_in_progress
from permits.selectors.registrations import residence_chain_since

NOTIFY_CHUNK = 500


def next_permit_number(*, on: datetime.date) -> str:
    """e.g. HK2026P0000123: city, year of issue, dense sequence per year (never reused)."""
    value = Counter.next_value(f"permit_number:{on.year}")
    return f"{settings.CITY_CODE}{on.year}P{value:07d}"


def next_card_serial() -> str:
    """e.g. HKC0000000042: every physical card gets its own serial, never reused."""
    value = Counter.next_value("card_serial")
    return f"{settings.CITY_CODE}C{value:010d}"


def issue_permit(
    *, by, holder, house, basis, issued_on: datetime.date, card_serial: str
) -> ResidencePermit:
    """A new permit (seed 001): valid one year from issue; residence counted from the start of
    the holder's chain of registrations in the city (rules.residence_counted_since)."""
    continuous_since = rules.residence_counted_since(
        chain_start=residence_chain_since(holder), issued_on=issued_on
    )
    permit = ResidencePermit.objects.create(
        number=next_permit_number(on=issued_on),
        card_serial=card_serial,
        holder=holder,
        house=house,
        station_id=house.station_id,
        basis=basis,
        issued_on=issued_on,
        valid_until=rules.new_permit_valid_until(issued_on),
        continuous_since=continuous_since,
    )
    CardSerial.objects.create(permit=permit, serial=card_serial, issued_on=issued_on)
    permit.record_transition(
        name="issue", source="", target=PermitStatus.ACTIVE, by=by, note=permit.number
    )
    return permit


def cancel_permit(*, user, permit: ResidencePermit, moved_on: datetime.date, note: str = ""):
    """Moving away (seed 001 procedure 3): the permit is cancelled and its card invalidated.
    Staff who may cancel residence registrations do it, for their own station."""
    if not StaffPermission("permits.review_registration")(permit, user):
        raise NotAllowed()

    def invalidate_cards(permit):
        CardSerial.objects.filter(permit=permit, status=CardSerialStatus.VALID).update(
            status=CardSerialStatus.INVALIDATED, invalidated_on=moved_on
        )

    return run_transition(
        permit,
        "cancel",
        user=user,
        on=moved_on,
        note=note,
        after=invalidate_cards,
        wrong_state=WrongState(_("This permit is already cancelled."), code="already_cancelled"),
    )


# --- Daily jobs --------------------------------------------------------------------------------


def send_endorsement_reminders(*, today: datetime.date | None = None) -> int:
    """Seed 002: remind holders on the day the renewal window opens and 7 days before
    ``valid_until``, unless a renewal is in progress (``endorsement_reminders_due``, one query),
    then notify them in chunks (``notify_endorsement_due``). Each reminder goes once (event key
    per permit, expiry date and reminder), however often the job runs."""
    today = today or clock.today()
    due = endorsement_reminders_due(today=today)
    for start in range(0, len(due), NOTIFY_CHUNK):
        notify_endorsement_due(reminders=due[start : start + NOTIFY_CHUNK], today=today)
    return len(due)


def notify_endorsement_due(*, reminders: list[tuple[int, str]], today: datetime.date) -> int:
    """One "endorsement due" notice per permit, expiry and reminder, saying from which date to
    when the permit can be endorsed (rules.renewal_opens_on .. valid_until)."""
    which_of = dict(reminders)
    permits = (
        ResidencePermit.objects.filter(pk__in=which_of, status=PermitStatus.ACTIVE)
        .select_related("holder__account")
        .order_by("pk")
    )
    count = 0
    for permit in permits:
        which = which_of[permit.pk]
        notify(
            permit.holder.account,
            NotificationKind.ENDORSEMENT_DUE,
            {
                "name": permit.holder.full_name,
                "valid_until": permit.valid_until,
                "opens_on": rules.renewal_opens_on(permit.valid_until),
            },
            related=permit,
            event_key=f"endorsement_due:{permit.pk}:{permit.valid_until.isoformat()}:{which}",
        )
        count += 1
    return count


def deem_overdue_submissions_accepted(*, today: datetime.date | None = None) -> int:
    """Administrative Licensing Law Art. 32 (rules.deemed_acceptance_cutoff): every application
    (re)submitted on or before the cutoff and still neither accepted nor answered with a notice
    counts as accepted on receipt, the statutory clock running from that day. ONE UPDATE (the
    deadline of each row is chosen by its submission day in a ``CASE``, so the number of
    queries never grows with the rows) and ONE ``INSERT ... SELECT`` for the transition log.
    ``DEEMED_ACCEPTANCE_WORKING_DAYS = 0`` turns it off. Idempotent: a second run finds nothing.
    Returns the number deemed accepted."""
    from django.db.models import Case, DateField, Min, Value, When
    from django.db.models.functions import Coalesce

    days = rules.configured_deemed_acceptance_days()
    today = today or clock.today()
    cutoff = rules.deemed_acceptance_cutoff(today, days)
    if cutoff is None:
        return 0
    mode = rules.configured_day_mode()
    tz = timezone.get_current_timezone()
    until = datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time(), tz)
    now = timezone.now()

    def received(lo, hi):
        plain = Q(resubmitted_at__isnull=True, submitted_at__lt=hi)
        again = Q(resubmitted_at__lt=hi)
        if lo is not None:
            plain &= Q(submitted_at__gte=lo)
            again &= Q(resubmitted_at__gte=lo)
        return plain | again

    with transaction.atomic():
        waiting = PermitApplication.objects.filter(
            received(None, until), state=ApplicationState.SUBMITTED, accepted_at__isnull=True
        )
        firsts = waiting.aggregate(a=Min("submitted_at"), b=Min("resubmitted_at"))
        first = min(filter(None, firsts.values()), default=None)
        if first is None:
            return 0
        whens, day = [], timezone.localtime(first, tz).date()
        while day <= cutoff:
            start = datetime.datetime.combine(day, datetime.time(), tz)
            whens.append(
                When(
                    received(start, start + datetime.timedelta(days=1)),
                    then=Value(rules.decision_deadline(day, mode=mode)),
                )
            )
            day += datetime.timedelta(days=1)
        count = waiting.update(
            state=ApplicationState.ACCEPTED,
            accepted_at=Coalesce("resubmitted_at", "submitted_at"),
            deadline=Case(*whens, output_field=DateField()),
            updated_at=now,
        )
        if count:
            _log_bulk_deemed_acceptance(now=now)
            # the same transaction: their accounts' pages show "accepted" from the commit on
            page_cache.bump_rows(
                PermitApplication.objects.filter(
                    state=ApplicationState.ACCEPTED, accepted_by__isnull=True, updated_at=now
                )
            )
    return count


def _log_bulk_deemed_acceptance(*, now) -> None:
    qn = connection.ops.quote_name
    log = ApplicationTransition._meta.db_table
    table = PermitApplication._meta.db_table
    sql = (
        f"INSERT INTO {qn(log)} "  # noqa: S608 - table names from model meta, values as params
        f"({qn('application_id')}, {qn('actor_id')}, {qn('transition')}, {qn('from_state')}, "
        f"{qn('to_state')}, {qn('note')}, {qn('items')}, {qn('created_at')}) "
        f"SELECT {qn('id')}, NULL, %s, %s, %s, %s, %s, %s FROM {qn(table)} "
        f"WHERE {qn('state')} = %s AND {qn('accepted_by_id')} IS NULL AND {qn('updated_at')} = %s"
    )
    params = [
        "deem_accepted",
        ApplicationState.SUBMITTED,
        ApplicationState.ACCEPTED,
        "Deemed accepted on receipt: no acceptance or notice within the statutory working days "
        "(Administrative Licensing Law Art. 32).",
        "[]",
        connection.ops.adapt_datetimefield_value(now),
        ApplicationState.ACCEPTED,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def notify_deemed_accepted(*, application_ids: list[int]) -> int:
    """One "accepted" notice per application (the same event key as an officer's acceptance,
    so nobody is told twice)."""
    from django.urls import reverse

    applications = (
        PermitApplication.objects.filter(pk__in=application_ids, state=ApplicationState.ACCEPTED)
        .select_related("filed_by", "person")
        .order_by("pk")
    )
    count = 0
    for app in applications:
        notify(
            app.filed_by,
            NotificationKind.APPLICATION_ACCEPTED,
            {
                "name": app.person.full_name,
                "reference": app.reference,
                "service": service_types.label(app.service),
                "deadline": app.deadline,
            },
            related=app,
            link=reverse("permits:application_detail", args=[app.pk]),
            at_any_hour=False,  # a daily job's notice (00:45): it waits for the morning
        )
        count += 1
    return count


def suspend_overdue_permits(*, today: datetime.date | None = None) -> int:
    """Seeds 002, 003: every active permit past ``valid_until`` is suspended, set-based (a
    per-row FSM transition would be one query per permit; the state machine's
    ``ResidencePermit.suspend`` is the same act for one permit), and every suspension is logged
    as a ``PermitTransition`` row. Returns the number suspended. Idempotent: a second run finds
    nothing.

    On PostgreSQL it is ONE statement: the ORM's UPDATE with ``RETURNING id`` inside a CTE, and
    the log rows ``INSERT … SELECT`` from it (issue 18: the table is passed once, as by one bare
    SQL UPDATE; the log needs no second look-up of the rows just written). Elsewhere (SQLite,
    which has no data-modifying CTE) the UPDATE and then one ``INSERT ... SELECT`` that tells this
    run's rows apart by the exact ``updated_at`` it writes, in one transaction (the UPDATE holds
    their row locks until commit). Neither is a ``bulk_create``: the query count never grows
    with the number of permits.

    A permit whose renewal was filed on time and is still being decided is left active: its
    holder did apply in time (rules.is_in_use, rules.endorse judges lateness on the filing
    date), as the public verification says; if the renewal is rejected or withdrawn, the next
    run suspends it.
    """
    today = today or clock.today()
    now = timezone.now()
    # rules.is_in_use: only an endorsement filed on time (by valid_until) keeps the permit in use
    renewal_filed = renewal_in_progress().filter(
        permit=OuterRef("pk"), submitted_at__date__lte=OuterRef("valid_until")
    )
    overdue = ResidencePermit.objects.filter(
        status=PermitStatus.ACTIVE, valid_until__lt=today
    ).exclude(Exists(renewal_filed))
    changes = {"status": PermitStatus.SUSPENDED, "suspended_on": today, "updated_at": now}
    if connection.vendor == "postgresql":
        return _suspend_and_log(overdue, changes, now=now)
    with transaction.atomic():
        count = overdue.update(**changes)
        if count:
            _log_bulk_suspension(now=now, today=today)
            page_cache.bump_rows(
                ResidencePermit.objects.filter(
                    status=PermitStatus.SUSPENDED, suspended_on=today, updated_at=now
                )
            )
    return count


_SUSPENSION_LOG_COLUMNS = ("permit_id", "actor_id", "transition", "from_state", "to_state", "note")
_SUSPENSION_NOTE = "Endorsement overdue: suspended by the daily job."


def _suspension_log_values(now) -> list:
    return [
        "suspend",
        PermitStatus.ACTIVE,
        PermitStatus.SUSPENDED,
        _SUSPENSION_NOTE,
        connection.ops.adapt_datetimefield_value(now),
    ]


def _suspend_and_log(overdue, changes, *, now) -> int:
    """``WITH suspended AS (UPDATE … RETURNING id) INSERT INTO <log> SELECT … FROM suspended``:
    the UPDATE is the one ``QuerySet.update()`` would send (compiled the same way, so the filter
    has one definition), its rows logged by the same statement."""
    from django.db.models.sql import UpdateQuery

    query = overdue.query.chain(UpdateQuery)
    query.add_update_values(changes)
    update_sql, update_params = query.get_compiler(connection=connection).as_sql()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*_SUSPENSION_LOG_COLUMNS, "created_at"))
    # Names from model meta and the ORM's compiled UPDATE; every value is a parameter.
    pk = qn(ResidencePermit._meta.pk.column)
    holder = qn(ResidencePermit._meta.get_field("holder").column)
    identity = Identity._meta
    holders_accounts = (
        f"SELECT {qn(identity.get_field('account').column)} FROM {qn(identity.db_table)} "  # noqa: S608
        f"WHERE {qn(identity.pk.column)} IN (SELECT {holder} FROM suspended)"
    )
    sql = (
        f"WITH suspended AS ({update_sql} RETURNING {pk}, {holder}), "  # noqa: S608
        # the holders' accounts: their pages show "suspended" from this statement's commit on
        f"bumped AS ({page_cache.bump_sql(holders_accounts)}) "
        f"INSERT INTO {qn(PermitTransition._meta.db_table)} ({columns}) "
        f"SELECT {pk}, NULL, %s, %s, %s, %s, %s FROM suspended"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*update_params, *_suspension_log_values(now)])
        return cursor.rowcount


def _log_bulk_suspension(*, now, today) -> None:
    qn = connection.ops.quote_name
    log = PermitTransition._meta.db_table
    permit_table = ResidencePermit._meta.db_table
    columns = ", ".join(qn(c) for c in (*_SUSPENSION_LOG_COLUMNS, "created_at"))
    sql = (
        f"INSERT INTO {qn(log)} ({columns}) "  # noqa: S608 - names from model meta, values as params
        f"SELECT {qn('id')}, NULL, %s, %s, %s, %s, %s FROM {qn(permit_table)} "
        f"WHERE {qn('status')} = %s AND {qn('suspended_on')} = %s AND {qn('updated_at')} = %s"
    )
    params = [
        *_suspension_log_values(now),
        PermitStatus.SUSPENDED,
        connection.ops.adapt_datefield_value(today),
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def notify_suspended_holders(*, permit_ids: list[int]) -> int:
    """One "permit suspended" notice per permit and suspension (event key: permit + the date it
    was suspended), so a second run, or a redelivered task, notifies nobody twice."""
    permits = (
        ResidencePermit.objects.filter(pk__in=permit_ids, status=PermitStatus.SUSPENDED)
        .select_related("holder__account")
        .order_by("pk")
    )
    count = 0
    for permit in permits:
        notify(
            permit.holder.account,
            NotificationKind.PERMIT_SUSPENDED,
            {"name": permit.holder.full_name, "valid_until": permit.valid_until},
            related=permit,
            event_key=f"permit_suspended:{permit.pk}:{permit.suspended_on.isoformat()}",
        )
        count += 1
    return count
