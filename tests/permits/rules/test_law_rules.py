"""Issue 13: the rules of the unhappy paths, each at its date boundary (the eve, the day, the
day after)."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from permits import rules
from permits.rules import DayMode, RuleViolation

CAL = DayMode.CALENDAR
WORK = DayMode.WORKING


# --- 3. reminders on the day the renewal window opens, and 7 days before ----------------------


@pytest.mark.parametrize("valid_until", [date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31)])
def test_reminder_never_before_the_window_opens_end_of_february(valid_until):
    """Valid until Mar 29-31 2026: the window opens Feb 28 (clamped); the reminder comes that
    day, not 30 days before (Feb 27-Mar 1), when acting on it would be refused."""
    assert rules.renewal_opens_on(valid_until) == date(2026, 2, 28)
    assert rules.endorsement_reminder_due(valid_until, date(2026, 2, 27)) is None
    assert rules.endorsement_reminder_due(valid_until, date(2026, 2, 28)) == "window"
    assert rules.endorsement_reminder_due(valid_until, date(2026, 3, 1)) == "window"  # catch-up
    lo, hi = rules.expiries_reminded_on(date(2026, 2, 28))["window"]
    assert lo <= valid_until <= hi
    lo, hi = rules.expiries_reminded_on(date(2026, 2, 27))["window"]
    assert not lo <= valid_until <= hi


def test_week_reminder_eve_day_after_and_never_after_expiry():
    valid_until = date(2026, 6, 15)
    assert rules.endorsement_reminder_due(valid_until, date(2026, 6, 7)) is None  # the eve
    assert rules.endorsement_reminder_due(valid_until, date(2026, 6, 8)) == "week"
    assert rules.endorsement_reminder_due(valid_until, date(2026, 6, 9)) == "week"
    assert rules.endorsement_reminder_due(valid_until, date(2026, 6, 12)) is None
    assert rules.endorsement_reminder_due(valid_until, date(2026, 6, 16)) is None


def test_window_reminder_catch_up_is_bounded():
    valid_until = date(2026, 6, 15)  # opens May 15
    assert rules.endorsement_reminder_due(valid_until, date(2026, 5, 14)) is None
    assert rules.endorsement_reminder_due(valid_until, date(2026, 5, 15)) == "window"
    assert rules.endorsement_reminder_due(valid_until, date(2026, 5, 18)) == "window"
    assert rules.endorsement_reminder_due(valid_until, date(2026, 5, 19)) is None


@pytest.mark.parametrize("today", [date(2026, 1, 31) + timedelta(days=n) for n in range(0, 400, 7)])
def test_expiry_ranges_agree_with_the_rule(today):
    ranges = rules.expiries_reminded_on(today)
    for offset in range(0, 40):
        valid_until = today + timedelta(days=offset)
        which = rules.endorsement_reminder_due(valid_until, today)
        inside = [k for k, (lo, hi) in ranges.items() if lo <= valid_until <= hi]
        assert (which is None) == (not inside), (today, valid_until)
        if which:
            assert inside == [which]


# --- 4. late endorsement: continuity from the filing day ------------------------------------


def test_late_endorsement_counts_from_the_filing_day_not_production():
    new_valid, since = rules.endorse(
        valid_until=date(2026, 3, 15),
        continuous_since=date(2020, 3, 15),
        endorsed_on=date(2026, 4, 30),  # the station took six weeks
        applied_on=date(2026, 3, 16),  # the day after expiry: late
    )
    assert since == date(2026, 3, 16)
    assert new_valid == date(2027, 4, 30)
    # the eve: filed on the last valid day, on time, continuity kept
    assert rules.endorse(
        valid_until=date(2026, 3, 15),
        continuous_since=date(2020, 3, 15),
        endorsed_on=date(2026, 4, 30),
        applied_on=date(2026, 3, 15),
    ) == (date(2027, 3, 15), date(2020, 3, 15))


# --- 5. residence counted across moves within the city --------------------------------------


def test_moving_within_the_city_keeps_counting():
    periods = [(date(2026, 1, 5), date(2026, 6, 1)), (date(2026, 6, 1), None)]
    assert rules.residence_chain_start(periods) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("moved_in", "start"),
    [
        (date(2026, 7, 1), date(2026, 1, 5)),  # 30 days after moving out: unbroken
        (date(2026, 7, 2), date(2026, 7, 2)),  # 31 days: broken
        (date(2026, 6, 30), date(2026, 1, 5)),
    ],
)
def test_a_gap_of_more_than_30_days_breaks_the_chain(moved_in, start):
    periods = [(date(2026, 1, 5), date(2026, 6, 1)), (moved_in, None)]
    assert rules.residence_chain_start(periods) == start


def test_chain_needs_a_registration_in_force_and_follows_several_moves():
    assert rules.residence_chain_start([]) is None
    assert rules.residence_chain_start([(date(2026, 1, 5), date(2026, 6, 1))]) is None
    periods = [
        (date(2024, 1, 1), date(2024, 3, 1)),  # then 40 days away: not counted
        (date(2024, 4, 10), date(2025, 1, 1)),
        (date(2025, 1, 20), date(2025, 9, 1)),
        (date(2025, 9, 1), None),
    ]
    assert rules.residence_chain_start(periods) == date(2024, 4, 10)


# --- 7. half a year inclusive (covered in test_rules.py), the message -----------------------


def test_too_short_message_says_at_least_half_a_year_in_both_languages():
    kwargs = {
        "identity_verified": True,
        "registered_since": date(2026, 1, 10),
        "on": date(2026, 7, 9),
        "has_current_permit": False,
        "check_basis": False,
    }
    (refusal,) = rules.new_permit_refusals(**kwargs)
    with translation.override("en"):
        assert "at least half a year (6 months" in str(refusal)
        assert "2026-07-10" in str(refusal)
    with translation.override("zh-hans"):
        assert "半年以上" in str(refusal) and "2026-07-10" in str(refusal)
    assert rules.new_permit_refusals(**{**kwargs, "on": date(2026, 7, 10)}) == []


# --- 8. household registration outside the city --------------------------------------------


def test_household_registration_in_the_city_is_refused_plainly():
    city = ["460100"]
    rules.check_household_registration("110105", city)
    rules.check_household_registration("469001", city)  # another place in the province
    for code in ("460100", "460105", "460108"):
        with pytest.raises(RuleViolation) as exc:
            rules.check_household_registration(code, city)
        assert exc.value.code == "registered_in_city"
    with translation.override("en"):
        assert "not for you" in str(exc.value)
    with pytest.raises(RuleViolation) as exc:
        rules.check_household_registration("46010", city)
    assert exc.value.code == "bad_region_code"
    assert rules.is_in_city("460106", ["460000"])  # a province code covers the province
    assert not rules.is_in_city("450106", ["460000"])


def test_new_permit_refusals_include_the_household_rule():
    refusals = rules.new_permit_refusals(
        identity_verified=True,
        registered_since=date(2025, 1, 1),
        on=date(2026, 1, 1),
        has_current_permit=False,
        basis="study",
        household_region="460106",
        city_region_codes=["460100"],
    )
    assert [r.code for r in refusals] == ["registered_in_city"]


# --- 6. agents --------------------------------------------------------------------------------


def test_agent_needs_a_verified_identity():
    assert rules.agent_refusals(is_dependent=False, agent_verified=False) == []
    assert rules.agent_refusals(is_dependent=True, agent_verified=True) == []
    (refusal,) = rules.agent_refusals(is_dependent=True, agent_verified=False)
    assert refusal.code == "agent_not_verified"


# --- 9. the clock: rest days ---------------------------------------------------------------


def test_next_working_day_over_national_day_with_make_up_saturday():
    assert rules.next_working_day(date(2026, 9, 30)) == date(2026, 9, 30)
    assert rules.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert rules.next_working_day(date(2026, 10, 10)) == date(2026, 10, 10)  # make-up Saturday


def test_calendar_deadline_on_a_rest_day_moves_to_the_next_working_day():
    # accepted Fri 2026-09-18: + 15 = Sat 2026-10-03 (National Day) -> Thu 2026-10-08
    assert rules.decision_deadline(date(2026, 9, 18), mode=CAL) == date(2026, 10, 8)
    # the eve: accepted Tue 2026-09-15 -> Wed 2026-09-30, a working day: unchanged
    assert rules.decision_deadline(date(2026, 9, 15), mode=CAL) == date(2026, 9, 30)
    # an extension landing on Sunday 2026-03-22 -> Monday 03-23
    assert rules.extended_deadline(date(2026, 3, 17), 5, mode=CAL) == date(2026, 3, 23)


def test_working_day_deadline_is_15_working_days():
    # accepted Mon 2026-03-02: 15 working days -> Mon 2026-03-23
    assert rules.decision_deadline(date(2026, 3, 2), mode=WORK) == date(2026, 3, 23)


def test_default_day_mode_is_working(settings):
    del settings.DEADLINE_DAY_MODE
    assert rules.configured_day_mode() is DayMode.WORKING


# --- 10. deemed acceptance after 5 working days --------------------------------------------


def test_deemed_acceptance_eve_day_after():
    submitted = date(2026, 3, 2)  # Monday; 5 working days: Mar 3, 4, 5, 6, 9
    assert not rules.is_deemed_accepted(submitted, date(2026, 3, 9))  # the last day to answer
    assert rules.is_deemed_accepted(submitted, date(2026, 3, 10))
    assert rules.is_deemed_accepted(submitted, date(2026, 3, 11))
    assert rules.deemed_acceptance_cutoff(date(2026, 3, 10)) == date(2026, 3, 2)
    assert not rules.is_deemed_accepted(submitted, date(2026, 3, 20), days=0)
    assert rules.deemed_acceptance_cutoff(date(2026, 3, 20), 0) is None


def test_deemed_acceptance_over_national_day():
    submitted = date(2026, 9, 29)  # Tue; working days Sep 30, Oct 8, 9, 10 (Sat), 12
    assert not rules.is_deemed_accepted(submitted, date(2026, 10, 12))
    assert rules.is_deemed_accepted(submitted, date(2026, 10, 13))


# --- 11. change deadline off rest days ------------------------------------------------------


def test_change_deadline_on_a_holiday_moves_to_the_next_working_day():
    changed = date(2026, 1, 20)  # + 30 = Thu 2026-02-19, Spring Festival (Feb 15-23)
    assert rules.change_due_by(changed) == date(2026, 2, 24)
    assert not rules.is_change_late(changed, date(2026, 2, 24))
    assert rules.is_change_late(changed, date(2026, 2, 25))
    # + 30 = Sat 2026-03-14 -> Mon 03-16
    assert rules.change_due_by(date(2026, 2, 12)) == date(2026, 3, 16)
    assert not rules.is_change_late(date(2026, 2, 12), date(2026, 3, 16))
    assert rules.is_change_late(date(2026, 2, 12), date(2026, 3, 17))


# --- 1. a withdrawn lost-card replacement ---------------------------------------------------


def test_status_after_a_withdrawn_loss_report():
    assert (
        rules.status_after_lost_report_withdrawn(valid_until=date(2026, 5, 1), on=date(2026, 5, 1))
        == "active"
    )
    assert (
        rules.status_after_lost_report_withdrawn(valid_until=date(2026, 5, 1), on=date(2026, 5, 2))
        == "suspended"
    )
