"""Issue 31, point 1, the applicant's side: where the station lets an agency receive cases, the
check page (and the API) offers the station or its agencies; another station's agency, or one
the station does not let receive cases, is refused and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from permits.models import PermitApplication
from permits.services import applications as svc
from tests.factories import PASSWORD, AgencyFactory, HouseFactory, StationFactory
from tests.permits.helpers import draft_ready, registered_person
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft():
    station = StationFactory()
    person = registered_person(months=12, house=HouseFactory(station=station))
    return draft_ready(person, Service.NEW)


def _client(draft):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(draft.filed_by)
    return client


def test_the_check_page_offers_the_stations_agencies_and_keeps_the_choice(draft):
    agency = AgencyFactory(station=draft.station)
    closed = AgencyFactory(station=draft.station, accepts_applications=False)
    client = _client(draft)
    check = reverse("permits:application_check", args=[draft.pk])
    page = client.get(check).content.decode()
    assert "Where you apply" in page and agency.name in page and closed.name not in page
    response = client.post(
        reverse("permits:application_place", args=[draft.pk]), {"agency": str(agency.pk)}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.agency == agency
    submitted = svc.submit(user=draft.filed_by, application=draft, password=PASSWORD)
    assert submitted.agency == agency


def test_no_choice_where_the_station_has_no_agency(draft):
    page = _client(draft).get(reverse("permits:application_check", args=[draft.pk]))
    assert "Where you apply" not in page.content.decode()


@pytest.mark.parametrize("which", ["other_station", "closed"])
def test_an_agency_not_offered_is_refused_and_nothing_changes(draft, which):
    AgencyFactory(station=draft.station)
    if which == "other_station":
        refused = AgencyFactory(station=StationFactory())
    else:
        refused = AgencyFactory(station=draft.station, accepts_applications=False)
    client = _client(draft)
    response = client.post(
        reverse("permits:application_place", args=[draft.pk]), {"agency": str(refused.pk)}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.agency is None
    api = client.patch(
        reverse("api:application", args=[draft.pk]),
        {"agency": refused.pk},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert PermitApplication.objects.get(pk=draft.pk).agency is None


def test_the_api_lists_the_agencies_and_files_at_one(draft):
    agency = AgencyFactory(station=draft.station)
    client = _client(draft)
    url = reverse("api:application", args=[draft.pk])
    detail = client.get(url).json()
    assert [a["id"] for a in detail["agencies"]] == [agency.pk]
    assert detail["agency"] is None
    response = client.patch(url, {"agency": agency.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["agency"]["name"] == agency.name
    back = client.patch(url, {"agency": None}, content_type="application/json")
    assert back.json()["agency"] is None


def test_another_account_cannot_choose_for_a_draft(draft):
    agency = AgencyFactory(station=draft.station)
    stranger = registered_person(months=12)
    client = Client()
    client.force_login(stranger.account)
    response = client.post(
        reverse("permits:application_place", args=[draft.pk]), {"agency": str(agency.pk)}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.agency is None
