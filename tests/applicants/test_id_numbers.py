import datetime

import pytest
from django.core.exceptions import ValidationError

from applicants.id_numbers import age_on, parse_id_number
from tests.factories import gb11643_check_digit, make_id_number


def with_check(first17: str) -> str:
    return first17 + gb11643_check_digit(first17)


def test_valid_number_gives_birth_date_sex_and_region():
    facts = parse_id_number(" 110101199003074477 ")
    assert facts.number == "110101199003074477"
    assert facts.birth_date == datetime.date(1990, 3, 7)
    assert facts.sex == "M"  # 17th digit 7 is odd
    assert facts.province == "北京市"
    female = parse_id_number(make_id_number(2))  # 17th digit 2
    assert female.sex == "F"


def test_lowercase_x_accepted():
    number = next(
        with_check(f"11010119900307{n:03d}")
        for n in range(1000)
        if with_check(f"11010119900307{n:03d}").endswith("X")
    )
    assert parse_id_number(number.lower()).number == number


def _code(raw):
    with pytest.raises(ValidationError) as err:
        parse_id_number(raw)
    return err.value.code, err.value.messages[0]


def test_wrong_check_digit():
    good = "110101199003074477"
    code, message = _code(good[:-1] + "8")
    assert code == "check_digit"
    assert "check digit" in message


def test_impossible_birth_date():
    code, message = _code(with_check("11010119900230123"))  # 30 February
    assert code == "birth_date"
    assert "19900230" in message


def test_future_birth_date():
    code, _message = _code(with_check("11010120990101123"))
    assert code == "birth_date"


def test_unknown_region():
    code, message = _code(with_check("99999919900307123"))
    assert code == "region"
    assert "999999" in message


def test_length_and_format():
    assert _code("11010119900307")[0] == "length"
    assert _code("1101011990030744A7")[0] == "format"
    assert _code("")[0] == "required"


def test_age():
    birth = datetime.date(2010, 6, 15)
    assert age_on(birth, datetime.date(2026, 6, 14)) == 15
    assert age_on(birth, datetime.date(2026, 6, 15)) == 16
