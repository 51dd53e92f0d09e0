"""Issue 15, points 12, 13 and 16: what the pages show a first-time applicant."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- 13. the home page ------------------------------------------------------------------------


def test_the_home_page_has_a_start_button_and_linked_service_cards(client):
    html = text(client.get(reverse("home"), **EN))

    assert re.search(r'<a class="weui-btn[^"]*" id="start" href="/accounts/signup/"', html)
    for service in ("new", "renewal", "change", "replacement", "cancellation"):
        assert f'href="{reverse("permits:application_start")}?service={service}"' in html


def test_a_signed_in_person_starts_an_application_from_home(client):
    login(client, registered_person(months=7))

    html = text(client.get(reverse("home"), **EN))

    assert f'id="start" href="{reverse("permits:application_start")}"' in html


# --- 16. pickup or mail -------------------------------------------------------------------------


def test_the_delivery_page_shows_the_station_before_the_choice(client):
    application = ApplicationFactory(produced=True)
    station = application.station
    login(client, application.filed_by)

    html = text(client.get(url("application_delivery", application.pk), **EN))

    form_at = html.index('<form method="post" novalidate')
    for fact in (station.address, station.window_hours, station.phone):
        assert 0 <= html.index(fact) < form_at, fact


def test_the_mail_form_is_filled_from_the_registration_and_the_account(client):
    application = ApplicationFactory(produced=True)
    user = application.filed_by
    login(client, user)

    html = text(client.get(url("application_delivery_mail", application.pk), **EN))

    assert application.registration.house.address in html
    national = user.phone.removeprefix("+86")
    assert re.search(rf'name="phone" value="{national}"', html)


def test_the_pickup_code_is_a_qr_image_and_a_readable_code(client):
    application = ApplicationFactory(awaiting_pickup=True, pickup_code="PK-LONG-RANDOM-TOKEN")
    login(client, application.filed_by)

    html = text(client.get(url("application_detail", application.pk), **EN))

    assert url("application_pickup_qr", application.pk) in html
    readable = re.search(r'id="pickup-readable-code">([^<]+)<', html).group(1)
    assert readable == application.reference
    assert "PK-LONG-RANDOM-TOKEN" not in html


def test_the_readable_code_finds_the_certificate_at_the_window(client):
    from tests.factories import StaffFactory

    application = ApplicationFactory(awaiting_pickup=True, pickup_code="PK-TOKEN-2")
    client.force_login(StaffFactory(clerk=True, station=application.station))

    handover = reverse("admin:review_handover")
    html = text(client.get(handover, {"code": application.reference.lower()}))

    assert 'id="handover-collect"' in html


# --- 12. what cannot change is not offered for change -------------------------------------------


def test_the_check_page_offers_no_change_of_name_and_id_number(client):
    person = registered_person(months=7)
    application = draft_ready(person, Service.NEW, answers={"household_region": "110101"})
    login(client, person)

    html = text(client.get(url("application_check", application.pk), **EN))

    assert url("application_step_identity", application.pk) not in html
    assert "cannot be changed here" in html
    assert url("application_step_basis", application.pk) in html  # what can change still can


def test_one_date_format_on_the_registration_pages(client):
    person = registered_person(months=7)
    registration = person.registrations.get()
    login(client, person)

    for page in (url("registration_detail", registration.pk), url("registration_list")):
        html = text(client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert registration.since.isoformat() in html
        assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html), page


def test_radio_buttons_sit_beside_their_labels():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()

    assert re.search(r"\.choice \{[^}]*display: flex", css)
    assert re.search(r"\.choice label \{[^}]*display: inline", css)
