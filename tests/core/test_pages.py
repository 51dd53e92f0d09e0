import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import totp

from applicants.models import User
from permits.models import StaffAssignment, Station
from review.demo import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "居住证"), ("en", "Endorsement (renewal)")],
)
def test_home_page_says_what_the_portal_offers(client, language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert html.count("<h1") == 1
    assert 'href="#main"' in html  # skip link
    assert "cdn" not in html.lower()


def test_default_language_is_simplified_chinese(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in html


def test_admin_login_page_is_reachable(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_seed_demo_is_idempotent_and_officer_can_log_into_admin(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Station.objects.count() == 2
    assert StaffAssignment.objects.count() == 5  # officer and clerk of each, the agency's staff
    assert User.objects.count() == 7
    officer = StaffAssignment.objects.filter(user__groups__name="officer").first().user
    assert client.login(phone=officer.phone, password="Demo-Pass-2026")
    # Issue 14: the demo staff pass the second factor with the documented demo secret.
    assert client.get("/admin/")["Location"].startswith("/admin/second-factor/")
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"
    client.post("/admin/second-factor/", {"code": code, "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_seed_demo_makes_an_agency_whose_staff_log_in_and_see_its_desk(client, settings):
    """Issue 31 gap: ``make run`` shows the agencies: one community service agency under the
    first demo station, one agency staff account enrolled with the demo second factor, its
    login printed like the others; idempotent."""
    from io import StringIO

    from permits.models import Agency

    settings.DEBUG = True
    call_command("seed_demo")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    agency = Agency.objects.get()
    assert agency.station.code == "longhua" and agency.hands_over_cards
    staff = StaffAssignment.objects.get(agency=agency).user
    assert staff.groups.filter(name="agency").exists() and staff.is_staff
    assert f"agency @ {agency.name}" in out.getvalue() and staff.phone in out.getvalue()
    assert client.login(phone=staff.phone, password="Demo-Pass-2026")
    assert client.get("/admin/")["Location"].startswith("/admin/second-factor/")
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"
    client.post("/admin/second-factor/", {"code": code, "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/permits/permitapplication/")
    assert listing.status_code == 200


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Station.objects.exists()


@pytest.mark.real_password_hasher
def test_password_is_hashed_with_argon2():
    user = User.objects.create_user("13800138000", "Str0ng-Passw0rd!")
    assert user.password.startswith("argon2")
    assert user.phone == "+8613800138000"
