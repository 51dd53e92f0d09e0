"""Issue 16: the dates printed on the station's papers, on fixed dates (rules.papers, .notice)."""

from datetime import date

import pytest

from permits import rules


@pytest.mark.parametrize(
    ("decided_on", "reconsider_by", "sue_by"),
    [
        # a last day on a rest day moves to the next working day (Civil Code Art. 203)
        (date(2026, 12, 2), date(2027, 2, 1), date(2027, 6, 2)),  # Sun 2027-01-31 -> Mon
        (date(2026, 8, 31), date(2026, 10, 30), date(2027, 3, 1)),  # clamps to Sun 02-28 -> Mon
        (date(2027, 12, 31), date(2028, 2, 29), date(2028, 6, 30)),  # leap year
        (date(2026, 8, 2), date(2026, 10, 8), date(2027, 2, 2)),  # 10-01 National Day -> 10-08
    ],
)
def test_remedy_deadlines(decided_on, reconsider_by, sue_by):
    assert rules.remedy_deadlines(decided_on) == (reconsider_by, sue_by)


def test_residence_certificate_is_valid_30_days_inclusive():
    assert rules.residence_certificate_valid_until(date(2026, 12, 2)) == date(2027, 1, 1)


def test_supply_due_by_counts_in_the_day_mode():
    # 2026-09-30 (Wednesday) + 15 working days skips the National Day week
    calendar = rules.supply_due_by(date(2026, 9, 30), mode=rules.DayMode.CALENDAR)
    working = rules.supply_due_by(date(2026, 9, 30), mode=rules.DayMode.WORKING)
    assert calendar == date(2026, 10, 15)
    assert working == rules.add_days(date(2026, 9, 30), 15, mode=rules.DayMode.WORKING)
    assert working > calendar


@pytest.mark.parametrize(
    ("since", "today", "expected"),
    [
        (date(2024, 9, 1), date(2026, 12, 2), (2, 3)),
        (date(2024, 9, 1), date(2026, 8, 31), (1, 11)),  # the eve of the anniversary
        (date(2024, 9, 1), date(2026, 9, 1), (2, 0)),  # the day
        (date(2026, 12, 3), date(2026, 12, 2), (0, 0)),  # not yet
        (None, date(2026, 12, 2), (0, 0)),
    ],
)
def test_years_and_months_of_continuous_residence(since, today, expected):
    assert rules.years_and_months(since, today) == expected
