"""Issue 27: the kiosk's screens, through its pages. A paper prints from a kiosk page that the
idle timer clears; a wrong code does not stay typed; the server's idle sign-out drops the CSRF
cookie too; the acknowledgement has its issuer, a QR and the portal's words; a double tap on
"send" lands on the receipt."""

import re
import time

import pytest
from django.urls import reverse

from applicants.constants import PhoneCodePurpose
from applicants.services import consume_phone_code
from kiosk import middleware, views
from permits.constants import ApplicationState, DocumentKind
from permits.models import Document, PermitApplication
from permits.services import applications as svc
from tests.applicants.helpers import sms_code
from tests.factories import PASSWORD, UserFactory
from tests.kiosk.helpers import renewable_permit, sign_in
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import png, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_a_paper_prints_from_a_kiosk_page_with_the_idle_timer(screen):
    """Point 1: never the browser's PDF view (no idle timer): a kiosk page, cleared by it."""
    user = UserFactory()
    application = ApplicationFactory(submitted=True, person__account=user, filed_by=user)
    svc.accept(user=staff_for(application.station)["officer"], application=application)
    paper = Document.objects.get(application=application, kind=DocumentKind.ACCEPTANCE)
    sign_in(screen, user)

    response = screen.get(reverse("kiosk:document", args=[paper.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'data-idle-timer="on"' in page and 'id="kiosk-countdown"' in page
    assert paper.number in page and "data-print" in page
    assert not re.search(r"<style[\s>]|\sstyle=\"|<script(?![^>]*\bsrc=)", page)  # CSP: none inline
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_code_does_not_stay_typed(screen):
    """Point 2."""
    user = UserFactory()
    screen.post("/kiosk/sign-in/", {"phone": user.phone})
    wrong = "000000" if sms_code(user.phone) != "000000" else "111111"
    page = screen.post("/kiosk/sign-in/code/", {"code": wrong}).content.decode()
    assert "验证码错误或已过期" in page
    assert f'value="{wrong}"' not in page


def test_the_two_menu_tiles_differ(screen):
    """Point 2: the renewal and the status tiles are told apart at a glance."""
    sign_in(screen, UserFactory())
    page = screen.get(reverse("kiosk:menu")).content.decode()
    assert "k-tile k-tile-status" in page and page.count("k-primary k-tile") == 1


def test_the_server_ending_an_idle_session_drops_the_csrf_cookie(screen, monkeypatch):
    """Point 2: the idle sign-out by the server leaves no cookie of the person either."""
    sign_in(screen, UserFactory())
    screen.get(reverse("kiosk:menu"))
    assert "csrftoken" in screen.cookies
    start = time.time()
    monkeypatch.setattr(middleware.time, "time", lambda: start + 600)
    response = screen.get(reverse("kiosk:applications"))
    assert response["Location"] == reverse("kiosk:home") + "?timeout=1"
    assert response.cookies["csrftoken"]["max-age"] == 0
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def _ready_to_send(screen):
    permit = renewable_permit()
    user = permit.holder.account
    sign_in(screen, user)
    screen.post(reverse("kiosk:renew"), {"person": permit.holder.pk})
    application = PermitApplication.objects.get(person=permit.holder, service=Service.RENEWAL)
    materials = reverse("kiosk:renew_materials", args=[application.pk])
    screen.post(materials, {"action": "reuse", "code": "id_card"})
    for code in application.missing_required_codes():
        screen.post(materials, {"action": "upload", "code": code, "file": png()})
    confirm = reverse("kiosk:renew_confirm", args=[application.pk])
    screen.post(confirm, {"action": "send"})
    return user, application, confirm


def test_the_acknowledgement_has_its_issuer_a_qr_and_the_portals_words(screen, settings):
    """Point 2: the printed acknowledgement says who issues it, carries a QR to the case, and
    names My Affairs as the portal does (我的事务)."""
    user, application, confirm = _ready_to_send(screen)
    screen.post(confirm, {"action": "submit", "code": sms_code(user.phone)})
    page = screen.get(reverse("kiosk:receipt", args=[application.pk])).content.decode()
    assert settings.ISSUING_AUTHORITY in page
    assert "<svg" in page and 'class="k-qr"' in page
    assert "我的事务" in page and "我的事项" not in page


def test_a_double_tap_on_send_lands_on_the_receipt(screen, monkeypatch):
    """Point 10: the second tap finds the code used by the first, which is still at work; it
    waits for it and shows the receipt, never "wrong code"."""
    user, application, confirm = _ready_to_send(screen)
    code = sms_code(user.phone)
    # The first tap has checked the code and is submitting (not committed yet) ...
    consume_phone_code(phone=user.phone, purpose=PhoneCodePurpose.CONFIRM_SUBMIT, code=code)

    def first_tap_commits(_seconds):
        if PermitApplication.objects.get(pk=application.pk).state == ApplicationState.DRAFT:
            svc.submit(user=user, application=application, password=PASSWORD)

    monkeypatch.setattr(views.time, "sleep", first_tap_commits)
    # ... when the second tap arrives.
    response = screen.post(confirm, {"action": "submit", "code": code})

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse("kiosk:receipt", args=[application.pk])
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.transitions.filter(to_state=ApplicationState.SUBMITTED).count() == 1


def test_a_used_code_of_another_sending_is_still_refused(screen):
    """Point 10: only the same code just accepted counts as a double tap."""
    user, application, confirm = _ready_to_send(screen)
    code = sms_code(user.phone)
    consume_phone_code(phone=user.phone, purpose=PhoneCodePurpose.CONFIRM_SUBMIT, code=code)
    wrong = "000000" if code != "000000" else "111111"
    response = screen.post(confirm, {"action": "submit", "code": wrong})
    assert response.status_code == 200
    assert "验证码错误或已过期" in response.content.decode()


def test_a_place_no_longer_allowed_is_refused_before_the_code_is_spent(screen, monkeypatch):
    """Bad input loses nothing: a draft's agency that stopped receiving cases is refused before
    the SMS code is checked, so the same code still sends the case once the place is fixed."""
    from tests.factories import AgencyFactory

    monkeypatch.setattr(views.time, "sleep", lambda _seconds: None)
    user, application, confirm = _ready_to_send(screen)
    closed = AgencyFactory(station=application.station, accepts_applications=False)
    PermitApplication.objects.filter(pk=application.pk).update(agency=closed)
    code = sms_code(user.phone)

    refused = screen.post(confirm, {"action": "submit", "code": code})
    assert refused.status_code == 200
    assert PermitApplication.objects.get(pk=application.pk).state == ApplicationState.DRAFT

    PermitApplication.objects.filter(pk=application.pk).update(agency=None)
    sent = screen.post(confirm, {"action": "submit", "code": code})
    assert sent.status_code == 302, sent.content.decode()[-2000:]
    assert PermitApplication.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_a_refusal_after_the_code_is_accepted_is_shown_at_once(screen, monkeypatch):
    """Only a refused code can be a double tap's second request: a refusal once the code was
    accepted (here the case changed under the kiosk) is shown at once, the screen never waits
    for an earlier tap that does not exist."""
    from core.errors import StaleState
    from permits.services.applications import applicant

    waits = []
    monkeypatch.setattr(views.time, "sleep", waits.append)

    def stale(*args, **kwargs):
        raise StaleState()

    user, application, confirm = _ready_to_send(screen)
    monkeypatch.setattr(applicant, "fire", stale)
    response = screen.post(confirm, {"action": "submit", "code": sms_code(user.phone)})
    assert response.status_code == 200
    assert waits == []
    assert PermitApplication.objects.get(pk=application.pk).state == ApplicationState.DRAFT
