"""Signing in and out at the kiosk: phone and SMS code only (no password at a public machine),
the idle sign-out after KIOSK_IDLE_SECONDS, nothing of the person left after sign-out, and the
language toggle for one session only."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from applicants.models import PhoneCode
from kiosk import middleware
from notifications.models import SmsMessage
from tests.applicants.helpers import sms_code
from tests.factories import StaffFactory, UserFactory
from tests.kiosk.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_sign_in_with_phone_and_sms_code_not_a_password(screen, device_and_token):
    user = UserFactory()
    page = screen.get("/kiosk/sign-in/").content.decode()
    assert 'type="password"' not in page
    assert 'autocomplete="off"' in page  # the browser keeps no number typed here

    response = screen.post("/kiosk/sign-in/", {"phone": user.phone})
    assert response["Location"] == reverse("kiosk:sign_in_code")
    code = PhoneCode.objects.get(phone=user.phone)
    assert code.purpose == "sign_in"
    page = screen.get(response["Location"]).content.decode()
    assert user.phone not in page and user.phone[-4:] in page  # masked on a public screen

    response = screen.post("/kiosk/sign-in/code/", {"code": sms_code(user.phone)})
    assert response["Location"] == "/kiosk/menu/"
    assert screen.session["_auth_user_id"] == str(user.pk)
    assert screen.session[middleware.SESSION_DEVICE] == device_and_token[0].pk
    assert "kiosk_phone" not in screen.session
    assert screen.get("/kiosk/menu/").status_code == 200


def test_a_wrong_code_is_refused_and_counted(screen):
    user = UserFactory()
    screen.post("/kiosk/sign-in/", {"phone": user.phone})
    good = sms_code(user.phone)
    wrong = "000000" if good != "000000" else "111111"
    screen.post("/kiosk/language/", {"language": "en"})
    response = screen.post("/kiosk/sign-in/code/", {"code": wrong})
    assert response.status_code == 200
    assert "4 tries left" in response.content.decode()
    assert PhoneCode.objects.get(phone=user.phone).attempts == 1  # survived the refusal
    assert "_auth_user_id" not in screen.session


@pytest.mark.parametrize("who", ["staff", "unknown", "inactive"])
def test_staff_unknown_and_inactive_numbers_get_no_code_and_the_same_answer(screen, who):
    phone = {
        "staff": lambda: StaffFactory(officer=True).phone,
        "unknown": lambda: "+8613912345678",
        "inactive": lambda: UserFactory(is_active=False).phone,
    }[who]()
    response = screen.post("/kiosk/sign-in/", {"phone": phone})
    assert response["Location"] == reverse("kiosk:sign_in_code")  # the same answer as anyone
    assert not SmsMessage.objects.filter(recipient_phone=phone).exists()
    response = screen.post("/kiosk/sign-in/code/", {"code": "123456"})
    assert response.status_code == 200 and "_auth_user_id" not in screen.session


def test_signed_out_after_the_idle_time_with_the_countdown_on_the_page(
    screen, settings, monkeypatch
):
    settings.KIOSK_IDLE_SECONDS = 60
    user = UserFactory()
    sign_in(screen, user)
    page = screen.get("/kiosk/menu/").content.decode()
    assert 'data-idle-seconds="60"' in page and 'data-idle-timer="on"' in page
    assert 'id="kiosk-countdown"' in page and "无操作 60 秒后将自动退出" in page

    start = time.time()
    monkeypatch.setattr(middleware.time, "time", lambda: start + 40)
    assert screen.get("/kiosk/menu/").status_code == 200  # still there: the clock restarts
    monkeypatch.setattr(middleware.time, "time", lambda: start + 40 + 59)
    assert screen.get("/kiosk/menu/").status_code == 200

    monkeypatch.setattr(middleware.time, "time", lambda: start + 40 + 59 + 66)
    response = screen.get("/kiosk/applications/")
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:home") + "?timeout=1"
    assert "_auth_user_id" not in screen.session
    assert screen.get("/kiosk/applications/")["Location"] == reverse("kiosk:home")


def test_a_number_typed_and_left_is_dropped_after_the_idle_time(screen, monkeypatch):
    user = UserFactory()
    screen.post("/kiosk/sign-in/", {"phone": user.phone})
    start = time.time()
    monkeypatch.setattr(middleware.time, "time", lambda: start + 120)
    assert screen.get("/kiosk/sign-in/code/")["Location"] == reverse("kiosk:home") + "?timeout=1"
    assert "kiosk_phone" not in screen.session
    # The code sent to the number cannot be used by the next person either.
    monkeypatch.undo()
    response = screen.post("/kiosk/sign-in/code/", {"code": sms_code(user.phone)})
    assert response["Location"] == reverse("kiosk:sign_in")


def test_the_server_session_expires_with_the_idle_time(screen, settings):
    settings.KIOSK_IDLE_SECONDS = 60
    sign_in(screen, UserFactory())
    screen.get("/kiosk/menu/")
    assert screen.session.get_expiry_age() <= 60 + middleware.GRACE_SECONDS


def test_sign_out_leaves_nothing_of_the_person_in_the_browser(screen, device_and_token):
    user = UserFactory()
    sign_in(screen, user)
    key = screen.session.session_key
    response = screen.post("/kiosk/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:home") + "?bye=1"
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "no-store" in response["Cache-Control"]
    cookie = response.cookies["sessionid"]
    assert cookie.value == "" and cookie["max-age"] == 0  # deleted in the browser
    assert response.cookies["csrftoken"]["max-age"] == 0
    assert not Session.objects.filter(session_key=key).exists()  # and on the server
    # Only the machine's own token stays; a back button shows no page of the person.
    assert screen.cookies[middleware.DEVICE_COOKIE].value == device_and_token[1]
    assert screen.get("/kiosk/applications/")["Location"] == reverse("kiosk:home")
    home = screen.get(response["Location"])
    assert home.status_code == 200
    stored = home.cookies.get("sessionid")
    assert stored is None or stored.value == ""  # the start screen stores nothing


def test_chinese_first_and_the_language_toggle_lasts_one_session(screen):
    page = screen.get("/kiosk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "居住证自助服务" in page and 'lang="zh-Hans"' in page  # Chinese first, whatever
    response = screen.post("/kiosk/language/", {"language": "en", "next": "/kiosk/sign-in/"})
    assert response["Location"] == "/kiosk/sign-in/"
    assert "Sign in with your phone" in screen.get("/kiosk/sign-in/").content.decode()
    user = UserFactory()
    sign_in(screen, user)
    assert "What would you like to do?" in screen.get("/kiosk/menu/").content.decode()
    screen.post("/kiosk/sign-out/")
    page = screen.get("/kiosk/").content.decode()
    assert "开始" in page  # the next person starts in Chinese


def test_the_language_toggle_goes_back_only_to_kiosk_pages(screen):
    response = screen.post("/kiosk/language/", {"language": "en", "next": "https://evil.test/"})
    assert response["Location"] == reverse("kiosk:home")
    response = screen.post("/kiosk/language/", {"language": "en", "next": "/admin/"})
    assert response["Location"] == reverse("kiosk:home")


def test_the_keep_alive_answers_for_a_signed_in_person_only(screen):
    assert screen.get("/kiosk/touch/").status_code == 401
    sign_in(screen, UserFactory())
    assert screen.get("/kiosk/touch/").status_code == 204


def test_a_busy_hall_is_not_refused_by_the_per_address_limit_but_a_kiosk_has_its_own(
    screen, settings
):
    """Everyone at the kiosk shares the station's address: codes are counted per device."""
    settings.PHONE_CODE_MAX_PER_IP_PER_HOUR = 2
    settings.KIOSK_PHONE_CODES_PER_HOUR = 5
    people = [UserFactory() for _ in range(6)]
    for user in people[:5]:
        screen.post("/kiosk/sign-out/")  # the next person
        response = screen.post("/kiosk/sign-in/", {"phone": user.phone})
        assert response.status_code == 302, response.content.decode()[:500]
    assert SmsMessage.objects.filter(recipient_phone__in=[p.phone for p in people]).count() == 5
    screen.post("/kiosk/sign-out/")
    response = screen.post("/kiosk/sign-in/", {"phone": people[5].phone})
    assert response.status_code == 200  # this kiosk's own hourly limit
    assert not SmsMessage.objects.filter(recipient_phone=people[5].phone).exists()
