"""Wrong SMS codes are counted through the doors people use (web forms and API), and the count
survives the request: the 6th try is refused even with the right code. The attempt counter was
once rolled back with the sign-up's transaction, so codes could be guessed without limit."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from applicants import services
from applicants.constants import PhoneCodePurpose
from applicants.models import PhoneCode
from tests.applicants.helpers import sms_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613712345678"
NEW_PASSWORD = "Quiet-Harbour-7391"


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _ask_on_the_web(client, url_name: str, phone: str = PHONE) -> str:
    response = client.post(reverse(url_name), {"phone": phone})
    assert response.status_code == 302
    return sms_code(phone)


def _web_confirm(client, url_name: str, code: str, phone: str = PHONE):
    data = {"phone": phone, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(reverse(url_name), data, REMOTE_ADDR="203.0.113.9")


@pytest.mark.parametrize(
    "ask_url, confirm_url, needs_account",
    [
        ("applicants:signup", "applicants:signup_confirm", False),
        ("applicants:password_reset", "applicants:password_reset_confirm", True),
    ],
)
def test_web_form_counts_wrong_codes_and_refuses_the_sixth_try(
    client, ask_url, confirm_url, needs_account
):
    user = UserFactory(phone=PHONE) if needs_account else None
    code = _ask_on_the_web(client, ask_url)
    for tries_left in (4, 3, 2, 1):
        response = _web_confirm(client, confirm_url, _wrong(code))
        assert response.status_code == 200
        assert f"{tries_left} tries left" in response.content.decode()
    response = _web_confirm(client, confirm_url, _wrong(code))
    assert "Too many wrong tries" in response.content.decode()
    assert PhoneCode.objects.get(phone=PHONE).attempts == 5

    response = _web_confirm(client, confirm_url, code)  # the right code, too late
    assert response.status_code == 200
    assert "Too many wrong tries" in response.content.decode()
    if user is None:
        assert not get_user_model().objects.filter(phone=PHONE).exists()
    else:
        user.refresh_from_db()
        assert not user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "endpoint, purpose, password_field, needs_account",
    [
        ("/api/v1/auth/sign-up/", PhoneCodePurpose.SIGN_UP, "password", False),
        ("/api/v1/auth/password-reset/", PhoneCodePurpose.RESET_PASSWORD, "new_password", True),
    ],
)
def test_api_counts_wrong_codes_and_refuses_the_sixth_try(
    endpoint, purpose, password_field, needs_account
):
    from rest_framework.test import APIClient

    api = APIClient()
    user = UserFactory(phone=PHONE) if needs_account else None
    services.request_phone_code(phone=PHONE, purpose=purpose)
    code = sms_code(PHONE)
    for _ in range(5):
        response = api.post(
            endpoint, {"phone": PHONE, "code": _wrong(code), password_field: NEW_PASSWORD}
        )
        assert response.status_code == 400
    assert PhoneCode.objects.get(phone=PHONE).attempts == 5
    response = api.post(endpoint, {"phone": PHONE, "code": code, password_field: NEW_PASSWORD})
    assert response.status_code == 400
    assert "Too many wrong tries" in str(response.json())
    if user is not None:
        user.refresh_from_db()
        assert not user.check_password(NEW_PASSWORD)


def test_wrong_code_flood_from_one_address_is_throttled(client, settings):
    """Fresh codes for many numbers do not let one address guess without end."""
    settings.PHONE_CODE_CHECKS_PER_IP_PER_HOUR = 6
    settings.PHONE_CODE_MAX_PER_IP_PER_HOUR = 100
    phones = [f"+86137123456{n:02d}" for n in range(4)]
    answers = []
    for phone in phones:
        code = _ask_on_the_web(client, "applicants:signup", phone=phone)
        for _ in range(2):
            answers.append(
                _web_confirm(client, "applicants:signup_confirm", _wrong(code), phone=phone)
            )
    pages = [answer.content.decode() for answer in answers]
    assert all("Too many code checks" not in page for page in pages[:6])
    assert all("Too many code checks" in page for page in pages[6:])
    # Refused before the code is looked at: the later numbers' codes were not even tried.
    assert PhoneCode.objects.get(phone=phones[3]).attempts == 0


def test_checks_per_number_are_limited_across_fresh_codes(client, settings):
    settings.PHONE_CODE_CHECKS_PER_NUMBER_PER_HOUR = 3
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 0
    code = _ask_on_the_web(client, "applicants:signup")
    for _ in range(3):
        _web_confirm(client, "applicants:signup_confirm", _wrong(code))
    code = _ask_on_the_web(client, "applicants:signup")  # a new code does not reset the limit
    response = _web_confirm(client, "applicants:signup_confirm", code)
    assert "Too many code checks" in response.content.decode()


def test_right_code_still_signs_up_on_the_web(client):
    code = _ask_on_the_web(client, "applicants:signup")
    response = _web_confirm(client, "applicants:signup_confirm", _wrong(code))
    assert "4 tries left" in response.content.decode()
    response = _web_confirm(client, "applicants:signup_confirm", code)
    assert response.status_code == 302
    assert PhoneCode.objects.get(phone=PHONE).used_at is not None
