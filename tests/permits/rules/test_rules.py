"""Date tests for permits.rules: each rule at its boundary (the eve, the day, the day after)."""

from datetime import date, timedelta

import holidays
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation

from permits import rules
from permits.rules import DayMode, RenewalWindow, RuleViolation

CAL = DayMode.CALENDAR
WORK = DayMode.WORKING


# --- Constants ------------------------------------------------------------------------------------


def test_statutory_numbers():
    assert rules.DECISION_DAYS == 15
    assert rules.MAX_EXTENSION_DAYS == 30
    assert rules.CHANGE_DUE_DAYS == 30
    assert rules.ENDORSEMENT_TERM_YEARS == 1
    assert rules.RESIDENCE_MONTHS_REQUIRED == 6


def test_every_public_rule_names_its_source():
    """A seed, a statute's article, or the issue that decided it (the papers of issue 16)."""
    for name in rules.__all__:
        obj = getattr(rules, name)
        if callable(obj) and not isinstance(obj, type) and name != "configured_day_mode":
            doc = obj.__doc__ or ""
            assert any(source in doc for source in ("Seed", "seed", "Art.", "Issue")), name


# --- Half a year of residence (seed 003) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "eve", "first_day"),
    [
        (date(2025, 3, 15), date(2025, 9, 14), date(2025, 9, 15)),
        (date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1)),
        # month end: Aug 31 + 6 months is clamped to Feb 28 (Feb 29 in a leap year)
        (date(2025, 8, 31), date(2026, 2, 27), date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 28), date(2024, 2, 29)),
        (date(2025, 8, 30), date(2026, 2, 27), date(2026, 2, 28)),
        # Dec 31 + 6 months = Jun 30
        (date(2025, 12, 31), date(2026, 6, 29), date(2026, 6, 30)),
        # registered on a leap day
        (date(2024, 2, 29), date(2024, 8, 28), date(2024, 8, 29)),
    ],
)
def test_half_a_year_is_inclusive_the_same_day_number_six_months_later(since, eve, first_day):
    """Civil Code Art. 1259: 半年以上 includes half a year (issue 13, point 7)."""
    assert not rules.has_resided_long_enough(since, eve)
    assert rules.has_resided_long_enough(since, first_day)
    assert rules.has_resided_long_enough(since, first_day + timedelta(days=1))
    assert rules.residence_eligible_from(since) == first_day


def test_not_resided_on_the_day_of_registration_or_before():
    assert not rules.has_resided_long_enough(date(2025, 3, 15), date(2025, 3, 15))
    assert not rules.has_resided_long_enough(date(2025, 3, 15), date(2024, 3, 15))


@pytest.mark.parametrize(
    ("since", "on", "months"),
    [
        (date(2025, 3, 15), date(2025, 3, 15), 0),
        (date(2025, 3, 15), date(2025, 1, 1), 0),
        (date(2025, 3, 15), date(2025, 4, 14), 0),
        (date(2025, 3, 15), date(2025, 4, 15), 1),
        (date(2025, 3, 15), date(2025, 7, 20), 4),
        (date(2025, 3, 15), date(2025, 9, 15), 6),
        (date(2025, 8, 31), date(2026, 2, 27), 5),
        (date(2025, 8, 31), date(2026, 2, 28), 6),
        (date(2024, 1, 10), date(2026, 1, 10), 24),
    ],
)
def test_months_resided(since, on, months):
    assert rules.months_resided(since, on) == months


def test_exactly_six_months_resided_is_enough():
    since, on = date(2025, 3, 15), date(2025, 9, 15)
    assert rules.months_resided(since, on) == 6
    assert rules.has_resided_long_enough(since, on)


def test_check_new_permit_refusals_in_order():
    ok = {
        "identity_verified": True,
        "registered_since": date(2025, 1, 1),
        "on": date(2025, 7, 1),
        "basis": "employment",
        "has_current_permit": False,
    }
    rules.check_new_permit(**ok)
    cases = [
        ({"identity_verified": False}, "identity_not_verified"),
        ({"registered_since": None}, "not_registered"),
        ({"on": date(2025, 6, 30)}, "residence_too_short"),
        ({"basis": ""}, "no_basis"),
        ({"has_current_permit": True}, "already_has_permit"),
    ]
    for change, code in cases:
        with pytest.raises(RuleViolation) as exc:
            rules.check_new_permit(**{**ok, **change})
        assert exc.value.code == code


def test_residence_too_short_message_says_months_and_date():
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        rules.check_new_permit(
            identity_verified=True,
            registered_since=date(2025, 3, 15),
            on=date(2025, 7, 20),
            basis="study",
            has_current_permit=False,
        )
    with translation.override("en"):
        text = str(exc.value)
    assert "4 months" in text and "at least half a year" in text
    assert "2025-09-15" in text


# --- New permit validity (seeds 001, 002) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "valid_until"),
    [
        (date(2025, 6, 10), date(2026, 6, 10)),
        (date(2025, 12, 31), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_new_permit_valid_one_year(issued, valid_until):
    assert rules.new_permit_valid_until(issued) == valid_until


# --- Renewal window (seed 002) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until", "opens"),
    [
        (date(2026, 3, 15), date(2026, 2, 15)),
        (date(2026, 3, 31), date(2026, 2, 28)),
        (date(2028, 3, 31), date(2028, 2, 29)),
        (date(2026, 1, 10), date(2025, 12, 10)),
        (date(2028, 2, 29), date(2028, 1, 29)),
    ],
)
def test_renewal_opens_one_month_before(valid_until, opens):
    assert rules.renewal_opens_on(valid_until) == opens


def test_renewal_window_boundaries():
    valid_until = date(2026, 3, 15)
    assert rules.renewal_window(valid_until, date(2025, 3, 16)) == RenewalWindow.TOO_EARLY
    assert rules.renewal_window(valid_until, date(2026, 2, 14)) == RenewalWindow.TOO_EARLY
    assert rules.renewal_window(valid_until, date(2026, 2, 15)) == RenewalWindow.OPEN
    assert rules.renewal_window(valid_until, date(2026, 3, 14)) == RenewalWindow.OPEN
    assert rules.renewal_window(valid_until, date(2026, 3, 15)) == RenewalWindow.OPEN
    assert rules.renewal_window(valid_until, date(2026, 3, 16)) == RenewalWindow.LATE
    assert rules.renewal_window(valid_until, date(2027, 1, 1)) == RenewalWindow.LATE


def test_renewal_window_leap_day_valid_until():
    valid_until = date(2028, 2, 29)
    assert rules.renewal_window(valid_until, date(2028, 1, 28)) == RenewalWindow.TOO_EARLY
    assert rules.renewal_window(valid_until, date(2028, 1, 29)) == RenewalWindow.OPEN
    assert rules.renewal_window(valid_until, date(2028, 2, 29)) == RenewalWindow.OPEN
    assert rules.renewal_window(valid_until, date(2028, 3, 1)) == RenewalWindow.LATE
    assert not rules.is_endorsement_overdue(valid_until, date(2028, 2, 29))
    assert rules.is_endorsement_overdue(valid_until, date(2028, 3, 1))


def test_check_renewal_window_refuses_too_early_with_dates():
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        rules.check_renewal_window(date(2026, 3, 15), date(2026, 2, 14))
    assert exc.value.code == "renewal_too_early"
    assert "2026-02-15" in str(exc.value)
    assert rules.check_renewal_window(date(2026, 3, 15), date(2026, 2, 15)) == RenewalWindow.OPEN
    assert rules.check_renewal_window(date(2026, 3, 15), date(2026, 3, 16)) == RenewalWindow.LATE


def test_endorsement_overdue_boundaries():
    valid_until = date(2026, 3, 15)
    assert not rules.is_endorsement_overdue(valid_until, date(2026, 3, 14))
    assert not rules.is_endorsement_overdue(valid_until, date(2026, 3, 15))
    assert rules.is_endorsement_overdue(valid_until, date(2026, 3, 16))


# --- Endorsement (seeds 002, 003) -----------------------------------------------------------------


def test_endorse_on_time_adds_a_year_and_keeps_continuity():
    since = date(2022, 3, 15)
    for endorsed_on in (date(2026, 2, 15), date(2026, 3, 1), date(2026, 3, 15)):
        assert rules.endorse(
            valid_until=date(2026, 3, 15), continuous_since=since, endorsed_on=endorsed_on
        ) == (date(2027, 3, 15), since)


def test_endorse_late_restores_from_the_endorsement_date():
    since = date(2022, 3, 15)
    assert rules.endorse(
        valid_until=date(2026, 3, 15), continuous_since=since, endorsed_on=date(2026, 3, 16)
    ) == (date(2027, 3, 16), date(2026, 3, 16))
    assert rules.endorse(
        valid_until=date(2026, 3, 15), continuous_since=since, endorsed_on=date(2026, 11, 2)
    ) == (date(2027, 11, 2), date(2026, 11, 2))


def test_endorse_late_on_a_leap_day():
    assert rules.endorse(
        valid_until=date(2028, 1, 31),
        continuous_since=date(2020, 1, 31),
        endorsed_on=date(2028, 2, 29),
    ) == (date(2029, 2, 28), date(2028, 2, 29))


def test_endorse_leap_day_valid_until_on_time():
    assert rules.endorse(
        valid_until=date(2028, 2, 29),
        continuous_since=date(2027, 2, 28),
        endorsed_on=date(2028, 2, 1),
    ) == (date(2029, 2, 28), date(2027, 2, 28))


def test_endorse_applied_in_window_finished_after_expiry_is_on_time():
    since = date(2022, 3, 15)
    assert rules.endorse(
        valid_until=date(2026, 3, 15),
        continuous_since=since,
        endorsed_on=date(2026, 3, 25),
        applied_on=date(2026, 3, 10),
    ) == (date(2027, 3, 15), since)
    # applied late: the late rule; residence counted from the day the holder filed it
    assert rules.endorse(
        valid_until=date(2026, 3, 15),
        continuous_since=since,
        endorsed_on=date(2026, 3, 25),
        applied_on=date(2026, 3, 16),
    ) == (date(2027, 3, 25), date(2026, 3, 16))


def test_endorse_before_the_window_is_refused():
    with pytest.raises(RuleViolation) as exc:
        rules.endorse(
            valid_until=date(2026, 3, 15),
            continuous_since=date(2022, 3, 15),
            endorsed_on=date(2026, 2, 14),
        )
    assert exc.value.code == "renewal_too_early"


def test_new_permit_then_endorsement_chain_is_consistent():
    valid_until = rules.new_permit_valid_until(date(2025, 6, 10))
    valid_until, since = rules.endorse(
        valid_until=valid_until, continuous_since=date(2025, 6, 10), endorsed_on=date(2026, 6, 1)
    )
    assert (valid_until, since) == (date(2027, 6, 10), date(2025, 6, 10))


def test_reminder_dates():
    assert rules.endorsement_reminder_dates(date(2026, 3, 15)) == (
        date(2026, 2, 15),
        date(2026, 3, 8),
    )
    assert rules.endorsement_reminder_dates(date(2028, 2, 29)) == (
        date(2028, 1, 29),
        date(2028, 2, 22),
    )


# --- Change of details (seed 002) -----------------------------------------------------------------


def test_change_due_thirty_days_after():
    changed = date(2026, 3, 2)  # + 30 days = Wed 2026-04-01, a working day
    assert rules.change_due_by(changed) == date(2026, 4, 1)
    assert not rules.is_change_late(changed, date(2026, 3, 2))
    assert not rules.is_change_late(changed, date(2026, 3, 31))
    assert not rules.is_change_late(changed, date(2026, 4, 1))
    assert rules.is_change_late(changed, date(2026, 4, 2))


def test_change_due_across_february_of_a_leap_year():
    assert rules.change_due_by(date(2028, 2, 1)) == date(2028, 3, 2)
    assert rules.change_due_by(date(2027, 2, 1)) == date(2027, 3, 3)


def test_change_date_cannot_be_in_the_future():
    rules.check_change_date(date(2026, 1, 20), date(2026, 1, 20))
    with pytest.raises(RuleViolation) as exc:
        rules.check_change_date(date(2026, 1, 21), date(2026, 1, 20))
    assert exc.value.code == "change_in_future"


# --- Deadline: 15 days, extension at most 30 (seed 001) -------------------------------------------


def test_decision_deadline_calendar_day_15():
    accepted = date(2026, 3, 2)
    deadline = rules.decision_deadline(accepted, mode=CAL)
    assert deadline == date(2026, 3, 17)
    assert not rules.is_overdue(deadline, date(2026, 3, 16))
    assert not rules.is_overdue(deadline, date(2026, 3, 17))
    assert rules.is_overdue(deadline, date(2026, 3, 18))
    assert rules.days_until(deadline, date(2026, 3, 16)) == 1
    assert rules.days_until(deadline, date(2026, 3, 17)) == 0
    assert rules.days_until(deadline, date(2026, 3, 18)) == -1
    assert rules.days_until(deadline, accepted) == 15


def test_decision_deadline_pause_extends_it():
    accepted = date(2026, 3, 2)
    # Mar 22 2026 is a Sunday: the deadline moves to Monday (Civil Code Art. 203)
    assert rules.decision_deadline(accepted, mode=CAL, paused_days=5) == date(2026, 3, 23)
    assert rules.decision_deadline(accepted, mode=CAL, paused_days=0) == date(2026, 3, 17)
    with pytest.raises(ValueError):
        rules.decision_deadline(accepted, mode=CAL, paused_days=-1)


def test_decision_deadline_accepts_mode_as_string():
    assert rules.decision_deadline(date(2026, 3, 2), mode="calendar") == date(2026, 3, 17)


@pytest.mark.parametrize("days", [1, 15, 29, 30])
def test_extension_within_limit(days):
    deadline = date(2026, 3, 17)
    assert rules.extended_deadline(deadline, days, mode=CAL) == date.fromordinal(
        deadline.toordinal() + days
    )


def test_extension_thirty_days_exactly():
    assert rules.extended_deadline(date(2026, 3, 17), 30, mode=CAL) == date(2026, 4, 16)


@pytest.mark.parametrize("days", [0, 31, -1, 100, True, 1.5, "10"])
def test_extension_outside_limit_is_refused(days):
    with pytest.raises(RuleViolation) as exc:
        rules.extended_deadline(date(2026, 3, 17), days, mode=CAL)
    assert exc.value.code == "extension_out_of_range"
    assert exc.value.params["max"] == 30


def test_extension_message_is_translatable_english_source():
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        rules.extended_deadline(date(2026, 3, 17), 31, mode=CAL)
    with translation.override("en"):
        text = str(exc.value)
        error = exc.value.as_validation_error()
    assert text == "An extension must be between 1 and 30 days; 31 days were asked."
    assert isinstance(exc.value, ValueError)
    assert isinstance(error, ValidationError)
    assert error.code == "extension_out_of_range"
    with translation.override("en"):
        assert error.messages == [text]


# --- Working days with China's holidays and make-up working days (seeds 001, 004) -----------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 26), True),  # Friday
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, make-up working day for National Day 2025
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 6), False),  # Mid-Autumn Festival (Monday)
        (date(2025, 10, 8), False),  # day off in exchange (Wednesday)
        (date(2025, 10, 9), True),  # Thursday, back to work
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),  # Sunday
        (date(2025, 1, 26), True),  # Sunday, make-up working day for Spring Festival 2025
        (date(2025, 2, 4), False),  # Tuesday off (Spring Festival 2025)
        (date(2025, 2, 8), True),  # Saturday, make-up working day
        (date(2026, 2, 14), True),  # Saturday, make-up working day for Spring Festival 2026
        (date(2026, 2, 16), False),  # Chinese New Year's Eve
        (date(2026, 2, 23), False),  # Monday off
        (date(2026, 2, 24), True),  # back to work
        (date(2026, 2, 28), True),  # Saturday, make-up working day
    ],
)
def test_is_working_day(day, working):
    assert rules.is_working_day(day) is working


def test_working_days_skip_national_day_golden_week_2025():
    # Fri Sep 26 -> the next working day is Sunday Sep 28 (make-up), not Monday Sep 29
    assert rules.add_days(date(2025, 9, 26), 1, mode=WORK) == date(2025, 9, 28)
    # Tue Sep 30 -> Oct 1-8 are off -> Thu Oct 9
    assert rules.add_days(date(2025, 9, 30), 1, mode=WORK) == date(2025, 10, 9)
    # Oct 9, Oct 10, then Saturday Oct 11 (make-up) is the third
    assert rules.add_days(date(2025, 9, 30), 3, mode=WORK) == date(2025, 10, 11)
    # Sunday Oct 12 is an ordinary weekend day again
    assert rules.add_days(date(2025, 10, 11), 1, mode=WORK) == date(2025, 10, 13)
    # calendar mode ignores all of it
    assert rules.add_days(date(2025, 9, 30), 1, mode=CAL) == date(2025, 10, 1)


def test_decision_deadline_working_days_over_national_day_2025():
    accepted = date(2025, 9, 26)
    # Sep 28, 29, 30, Oct 9, 10, 11 (Sat), 13-17, 20, 21, 22, 23 -> 15th working day is Oct 23
    deadline = rules.decision_deadline(accepted, mode=WORK)
    assert deadline == date(2025, 10, 23)
    assert rules.decision_deadline(accepted, mode=CAL) == date(2025, 10, 11)
    assert not rules.is_overdue(deadline, date(2025, 10, 23))
    assert rules.is_overdue(deadline, date(2025, 10, 24))


def test_working_days_over_spring_festival_2026():
    # Fri Feb 13 -> Saturday Feb 14 is a make-up working day
    assert rules.add_days(date(2026, 2, 13), 1, mode=WORK) == date(2026, 2, 14)
    # Feb 15-23 are off -> Tue Feb 24
    assert rules.add_days(date(2026, 2, 14), 1, mode=WORK) == date(2026, 2, 24)
    # Thu Feb 12: Feb 13, 14, 24, 25, 26, 27, 28 (Sat), Mar 2-6, Mar 9, 10, 11
    assert rules.decision_deadline(date(2026, 2, 12), mode=WORK) == date(2026, 3, 11)


def test_working_days_over_spring_festival_2025():
    # Fri Jan 24 -> Sunday Jan 26 (make-up), Mon Jan 27, then Jan 28 - Feb 4 off -> Wed Feb 5
    assert rules.add_days(date(2025, 1, 24), 1, mode=WORK) == date(2025, 1, 26)
    assert rules.add_days(date(2025, 1, 24), 3, mode=WORK) == date(2025, 2, 5)


def test_working_day_extension_and_pause():
    deadline = date(2025, 9, 30)
    assert rules.extended_deadline(deadline, 1, mode=WORK) == date(2025, 10, 9)
    # Fri Sep 12: Sep 15-19, 22-26, 28 (Sun), 29, 30, Oct 9, 10 -> 15th working day is Oct 10
    assert rules.decision_deadline(date(2025, 9, 12), mode=WORK) == date(2025, 10, 10)
    paused = rules.count_days(date(2025, 9, 26), date(2025, 10, 9), mode=WORK)
    assert paused == 4  # Sep 28, 29, 30, Oct 9
    assert rules.decision_deadline(date(2025, 9, 12), mode=WORK, paused_days=paused) == date(
        2025, 10, 15
    )


def test_add_days_zero_and_backwards():
    assert rules.add_days(date(2025, 10, 4), 0, mode=WORK) == date(2025, 10, 4)
    assert rules.add_days(date(2025, 10, 4), 0, mode=CAL) == date(2025, 10, 4)
    assert rules.add_days(date(2025, 10, 9), -1, mode=WORK) == date(2025, 9, 30)
    assert rules.add_days(date(2025, 10, 9), -1, mode=CAL) == date(2025, 10, 8)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 9, 26), date(2025, 10, 23)),
        (date(2026, 2, 12), date(2026, 3, 11)),
        (date(2025, 12, 30), date(2026, 1, 5)),
    ],
)
def test_count_days_is_the_inverse_of_add_days(start, end):
    for mode in DayMode:
        n = rules.count_days(start, end, mode=mode)
        assert rules.add_days(start, n, mode=mode) == end
        assert rules.count_days(end, start, mode=mode) == -n


def test_configured_day_mode(settings):
    settings.DEADLINE_DAY_MODE = "working"
    assert rules.configured_day_mode() is DayMode.WORKING
    settings.DEADLINE_DAY_MODE = "calendar"
    assert rules.configured_day_mode() is DayMode.CALENDAR
    settings.DEADLINE_DAY_MODE = "fortnightly"
    with pytest.raises(ImproperlyConfigured):
        rules.configured_day_mode()


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        rules.add_days(date(2025, 1, 1), 1, mode="lunar")


# --- One-time notice (seed 001) -------------------------------------------------------------------


def test_first_supplement_request_may_flag_anything():
    rules.check_supplement_request(
        requested={"lease_contract", "photo"},
        previous_requested=None,
        reuploaded_since_previous=set(),
    )


def test_empty_supplement_request_is_refused():
    with pytest.raises(RuleViolation) as exc:
        rules.check_supplement_request(
            requested=set(), previous_requested=None, reuploaded_since_previous=set()
        )
    assert exc.value.code == "empty_supplement"


def test_further_request_on_reuploaded_items_is_accepted():
    rules.check_supplement_request(
        requested={"lease_contract"},
        previous_requested={"lease_contract", "photo"},
        reuploaded_since_previous={"lease_contract", "photo"},
    )


def test_piecemeal_further_request_is_refused_naming_the_items():
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        rules.check_supplement_request(
            requested={"lease_contract", "labour_contract", "id_card_front"},
            previous_requested={"lease_contract"},
            reuploaded_since_previous={"lease_contract"},
        )
    assert exc.value.code == "piecemeal"
    assert exc.value.params["item_codes"] == ["id_card_front", "labour_contract"]
    assert "id_card_front, labour_contract" in str(exc.value)
    assert "lease_contract" not in str(exc.value)


def test_further_request_flagging_an_item_not_reuploaded_is_piecemeal_even_if_flagged_before():
    with pytest.raises(RuleViolation) as exc:
        rules.check_supplement_request(
            requested={"photo"},
            previous_requested={"photo", "lease_contract"},
            reuploaded_since_previous={"lease_contract"},
        )
    assert exc.value.code == "piecemeal"


def test_supplement_reasons_required_for_each_item():
    rules.check_supplement_reasons({"photo": "Face not visible", "lease_contract": "Expired"})
    with pytest.raises(RuleViolation) as exc:
        rules.check_supplement_reasons({"photo": "Face not visible", "lease_contract": "  "})
    assert exc.value.code == "reason_missing"
    assert exc.value.params["item_codes"] == ["lease_contract"]


def test_is_working_day_agrees_with_the_holidays_package_over_2025_and_2026():
    china = holidays.China(years=[2025, 2026])
    if not hasattr(china, "is_working_day"):
        pytest.skip("this holidays version has no is_working_day to compare with")
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert rules.is_working_day(day) is china.is_working_day(day), day
        day += timedelta(days=1)


def test_new_year_2026_make_up_sunday():
    # Wed Dec 31 2025 -> Jan 1 (holiday), Jan 2 (day off), Sat Jan 3 -> Sunday Jan 4 is worked
    assert rules.add_days(date(2025, 12, 31), 1, mode=WORK) == date(2026, 1, 4)
