"""Resident ID numbers (居民身份证号码, GB 11643) checked with python-stdnum (``stdnum.cn.ric``).

``parse_id_number`` says which part of a wrong number is wrong: length/format, check digit,
birth date or region code. Birth date and sex are derived from the number, never typed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from core import clock

from .constants import Sex


@dataclass(frozen=True)
class IdNumberFacts:
    number: str
    birth_date: datetime.date
    sex: str
    province: str
    county: str

    def age_on(self, day: datetime.date | None = None) -> int:
        return age_on(self.birth_date, day)


def age_on(birth_date: datetime.date, day: datetime.date | None = None) -> int:
    """Full years of age on ``day`` (today in the portal's time zone by default)."""
    day = day or clock.today()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def parse_id_number(raw: str, *, today: datetime.date | None = None) -> IdNumberFacts:
    """Return the facts of a valid number, or raise ValidationError naming the wrong part."""
    number = ric.compact(raw or "")
    if not number:
        raise ValidationError(_("Enter the 18-character resident ID number."), code="required")
    if len(number) != 18:
        raise ValidationError(
            _(
                "A resident ID number has 18 characters; you entered %(count)d. "
                "Check for a missing or extra digit."
            ),
            code="length",
            params={"count": len(number)},
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("Use digits only; only the last character may be the letter X."), code="format"
        )
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(
            _(
                "The last character (the check digit) does not match the first 17 digits: "
                "one of the digits is probably mistyped."
            ),
            code="check_digit",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(
            _("Digits 7 to 14 must be a real date of birth (YYYYMMDD); %(digits)s is not."),
            code="birth_date",
            params={"digits": number[6:14]},
        ) from exc
    today = today or clock.today()
    if birth_date > today or birth_date.year < 1900:
        raise ValidationError(
            _("Digits 7 to 14 give a date of birth (%(date)s) that is not possible."),
            code="birth_date",
            params={"date": birth_date.isoformat()},
        )
    try:
        place = ric.get_birth_place(number)
    except StdnumError as exc:
        raise ValidationError(
            _("The first 6 digits (%(code)s) are not a known region code."),
            code="region",
            params={"code": number[:6]},
        ) from exc
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdNumberFacts(
        number=number,
        birth_date=birth_date,
        sex=sex,
        province=place.get("province", ""),
        county=place.get("county", ""),
    )
