"""Public permit verification: valid, suspended, lost card, forged code, altered code."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from core.fsm import run_transition
from permits.models import CardSerial
from permits.services.permits import next_card_serial
from permits.verification import SALT, verification_code, verification_qr_svg
from tests.api_support import assert_error
from tests.factories import IdentityFactory
from tests.permits.factories import PermitFactory

pytestmark = pytest.mark.django_db


def page(client, code):
    return client.get(f"/verify/{code}/")


def api_status(api, code):
    response = api.get(f"/api/v1/verify/{code}/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def permit():
    return PermitFactory(holder=IdentityFactory(verified=True, full_name="张三丰"))


def test_valid_permit_shows_status_masked_name_and_date_only(client, api, permit):
    code = verification_code(permit)
    response = page(client, code)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid" in html and "张**" in html
    assert permit.valid_until.strftime("%Y-%m-%d") in html
    for secret in ("张三丰", permit.holder.id_number, permit.number, permit.house.address):
        assert secret not in html
    body = api_status(api, code)
    assert body == {
        "status": "valid",
        "status_display": "Valid",
        "masked_name": "张**",
        "valid_until": permit.valid_until.isoformat(),
    }


def test_suspended_permit(client, api):
    permit = PermitFactory(suspended=True)
    code = verification_code(permit)
    assert api_status(api, code)["status"] == "suspended"
    assert "Suspended" in page(client, code).content.decode()


def test_overdue_but_not_yet_suspended_says_suspended(api):
    permit = PermitFactory()
    permit.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    permit.save(update_fields=["valid_until"])
    assert api_status(api, verification_code(permit))["status"] == "suspended"


def test_lost_card_code_is_not_valid_after_replacement(client, api, permit):
    old_code = verification_code(permit)
    run_transition(permit, "report_lost", user=None, on=timezone.localdate())
    assert api_status(api, old_code)["status"] == "invalid"
    run_transition(
        permit,
        "replace_card",
        user=None,
        new_serial=next_card_serial(),
        reason="lost",
        on=timezone.localdate(),
    )
    assert CardSerial.objects.get(serial=old_code.split(":")[0]).status == "invalidated"
    body = api_status(api, old_code)
    assert body == {
        "status": "invalid",
        "status_display": "Not valid",
        "masked_name": "",
        "valid_until": None,
    }
    assert "Not valid" in page(client, old_code).content.decode()
    assert api_status(api, verification_code(permit))["status"] == "valid"


def test_forged_code_is_not_valid(client, api, permit):
    forged = signing.Signer(key="someone-elses-key", salt=SALT).sign(permit.card_serial)
    assert api_status(api, forged)["status"] == "invalid"
    assert api_status(api, permit.card_serial)["status"] == "invalid"  # unsigned serial
    html = page(client, forged).content.decode()
    assert "Not valid" in html and "张" not in html


def test_altered_code_is_not_valid(api, permit):
    other = PermitFactory()
    code = verification_code(permit)
    serial, signature = code.split(":")
    assert api_status(api, f"{other.card_serial}:{signature}")["status"] == "invalid"
    assert api_status(api, code[:-1] + ("A" if code[-1] != "A" else "B"))["status"] == "invalid"
    assert api_status(api, "x" * 500)["status"] == "invalid"


def test_verification_is_rate_limited(client, api, settings, permit):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_ip": "2/min"},
    }
    code = verification_code(permit)
    for _ in range(2):
        assert page(client, code).status_code == 200
    assert page(client, code).status_code == 429
    for _ in range(2):
        api.get(f"/api/v1/verify/{code}/")
    assert_error(api.get(f"/api/v1/verify/{code}/"), 429, "throttled")


def test_permit_page_qr_holds_the_verification_url(permit):
    svg = verification_qr_svg(permit)
    assert svg.startswith("<svg") and "</svg>" in svg


def test_applicant_permit_page_shows_a_qr_that_checks_this_permit(client, permit):
    client.force_login(permit.holder.account)
    html = client.get("/accounts/me/").content.decode()
    assert "<svg" in html
    path = f"/verify/{verification_code(permit)}/"
    assert path in html
    assert client.get(path).status_code == 200
