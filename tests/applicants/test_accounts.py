import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from applicants import services
from applicants.constants import PhoneCodePurpose
from applicants.models import PhoneCode
from core.errors import InvalidInput, RateLimited
from notifications.models import SmsMessage
from tests.applicants.helpers import sms_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613712345678"
NEW_PASSWORD = "Quiet-Harbour-7391"


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def ask(phone=PHONE, purpose=PhoneCodePurpose.SIGN_UP, **kwargs):
    services.request_phone_code(phone=phone, purpose=purpose, **kwargs)


def test_code_is_sent_by_sms_and_stored_hashed():
    ask()
    code = sms_code(PHONE)
    stored = PhoneCode.objects.get(phone=PHONE)
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)


def test_sign_up_with_code(client):
    ask()
    user = services.sign_up(phone=PHONE, code=sms_code(PHONE), password=NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD)
    # A code works once.
    with pytest.raises(InvalidInput):
        services.sign_up(phone="+8613712345679", code=sms_code(PHONE), password=NEW_PASSWORD)


def test_code_expires_after_ten_minutes():
    ask()
    code = sms_code(PHONE)
    PhoneCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(InvalidInput) as err:
        services.sign_up(phone=PHONE, code=code, password=NEW_PASSWORD)
    assert "code" in err.value.fields
    assert not get_user_model().objects.filter(phone=PHONE).exists()


def test_five_tries_then_refused_even_with_right_code():
    ask()
    code = sms_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.consume_phone_code(phone=PHONE, purpose="sign_up", code=wrong)
    assert PhoneCode.objects.get().attempts == 5
    with pytest.raises(InvalidInput) as err:
        services.consume_phone_code(phone=PHONE, purpose="sign_up", code=code)
    assert "Too many wrong tries" in err.value.field_messages()["code"][0]


def test_resend_gap(settings):
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 60
    ask()
    with pytest.raises(RateLimited) as err:
        ask()
    assert err.value.code == "rate_limited"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1


def test_hourly_limit_per_number(settings):
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 0
    settings.PHONE_CODE_MAX_PER_HOUR = 3
    for _ in range(3):
        ask()
    with pytest.raises(RateLimited) as err:
        ask()
    assert err.value.code == "rate_limited"
    assert "an hour" in err.value.messages[0]
    assert PhoneCode.objects.filter(phone=PHONE).count() == 3
    # Another number is not affected.
    ask("+8613712340099")


def test_limit_also_applies_to_registered_numbers(settings):
    """Same behaviour whether or not the number has an account."""
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 0
    settings.PHONE_CODE_MAX_PER_HOUR = 2
    UserFactory(phone=PHONE)
    ask()
    ask()
    with pytest.raises(RateLimited):
        ask()


def test_only_newest_code_counts():
    ask()
    first = sms_code(PHONE)
    from django.core.cache import cache

    cache.clear()  # past the resend gap
    ask()
    second = sms_code(PHONE)
    if first != second:
        with pytest.raises(InvalidInput):
            services.consume_phone_code(phone=PHONE, purpose="sign_up", code=first)
    services.consume_phone_code(phone=PHONE, purpose="sign_up", code=second)


def test_per_address_limit(settings):
    settings.PHONE_CODE_MAX_PER_IP_PER_HOUR = 2
    ask("+8613712340001", client_ip="10.0.0.1")
    ask("+8613712340002", client_ip="10.0.0.1")
    with pytest.raises(RateLimited):
        ask("+8613712340003", client_ip="10.0.0.1")


def test_sign_up_pages_do_not_reveal_accounts(client):
    UserFactory(phone="+8613712340011")
    answers = []
    for phone in ("+8613712340011", "+8613712340012"):
        response = client.post(reverse("applicants:signup"), {"phone": phone}, follow=True)
        answers.append(without_csrf(response.content.decode().replace(phone, "")))
    assert answers[0] == answers[1]
    # The registered number got a notice, not a code; nobody can sign it up again.
    notice = SmsMessage.objects.filter(recipient_phone="+8613712340011").get()
    assert "already has an account" in notice.body
    assert not PhoneCode.objects.filter(phone="+8613712340011").exists()


def test_reset_pages_do_not_reveal_accounts(client):
    UserFactory(phone="+8613712340021")
    answers = []
    for phone in ("+8613712340021", "+8613712340022"):
        response = client.post(reverse("applicants:password_reset"), {"phone": phone}, follow=True)
        answers.append(without_csrf(response.content.decode().replace(phone, "")))
    assert answers[0] == answers[1]
    assert PhoneCode.objects.filter(phone="+8613712340021").count() == 1
    assert not SmsMessage.objects.filter(recipient_phone="+8613712340022").exists()


def test_sign_up_through_pages_logs_in(client):
    client.post(reverse("applicants:signup"), {"phone": "13712345678"})
    page = client.get(reverse("applicants:signup_confirm"))
    assert PHONE in page.content.decode()  # prefilled from the session, not the URL
    response = client.post(
        reverse("applicants:signup_confirm"),
        {
            "phone": PHONE,
            "code": sms_code(PHONE),
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:identity")
    assert client.get(reverse("applicants:me")).status_code == 200


def test_sign_up_form_keeps_input_and_explains(client):
    client.post(reverse("applicants:signup"), {"phone": PHONE})
    response = client.post(
        reverse("applicants:signup_confirm"),
        {
            "phone": PHONE,
            "code": "12345",
            "password1": "123",
            "password2": "124",
            "display_name": "小明",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body
    assert 'value="小明"' in body
    assert 'value="12345"' in body


def test_weak_password_refused_by_django_validators(client):
    ask()
    with pytest.raises(InvalidInput):
        services.sign_up(phone=PHONE, code=sms_code(PHONE), password="12345678")


def test_password_reset_by_code(client):
    user = UserFactory(phone="+8613712340031")
    client.post(reverse("applicants:password_reset"), {"phone": user.phone})
    response = client.post(
        reverse("applicants:password_reset_confirm"),
        {
            "phone": user.phone,
            "code": sms_code(user.phone),
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.login(phone=user.phone, password=NEW_PASSWORD)


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("applicants:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_login_and_logout_names_still_work(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302


def test_applicant_lands_in_personal_center_after_login(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.phone, "password": PASSWORD})
    assert response["Location"] == reverse("applicants:me")
    staff = UserFactory(is_staff=True)
    client.logout()
    response = client.post(reverse("login"), {"username": staff.phone, "password": PASSWORD})
    assert response["Location"] == reverse("admin:index")


def test_sign_up_shows_the_applicant_password_rules_not_the_staff_rule():
    from django.utils import translation

    from applicants.forms import SignUpForm

    with translation.override("en"):
        hint = str(SignUpForm().fields["password1"].help_text)
    assert "8 characters" in hint  # Django's minimum length rule applies to everyone
    assert "Staff accounts" not in hint
