"""The kiosk's doors: every page refuses a browser without a live device token (unknown,
revoked), every answer is ``no-store``, and a person sees only their own cases."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from kiosk import urls as kiosk_urls
from kiosk.middleware import DEVICE_COOKIE
from kiosk.services.devices import revoke_device
from permits.constants import DocumentKind
from permits.models import Document
from permits.services import applications as svc
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.kiosk.helpers import kiosk_screen, sign_in
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import staff_for

pytestmark = pytest.mark.django_db

NOT_A_KIOSK = "本设备不是自助终端"  # the kiosk speaks Chinese first, whatever the browser asks


def kiosk_paths(pk=1) -> list[str]:
    """Every kiosk URL (a new page is covered here without being listed)."""
    paths = []
    for pattern in kiosk_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        args = [pk] if "<int:pk>" in str(pattern.pattern) else []
        paths.append(reverse(f"kiosk:{pattern.name}", args=args))
    return paths


@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789abcdefghij"])
def test_every_page_refuses_a_browser_without_a_live_device(token):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if token is not None:
        client.cookies[DEVICE_COOKIE] = token
    for path in kiosk_paths():
        if path == reverse("kiosk:setup"):
            continue  # the screen is set up there
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 403, (path, response.status_code)
            assert NOT_A_KIOSK in response.content.decode(), path
            assert "no-store" in response["Cache-Control"], path


def test_a_revoked_device_stops_at_once_even_with_a_person_signed_in(device_and_token, screen):
    device, _token = device_and_token
    user = UserFactory()
    sign_in(screen, user)
    assert screen.get("/kiosk/menu/").status_code == 200

    revoke_device(user=device.enabled_by, device=device)

    response = screen.get("/kiosk/menu/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "_auth_user_id" not in screen.session  # the person was signed out too


def test_a_phone_visiting_kiosk_pages_is_refused_and_keeps_its_own_session():
    user = UserFactory()
    phone = Client()
    assert phone.login(username=user.phone, password=PASSWORD)
    assert phone.get("/kiosk/").status_code == 403
    assert phone.get(reverse("applicants:me")).status_code == 200  # still signed in


def test_every_kiosk_answer_is_no_store(screen):
    user = UserFactory()
    sign_in(screen, user)
    application = ApplicationFactory(submitted=True, person__account=user)
    seen = 0
    for path in kiosk_paths(application.pk):
        if path in (reverse("kiosk:sign_out"),):
            continue  # ends the session: checked in test_sessions
        response = screen.get(path)
        assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)
        assert response["Pragma"] == "no-cache"
        seen += 1
    assert seen >= 12


def test_another_persons_cases_and_papers_are_not_found(screen):
    user = UserFactory()
    other = ApplicationFactory(submitted=True)
    svc.accept(user=staff_for(other.station)["officer"], application=other)
    paper = Document.objects.get(application=other, kind=DocumentKind.ACCEPTANCE)
    sign_in(screen, user)
    for name in ("application", "receipt", "renew_materials", "renew_confirm"):
        response = screen.get(reverse(f"kiosk:{name}", args=[other.pk]))
        assert response.status_code == 404, name
    assert screen.get(reverse("kiosk:document", args=[paper.pk])).status_code == 404
    listing = screen.get(reverse("kiosk:applications")).content.decode()
    assert other.reference not in listing


def test_a_kiosk_session_ends_when_it_leaves_the_kiosk(screen):
    user = UserFactory()
    sign_in(screen, user)
    response = screen.get(reverse("applicants:me"))
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:home")
    assert "_auth_user_id" not in screen.session
    assert screen.get("/kiosk/menu/")["Location"] == reverse("kiosk:home")


def test_staff_signed_in_on_the_screen_are_signed_out_by_the_kiosk(device_and_token):
    """Staff set the screen up, maybe signed in to the admin in the same browser: the kiosk
    never shows a staff session."""
    _device, token = device_and_token
    screen = kiosk_screen(token)
    screen.force_login(StaffFactory(clerk=True))
    response = screen.get("/kiosk/menu/")
    assert response.status_code == 302
    assert "_auth_user_id" not in screen.session


def test_a_paper_without_a_case_is_not_found_rather_than_failing(screen):
    """Review of issue 27: the kiosk prints the papers of a case; the person's own residence
    certificate (a paper of no case) made the kiosk's paper page fail (500: its "back" link
    named the case) instead of answering 404."""
    from permits.services import documents as document_services
    from tests.permits.factories import PermitFactory

    permit = PermitFactory()
    certificate = document_services.issue_residence_certificate(
        user=permit.holder.account, permit=permit
    )
    sign_in(screen, permit.holder.account)
    assert screen.get(reverse("kiosk:document", args=[certificate.pk])).status_code == 404
