"""Reminders nobody else sends (issue 17), each on its day and only once (event keys), from the
daily jobs: a card not collected (7 and 30 days, then the clerk's "long uncollected" list after
90); a move to a new house while holding a permit (the change offered at once with its due date,
a reminder 7 days before it lapses); a dependent minor's 16th birthday."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from config.celery import DAILY_QUEUE, TASK_QUEUES, app
from notifications.models import Notification, SmsMessage
from permits import rules, tasks
from permits.services import reminders
from permits.services.registrations import register_residence
from review.selectors import long_uncollected
from tests.factories import HouseFactory, IdentityFactory, RegistrationFactory, StaffFactory
from tests.permits.factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def keys(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("event_key", flat=True))


def test_the_jobs_run_daily_on_the_daily_queue():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for name in (
        "permits.send_uncollected_card_reminders",
        "permits.send_change_due_reminders",
        "permits.send_turned_16_notices",
    ):
        assert name in scheduled
        assert TASK_QUEUES[name] == DAILY_QUEUE


# --- a card not collected ------------------------------------------------------------------------


def test_uncollected_card_reminded_after_7_and_30_days_once_each():
    six = ApplicationFactory(awaiting_pickup=True, produced_at=days_ago(6))
    seven = ApplicationFactory(awaiting_pickup=True, produced_at=days_ago(7))
    thirty = ApplicationFactory(produced=True, produced_at=days_ago(30))  # no choice yet
    mailed_choice = ApplicationFactory(produced=True, produced_at=days_ago(7))
    mailed_choice.delivery_method = "mail"
    mailed_choice.save(update_fields=["delivery_method"])
    old = ApplicationFactory(awaiting_pickup=True, produced_at=days_ago(100))
    collected = ApplicationFactory(collected=True, produced_at=days_ago(7))

    assert tasks.send_uncollected_card_reminders() == 2
    assert keys("card_uncollected") == sorted(
        [f"card_uncollected:7:{seven.pk}", f"card_uncollected:30:{thirty.pk}"]
    )
    sms = SmsMessage.objects.get(notification__event_key=f"card_uncollected:7:{seven.pk}")
    assert "待领7天" in sms.body and seven.station.name in sms.body  # the user's language
    # run again (redelivered, or the next day): nothing twice
    assert tasks.send_uncollected_card_reminders() == 0
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert reminders.send_uncollected_card_reminders(today=tomorrow) == 1  # six is now at 7
    assert Notification.objects.filter(event_key=f"card_uncollected:7:{six.pk}").exists()
    for app_ in (old, collected, mailed_choice):
        assert not Notification.objects.filter(related_id=app_.pk, kind="card_uncollected")


def test_long_uncollected_list_for_the_stations_clerk(client):
    old = ApplicationFactory(awaiting_pickup=True, produced_at=days_ago(90))
    ApplicationFactory(awaiting_pickup=True, produced_at=days_ago(89))
    clerk = StaffFactory(clerk=True, station=old.station)
    other = StaffFactory(clerk=True, station=ApplicationFactory().station)
    assert list(long_uncollected(clerk)) == [old]
    assert list(long_uncollected(other)) == []

    url = reverse("admin:permits_permitapplication_changelist")
    client.force_login(clerk)
    page = client.get(url, {"uncollected": "90"})
    assert page.status_code == 200
    assert old.reference in page.content.decode()
    assert page.context["cl"].result_count == 1
    client.force_login(other)
    assert old.reference not in client.get(url, {"uncollected": "90"}).content.decode()


# --- moved to a new house while holding a permit -------------------------------------------------


def test_registering_a_new_house_offers_the_change_at_once_with_its_due_date():
    permit = PermitFactory()
    person = permit.holder
    new_house = HouseFactory()
    since = timezone.localdate() - datetime.timedelta(days=3)
    registration = RegistrationFactory(person=person, house=new_house, since=since)
    officer = StaffFactory(officer=True, station=new_house.station)
    register_residence(registration=registration, by=officer)
    notice = Notification.objects.get(kind="change_offered")
    assert notice.recipient == person.account
    assert rules.change_due_by(since).isoformat() in notice.body
    assert notice.link == reverse("permits:application_start") + "?service=change"
    assert SmsMessage.objects.filter(notification=notice).exists()

    # the same house as the permit: nothing to change
    same = PermitFactory()
    again = RegistrationFactory(person=same.holder, house=same.house, since=since)
    register_residence(
        registration=again, by=StaffFactory(officer=True, station=same.house.station)
    )
    assert Notification.objects.filter(kind="change_offered").count() == 1


def test_change_reminder_7_days_before_it_lapses_once_and_not_after_filing():
    today = timezone.localdate()
    while not rules.is_working_day(today + datetime.timedelta(days=7)):
        today += datetime.timedelta(days=1)  # a due date on a rest day has no move date
    due = today + datetime.timedelta(days=7)
    moved = reminders.move_dates_due_on(due)[0]
    permit = PermitFactory()
    waiting = RegistrationFactory(
        registered=True, person=permit.holder, house=HouseFactory(), since=moved
    )
    filed_permit = PermitFactory()
    filed = RegistrationFactory(
        registered=True, person=filed_permit.holder, house=HouseFactory(), since=moved
    )
    ApplicationFactory(
        submitted=True,
        service="change",
        person=filed_permit.holder,
        permit=filed_permit,
        registration=filed,
    )
    later_permit = PermitFactory()  # moved a day later: due after the reminder's day
    RegistrationFactory(
        registered=True,
        person=later_permit.holder,
        house=HouseFactory(),
        since=moved + datetime.timedelta(days=1),
    )

    assert reminders.send_change_due_reminders(today=today) == 1
    assert keys("change_due_reminder") == [f"change_due_reminder:{waiting.pk}"]
    notice = Notification.objects.get(kind="change_due_reminder")
    assert due.isoformat() in notice.body
    assert reminders.send_change_due_reminders(today=today) == 0
    assert tasks.send_change_due_reminders() == 0


def test_move_dates_due_on_inverts_the_rule():
    start = datetime.date(2026, 9, 1)
    for offset in range(60):
        moved = start + datetime.timedelta(days=offset)
        assert moved in reminders.move_dates_due_on(rules.change_due_by(moved))


# --- a dependent turns 16 ------------------------------------------------------------------------


def test_agent_told_on_the_dependents_16th_birthday_once():
    today = timezone.localdate()
    birthday = IdentityFactory(dependent_minor=True, birth_date=today - relativedelta(years=16))
    IdentityFactory(dependent_minor=True, birth_date=today - relativedelta(years=16, days=1))
    IdentityFactory(dependent_minor=True, birth_date=today - relativedelta(years=15))
    IdentityFactory(birth_date=today - relativedelta(years=16))  # an account's own identity

    assert tasks.send_turned_16_notices() == 1
    notice = Notification.objects.get(kind="dependent_turned_16")
    assert notice.recipient == birthday.account
    assert birthday.full_name in notice.body and "自己的手机号注册" in notice.body
    assert tasks.send_turned_16_notices() == 0


def test_a_29_february_birthday_counts_on_28_february_in_a_common_year():
    assert reminders.births_turning(16, datetime.date(2027, 2, 28)) == [datetime.date(2011, 2, 28)]
    assert reminders.births_turning(16, datetime.date(2026, 2, 28)) == [datetime.date(2010, 2, 28)]
    assert reminders.births_turning(16, datetime.date(2025, 2, 28)) == [datetime.date(2009, 2, 28)]
    assert datetime.date(2008, 2, 29) in reminders.births_turning(16, datetime.date(2024, 2, 29))
    assert reminders.births_turning(17, datetime.date(2025, 2, 28)) == [
        datetime.date(2008, 2, 28),
        datetime.date(2008, 2, 29),
    ]
