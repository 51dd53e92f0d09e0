"""Issue 13: the law in the unhappy paths, through the services (and, for the lost card and the
reminders, the pages a person uses), on fixed dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.constants import IdentityState
from core.errors import InvalidInput, NotEligible, RuleRefused
from notifications.models import Notification
from permits import rules
from permits.constants import ApplicationState, PermitStatus
from permits.models import ApplicationTransition, PermitApplication
from permits.selectors import permits as permit_selectors
from permits.services import applications as svc
from permits.services import permits as permit_services
from review.selectors import overdue_applications
from tests.factories import PASSWORD, HouseFactory, IdentityFactory, RegistrationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import draft_ready, registered_person, staff_for, submitted
from tests.permits.views.helpers import login, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db
D = datetime.date


def _holder_with_permit(**permit_kwargs):
    permit = PermitFactory(**permit_kwargs)
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    return permit


# --- 1. a withdrawn or refused lost-card replacement ----------------------------------------


def test_withdrawn_lost_replacement_restores_the_permit_not_the_card(client):
    permit = _holder_with_permit()
    app = submitted(permit.holder, Service.REPLACEMENT, answers={"reason": "lost"})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.LOST
    assert not permit_selectors.verify_card_serial(permit.card_serial).valid
    # withdrawn through the page the person uses
    login(client, permit.holder)
    response = client.post(
        url("application_withdraw", app.pk), {"confirmed": "on", "seen_state": app.state}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    permit.refresh_from_db()
    assert app.state == ApplicationState.WITHDRAWN
    assert permit.status == PermitStatus.ACTIVE
    assert not permit_selectors.verify_card_serial(permit.card_serial).valid  # stays invalid
    log = permit.transitions.order_by("-pk").first()
    assert (log.transition, log.from_state, log.to_state) == (
        "restore_after_lost_report",
        "lost",
        "active",
    )
    # renewal and change are no longer refused for the card; the pages say to apply again
    reasons = svc.check_eligibility(
        user=permit.holder.account, person=permit.holder, service=Service.CHANGE
    )
    assert reasons == []
    detail = text(client.get(url("application_detail", app.pk), HTTP_ACCEPT_LANGUAGE="en"))
    assert "must apply again for a card" in detail
    center = text(client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "stays invalid" in center and "A replacement is in progress" not in center


def test_refused_lost_replacement_of_an_expired_permit_returns_it_suspended(monkeypatch):
    today = timezone.localdate()
    permit = _holder_with_permit(issued_on=today - datetime.timedelta(days=360), valid_until=today)
    app = submitted(permit.holder, Service.REPLACEMENT, answers={"reason": "lost"})
    officer = staff_for(app.station)["officer"]
    tomorrow = today + datetime.timedelta(days=1)
    from core import clock

    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    svc.reject(user=officer, application=app, reason="not_eligible")
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED and permit.suspended_on == tomorrow
    assert not permit_selectors.verify_card_serial(permit.card_serial).valid


def test_damaged_card_replacement_invalidates_nothing_before_production():
    permit = _holder_with_permit()
    app = submitted(permit.holder, Service.REPLACEMENT, answers={"reason": "damaged"})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit_selectors.verify_card_serial(permit.card_serial).valid
    svc.withdraw(user=app.filed_by, application=app)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit_selectors.verify_card_serial(permit.card_serial).valid


# --- 3. reminders on the day the window opens and 7 days before ----------------------------


def test_reminder_comes_the_day_the_window_opens_once_with_the_dates(client):
    permit = _holder_with_permit(issued_on=D(2025, 3, 31), valid_until=D(2026, 3, 31))
    assert permit_services.send_endorsement_reminders(today=D(2026, 2, 27)) == 0  # the eve
    assert permit_services.send_endorsement_reminders(today=D(2026, 2, 28)) == 1  # the day
    permit_services.send_endorsement_reminders(today=D(2026, 2, 28))  # run twice
    permit_services.send_endorsement_reminders(today=D(2026, 3, 1))  # the day after
    notices = Notification.objects.filter(kind="endorsement_due", recipient=permit.holder.account)
    assert notices.count() == 1
    notice = notices.get()
    assert "2026-02-28" in notice.body and "2026-03-31" in notice.body
    from notifications.models import SmsMessage

    assert "2026-02-28" in SmsMessage.objects.get(notification=notice).body
    # the reminder's promise holds: renewal is possible that day
    reasons = svc.check_eligibility(
        user=permit.holder.account,
        person=permit.holder,
        service=Service.RENEWAL,
        today=D(2026, 2, 28),
    )
    assert reasons == []
    # 7 days before expiry: the second reminder, once
    permit_services.send_endorsement_reminders(today=D(2026, 3, 24))
    permit_services.send_endorsement_reminders(today=D(2026, 3, 24))
    assert notices.count() == 2
    # My Affairs shows it, in the holder's language
    login(client, permit.holder)
    page = text(client.get(reverse("notifications:detail", args=[notice.pk])))
    assert "2026-02-28" in page


def _bulk_permits(n, *, valid_until, prefix):
    from applicants.models import Identity, User
    from permits.models import ResidencePermit

    house = HouseFactory()
    users = User.objects.bulk_create(
        [User(phone=f"+86139{prefix}{i:06d}", password="!") for i in range(n)]
    )
    identities = Identity.objects.bulk_create(
        [
            Identity(
                account=u,
                full_name=f"持证人{i}",
                id_number=f"{prefix}{i:016d}",
                birth_date=D(1990, 1, 1),
                sex="M",
            )
            for i, u in enumerate(users)
        ]
    )
    ResidencePermit.objects.bulk_create(
        [
            ResidencePermit(
                number=f"R{prefix}{i:08d}",
                card_serial=f"T{prefix}{i:08d}",
                holder=ident,
                house=house,
                station_id=house.station_id,
                basis="residence",
                issued_on=valid_until - datetime.timedelta(days=365),
                valid_until=valid_until,
                continuous_since=valid_until - datetime.timedelta(days=365),
            )
            for i, ident in enumerate(identities)
        ]
    )


def test_reminder_selection_is_one_query_for_10_and_10000(django_assert_num_queries):
    today = D(2026, 2, 28)
    _bulk_permits(10, valid_until=D(2026, 3, 31), prefix="31")
    with django_assert_num_queries(1):
        assert len(permit_selectors.endorsement_reminders_due(today=today)) == 10
    _bulk_permits(9_990, valid_until=D(2026, 3, 30), prefix="32")
    with django_assert_num_queries(1):
        assert len(permit_selectors.endorsement_reminders_due(today=today)) == 10_000


# --- 4. late endorsement: continuity from the filing day -----------------------------------


def test_late_endorsement_counts_from_the_day_it_was_filed(monkeypatch):
    today = timezone.localdate()
    permit = _holder_with_permit(suspended=True)
    filed_on = today - datetime.timedelta(days=20)
    app = submitted(permit.holder, Service.RENEWAL)
    PermitApplication.objects.filter(pk=app.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime.combine(filed_on, datetime.time(10)))
    )
    app.refresh_from_db()
    staff = staff_for(app.station)
    svc.accept(user=staff["officer"], application=app)
    svc.approve(user=staff["officer"], application=app)
    svc.mark_produced(user=staff["clerk"], application=app)  # produced today, 20 days later
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.continuous_since == filed_on
    assert (
        permit.valid_until
        == rules.endorse(
            valid_until=D(2000, 1, 1), continuous_since=D(2000, 1, 1), endorsed_on=today
        )[0]
    )


# --- 5. residence counted across moves in the city ------------------------------------------


def test_moving_within_the_city_after_5_months_keeps_the_count():
    today = timezone.localdate()
    person = IdentityFactory(verified=True)
    first = RegistrationFactory(
        person=person, registered=True, since=today - datetime.timedelta(days=190)
    )
    from permits.selectors.registrations import residence_facts
    from permits.services.registrations import cancel_registration

    moved = today - datetime.timedelta(days=40)
    cancel_registration(registration=first, by=person.account, moved_on=moved)
    RegistrationFactory(person=person, registered=True, since=moved + datetime.timedelta(days=3))
    facts = residence_facts(person, today=today)
    assert facts.since == first.since and facts.months >= 6 and facts.long_enough
    assert svc.check_eligibility(user=person.account, person=person, service=Service.NEW) == []


def test_a_gap_of_more_than_30_days_starts_the_count_again():
    today = timezone.localdate()
    person = IdentityFactory(verified=True)
    first = RegistrationFactory(
        person=person, registered=True, since=today - datetime.timedelta(days=300)
    )
    from permits.selectors.registrations import residence_facts
    from permits.services.registrations import cancel_registration

    moved = today - datetime.timedelta(days=100)
    cancel_registration(registration=first, by=person.account, moved_on=moved)
    RegistrationFactory(person=person, registered=True, since=moved + datetime.timedelta(days=31))
    facts = residence_facts(person, today=today)
    assert facts.since == moved + datetime.timedelta(days=31)
    assert not facts.long_enough


# --- 6. agents -------------------------------------------------------------------------------


def test_an_agent_whose_identity_is_rejected_cannot_submit_for_a_dependent():
    agent = IdentityFactory(verified=True)
    child = IdentityFactory(verified=True, account=agent.account, dependent_minor=True)
    RegistrationFactory(
        person=child, registered=True, since=timezone.localdate() - datetime.timedelta(days=400)
    )
    draft = draft_ready(child, Service.NEW, user=agent.account)
    # the agent's own identity is later rejected
    from applicants.models import Identity

    Identity.objects.filter(pk=agent.pk).update(state=IdentityState.REJECTED)
    reasons = svc.check_eligibility(user=agent.account, person=child, service=Service.NEW)
    assert any("verify your own identity" in r for r in reasons)
    with pytest.raises(NotEligible):
        svc.submit(user=agent.account, application=draft, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT


@pytest.mark.parametrize(
    ("reason", "years", "eve_ok", "day_ok"),
    [("minor", 16, True, False), ("elderly", 60, False, True)],
)
def test_agent_ages_on_the_16th_and_60th_birthdays(reason, years, eve_ok, day_ok, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applicants.services import add_dependent
    from tests.factories import make_id_number, tiny_png

    agent = IdentityFactory(verified=True)
    today = timezone.localdate()
    birthday = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - years, day=28))
    )
    outcomes = []
    for n, born in enumerate((birthday + datetime.timedelta(days=1), birthday)):
        files = {
            name: SimpleUploadedFile(f"{name}.png", tiny_png(), content_type="image/png")
            for name in ("id_card_front", "id_card_back", "face_photo", "agent_proof")
        }
        number = make_id_number(900 + n, birth=born)
        try:
            add_dependent(
                account=agent.account,
                full_name=f"被代办人{n}",
                id_number=number,
                relationship="guardian",
                agent_reason=reason,
                **files,
            )
            outcomes.append(True)
        except InvalidInput:
            outcomes.append(False)
    assert outcomes == [eve_ok, day_ok]


# --- 8. household registration in this city --------------------------------------------------


def test_household_registration_in_the_city_is_told_plainly(settings):
    settings.CITY_REGION_CODES = ["460100"]
    person = registered_person(months=8)
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    with pytest.raises(RuleRefused) as exc:
        svc.save_answers(
            user=person.account, application=app, answers={"household_region": "460106"}
        )
    assert exc.value.code == "registered_in_city"
    assert "not for you" in str(exc.value)
    svc.save_answers(user=person.account, application=app, answers={"household_region": "110105"})
    assert app.answers["household_region"] == "110105"


# --- 9. the clock: working days, to production -----------------------------------------------


def test_an_approved_card_never_produced_shows_overdue():
    app = ApplicationFactory(accepted=True)
    staff = staff_for(app.station)
    svc.approve(user=staff["officer"], application=app)
    assert app.deadline is not None
    day_after = app.deadline + datetime.timedelta(days=1)
    assert app not in overdue_applications(staff["supervisor"], today=app.deadline)
    assert app in overdue_applications(staff["supervisor"], today=day_after)
    # a supervisor may still extend it (at most 30 days in total)
    svc.extend_deadline(user=staff["supervisor"], application=app, days=5, reason="设备故障")
    assert app.state == ApplicationState.APPROVED


# --- 10. deemed acceptance -------------------------------------------------------------------


def _submitted_on(day, n=1, *, prefix="40"):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))
    if n == 1:
        app = ApplicationFactory(submitted=True)
        PermitApplication.objects.filter(pk=app.pk).update(submitted_at=moment)
        return [app]
    from applicants.models import Identity, User

    registration = RegistrationFactory(registered=True)
    users = User.objects.bulk_create(
        [User(phone=f"+86136{prefix}{i:06d}", password="!") for i in range(n)]
    )
    people = Identity.objects.bulk_create(
        [
            Identity(
                account=u,
                full_name=f"申请人{i}",
                id_number=f"{prefix}{i:016d}",
                birth_date=D(1990, 1, 1),
                sex="M",
            )
            for i, u in enumerate(users)
        ]
    )
    return PermitApplication.objects.bulk_create(
        [
            PermitApplication(
                service=Service.NEW,
                filed_by=person.account,
                person=person,
                station_id=registration.station_id,
                registration=registration,
                basis="residence",
                state=ApplicationState.SUBMITTED,
                submitted_at=moment,
            )
            for person in people
        ]
    )


def test_a_submission_unanswered_for_5_working_days_is_deemed_accepted(settings):
    settings.DEADLINE_DAY_MODE = "working"
    (app,) = _submitted_on(D(2026, 3, 2))  # Monday; the station may answer until Mon 03-09
    assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 3, 9)) == 0  # eve
    assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 3, 10)) == 1  # day
    assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 3, 11)) == 0  # after
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.deadline == rules.decision_deadline(D(2026, 3, 2), mode=rules.DayMode.WORKING)
    log = ApplicationTransition.objects.get(application=app)
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "deem_accepted",
        "submitted",
        "accepted",
        None,
    )
    # the applicant is told once, however often the notices run
    permit_services.notify_deemed_accepted(application_ids=[app.pk])
    permit_services.notify_deemed_accepted(application_ids=[app.pk])
    assert Notification.objects.filter(kind="application_accepted").count() == 1


def test_deemed_acceptance_off_with_zero(settings):
    settings.DEEMED_ACCEPTANCE_WORKING_DAYS = 0
    _submitted_on(D(2026, 3, 2))
    assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 4, 1)) == 0


def test_deemed_acceptance_is_set_based_for_10_and_10000(django_assert_num_queries):
    _submitted_on(D(2026, 3, 2), 10, prefix="41")
    # savepoint, first day, UPDATE, INSERT ... SELECT, the accounts' page generations, release
    with django_assert_num_queries(6):
        assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 3, 10)) == 10
    _submitted_on(D(2026, 3, 3), 10_000, prefix="42")
    with django_assert_num_queries(6):
        assert permit_services.deem_overdue_submissions_accepted(today=D(2026, 3, 11)) == 10_000
    assert ApplicationTransition.objects.filter(transition="deem_accepted").count() == 10_010


# --- 11. the change deadline moves off rest days ---------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "late"),
    [(D(2026, 2, 19), False), (D(2026, 2, 24), False), (D(2026, 2, 25), True)],
)
def test_a_change_due_on_a_holiday_is_on_time_the_next_working_day(filed_on, late, monkeypatch):
    """Changed 2026-01-20: + 30 days = 02-19, in the Spring Festival holiday: due 02-24."""
    from core import clock

    permit = _holder_with_permit()
    answers = {"changed_field": "employer", "new_value": "新单位", "changed_on": "2026-01-20"}
    draft = draft_ready(permit.holder, Service.CHANGE, answers=answers)
    monkeypatch.setattr(clock, "today", lambda: filed_on)
    svc.submit(user=permit.holder.account, application=draft, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.is_late is late


def test_the_deemed_acceptance_job_run_twice_notifies_once():
    from permits.tasks import deem_submissions_accepted

    (app,) = _submitted_on(timezone.localdate() - datetime.timedelta(days=20))
    assert deem_submissions_accepted.delay() is not None
    deem_submissions_accepted.delay()
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    notices = Notification.objects.filter(kind="application_accepted", recipient=app.filed_by)
    assert notices.count() == 1


def test_the_reminder_job_run_twice_notifies_once():
    from dateutil.relativedelta import relativedelta

    from permits.tasks import send_endorsement_reminders

    permit = _holder_with_permit(valid_until=timezone.localdate() + relativedelta(months=1))
    send_endorsement_reminders.delay()
    send_endorsement_reminders.delay()
    notices = Notification.objects.filter(kind="endorsement_due", recipient=permit.holder.account)
    assert notices.count() == 1


def test_the_new_permit_page_asks_the_household_place_and_refuses_this_city(client, settings):
    settings.CITY_REGION_CODES = ["460100"]
    person = registered_person(months=8)
    login(client, person)
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    page = client.get(url("application_step_details", app.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="household_region"' in text(page)
    response = client.post(
        url("application_step_details", app.pk),
        {"household_region": "460106"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "the residence permit is not for you" in text(response)
    app.refresh_from_db()
    assert not app.answers.get("household_region")
