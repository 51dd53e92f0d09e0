"""Acceptance 5: the daily jobs. Suspension is one set-based statement (same query count for 10
and 10,000 permits), each holder is notified once even if the job runs twice; reminders 30 and
7 days before expiry, once each, none while a renewal is in progress."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applicants.models import Identity, User
from notifications.models import Notification
from permits.constants import ApplicationState, PermitStatus
from permits.models import PermitTransition, ResidencePermit
from permits.services.permits import send_endorsement_reminders, suspend_overdue_permits
from permits.tasks import suspend_overdue_permits as suspend_task
from tests.factories import HouseFactory, RegistrationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def _bulk_overdue_permits(n, *, prefix):
    """``n`` active permits past valid_until, created in a handful of bulk INSERTs."""
    house = HouseFactory()
    today = timezone.localdate()
    users = User.objects.bulk_create(
        [User(phone=f"+86137{prefix}{i:06d}", password="!") for i in range(n)], batch_size=2000
    )
    identities = Identity.objects.bulk_create(
        [
            Identity(
                account=u,
                full_name=f"持证人{i}",
                id_number=f"{prefix}{i:016d}",
                birth_date=datetime.date(1990, 1, 1),
                sex="M",
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    issued = today - datetime.timedelta(days=400)
    ResidencePermit.objects.bulk_create(
        [
            ResidencePermit(
                number=f"B{prefix}{i:08d}",
                card_serial=f"S{prefix}{i:08d}",
                holder=ident,
                house=house,
                station_id=house.station_id,
                basis="residence",
                issued_on=issued,
                valid_until=today - datetime.timedelta(days=1),
                continuous_since=issued,
            )
            for i, ident in enumerate(identities)
        ],
        batch_size=2000,
    )


def _count_queries(n, prefix):
    _bulk_overdue_permits(n, prefix=prefix)
    with CaptureQueriesContext(connection) as ctx:
        suspended = suspend_overdue_permits()
    assert suspended == n
    return len(ctx.captured_queries)


def test_suspension_is_set_based_same_queries_for_10_and_10000():
    small = _count_queries(10, prefix="10")
    ResidencePermit.objects.all().delete()
    large = _count_queries(10_000, prefix="20")
    assert small == large
    assert small <= 6  # savepoint, UPDATE, INSERT ... SELECT, release
    assert ResidencePermit.objects.filter(status=PermitStatus.SUSPENDED).count() == 10_000
    assert (
        PermitTransition.objects.filter(transition="suspend").count() == 10_000
    )  # the first 10 went with their permits


def test_suspension_logs_and_notifies_each_holder_once_even_if_run_twice():
    today = timezone.localdate()
    overdue = [
        PermitFactory(issued_on=today - datetime.timedelta(days=400), valid_until=d)
        for d in (today - datetime.timedelta(days=1), today - datetime.timedelta(days=30))
    ]
    due_today = PermitFactory(valid_until=today)  # still valid today
    suspend_task.delay()
    suspend_task.delay()
    for permit in overdue:
        permit.refresh_from_db()
        assert permit.status == PermitStatus.SUSPENDED and permit.suspended_on == today
        log = permit.transitions.get()
        assert (log.from_state, log.to_state, log.actor) == ("active", "suspended", None)
    due_today.refresh_from_db()
    assert due_today.status == PermitStatus.ACTIVE
    notices = Notification.objects.filter(kind="permit_suspended")
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(
        p.holder.account_id for p in overdue
    )


def test_endorsement_reminders_when_the_window_opens_and_7_days_before_each_once():
    from dateutil.relativedelta import relativedelta

    from permits import rules

    today = datetime.date(2026, 5, 10)
    p_window = PermitFactory(valid_until=today + relativedelta(months=1))  # opens today
    p7 = PermitFactory(valid_until=today + datetime.timedelta(days=7))
    not_yet = PermitFactory(valid_until=today + relativedelta(months=1, days=1))  # opens tomorrow
    assert rules.renewal_opens_on(not_yet.valid_until) > today
    renewing = PermitFactory(valid_until=today + datetime.timedelta(days=7))
    RegistrationFactory(person=renewing.holder, house=renewing.house, registered=True)
    ApplicationFactory(
        service=Service.RENEWAL,
        person=renewing.holder,
        registration=renewing.holder.registrations.get(),
        permit=renewing,
        submitted=True,
    )
    assert send_endorsement_reminders(today=today) == 2
    send_endorsement_reminders(today=today)
    reminders = Notification.objects.filter(kind="endorsement_due")
    assert sorted(reminders.values_list("recipient", flat=True)) == sorted(
        [p_window.holder.account_id, p7.holder.account_id]
    )
    # 7 days before its expiry the first one gets its second reminder, once
    later = p_window.valid_until - datetime.timedelta(days=7)
    send_endorsement_reminders(today=later)
    send_endorsement_reminders(today=later)
    assert reminders.filter(recipient=p_window.holder.account).count() == 2
    assert reminders.filter(recipient=p7.holder.account).count() == 1
    assert not reminders.filter(recipient=not_yet.holder.account).exists()  # never ran May 11
    assert ApplicationState.SUBMITTED  # renewal in progress: never reminded
    assert not reminders.filter(recipient=renewing.holder.account).exists()


def test_a_permit_with_a_renewal_being_decided_is_not_suspended():
    today = timezone.localdate()
    permit = PermitFactory(
        issued_on=today - datetime.timedelta(days=370), valid_until=today - datetime.timedelta(2)
    )
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    app = ApplicationFactory(
        service=Service.RENEWAL,
        person=permit.holder,
        registration=permit.holder.registrations.get(),
        permit=permit,
        accepted=True,
        # filed on time, in the window (rules.is_in_use)
        submitted_at=timezone.now() - datetime.timedelta(days=5),
    )
    assert suspend_overdue_permits(today=today) == 0
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    from permits.services import applications as svc
    from tests.permits.helpers import staff_for

    svc.reject(user=staff_for(app.station)["officer"], application=app, reason="not_eligible")
    assert suspend_overdue_permits(today=today) == 1


def test_a_permit_whose_renewal_was_filed_late_is_suspended_like_verify_says():
    today = timezone.localdate()
    permit = PermitFactory(
        issued_on=today - datetime.timedelta(days=370), valid_until=today - datetime.timedelta(2)
    )
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    ApplicationFactory(
        service=Service.RENEWAL,
        person=permit.holder,
        registration=permit.holder.registrations.get(),
        permit=permit,
        submitted=True,  # today, after valid_until: late (issue 25)
    )
    assert suspend_overdue_permits(today=today) == 1
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED
