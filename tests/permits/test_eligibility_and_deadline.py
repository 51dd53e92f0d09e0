"""Eligibility in plain words, and the statutory clock as the services apply it (calendar or
working days by setting, with China's make-up working days)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import NotEligible
from permits.services import applications as svc
from tests.factories import IdentityFactory, UserFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import registered_person, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_new_permit_needs_more_than_half_a_year_in_plain_words():
    person = registered_person(months=4)
    reasons = svc.check_eligibility(user=person.account, person=person, service=Service.NEW)
    assert len(reasons) == 1
    assert "for 4 months" in reasons[0] and "at least half a year" in reasons[0]
    with pytest.raises(NotEligible) as exc:
        svc.start_application(
            user=person.account, person=person, service=Service.NEW, basis="residence"
        )
    assert exc.value.reasons == reasons
    assert "4 months" in str(exc.value)


def test_reasons_are_translated_to_the_callers_language():
    from django.utils import translation

    person = registered_person(months=4)
    with translation.override("zh-hans"):
        zh = svc.check_eligibility(user=person.account, person=person, service=Service.NEW)
    with translation.override("en"):
        en = svc.check_eligibility(user=person.account, person=person, service=Service.NEW)
    assert en[0].startswith("Lived in the city for 4 months")
    assert zh[0] != en[0] and "4" in zh[0]  # the caller's language


def test_no_registration_no_permit_and_other_reasons_are_all_listed():
    person = IdentityFactory(verified=True)
    assert svc.check_eligibility(user=person.account, person=person, service=Service.NEW) == [
        "Register the residence in the city first (居住登记)."
    ]
    for service in (Service.RENEWAL, Service.CHANGE, Service.REPLACEMENT):
        reasons = svc.check_eligibility(user=person.account, person=person, service=service)
        assert len(reasons) == 2, service


def test_a_held_permit_blocks_a_new_one():
    permit = PermitFactory()
    from tests.factories import RegistrationFactory

    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    reasons = svc.check_eligibility(
        user=permit.holder.account, person=permit.holder, service=Service.NEW
    )
    assert any("already held" in r for r in reasons)


def test_only_the_account_that_filed_the_person_may_apply():
    person = registered_person(months=8)
    reasons = svc.check_eligibility(user=UserFactory(), person=person, service=Service.NEW)
    assert reasons and "agent" in reasons[0]


def test_deadline_is_day_15_in_calendar_mode(settings):
    settings.DEADLINE_DAY_MODE = "calendar"
    app = ApplicationFactory(
        accepted=True, accepted_at=datetime.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
    )
    assert app.compute_deadline() == datetime.date(2026, 10, 15)


def test_deadline_in_working_days_over_national_day_with_make_up_saturday(settings):
    """Accepted Wed 2026-09-30: Oct 1-7 off; Thu 8, Fri 9, Sat 10 (make-up working day), then
    Oct 12-16, 19-23, 26-27: the 15th working day is Tue 2026-10-27."""
    settings.DEADLINE_DAY_MODE = "working"
    app = ApplicationFactory(
        accepted=True, accepted_at=datetime.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
    )
    assert app.compute_deadline() == datetime.date(2026, 10, 27)
    staff = staff_for(app.station)
    svc.extend_deadline(user=staff["supervisor"], application=app, days=3, reason="特殊情况")
    assert app.deadline == datetime.date(2026, 10, 30)


def test_accept_sets_the_deadline_from_today():
    app = ApplicationFactory(submitted=True)
    staff = staff_for(app.station)
    svc.accept(user=staff["officer"], application=app)
    from permits import rules

    assert app.deadline == rules.decision_deadline(
        timezone.localdate(), mode=rules.DayMode.WORKING
    )  # working days by default (seed 004)
    assert app.accepted_by == staff["officer"]
