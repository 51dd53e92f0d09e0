"""The officer's landing page is one queue of everything waiting for this user: identities to
verify (city-wide), registrations of the user's station, applications by role; each row links to
its desk, the kind shown by its label; another station's rows never appear."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import IdentityFactory, RegistrationFactory, StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def landing(client, user, params=None):
    client.force_login(user)
    return client.get(reverse("admin:index"), params or {}).content.decode()


def setup_station():
    station, other = StationFactory(), StationFactory()
    today = timezone.localdate()
    data = {
        "station": station,
        "identity": IdentityFactory(
            pending=True, submitted_at=timezone.now() - datetime.timedelta(days=5)
        ),
        "registration": RegistrationFactory(house__station=station),
        "other_registration": RegistrationFactory(house__station=other),
        "submitted": ApplicationFactory(submitted=True, registration__house__station=station),
        "accepted": ApplicationFactory(
            accepted=True,
            registration__house__station=station,
            deadline=today + datetime.timedelta(days=10),
        ),
        "approved": ApplicationFactory(approved=True, registration__house__station=station),
        "other_accepted": ApplicationFactory(accepted=True, registration__house__station=other),
    }
    return data


def identity_url(identity):
    return reverse("admin:applicants_identity_change", args=[identity.pk])


def registration_url(registration):
    return reverse("admin:permits_residenceregistration_change", args=[registration.pk])


def application_url(application):
    return reverse("admin:permits_permitapplication_change", args=[application.pk])


def test_officer_sees_identities_registrations_and_applications_of_the_station(client):
    d = setup_station()
    html = landing(client, StaffFactory(officer=True, station=d["station"]))
    assert identity_url(d["identity"]) in html
    assert registration_url(d["registration"]) in html
    assert application_url(d["submitted"]) in html
    assert application_url(d["accepted"]) in html
    assert application_url(d["approved"]) not in html  # the clerks'
    assert registration_url(d["other_registration"]) not in html
    assert application_url(d["other_accepted"]) not in html
    assert "Identity to verify" in html and "Residence registration" in html
    # The identity (submitted 5 days ago) comes before the application due in 10 days.
    assert html.index(identity_url(d["identity"])) < html.index(application_url(d["accepted"]))


def test_clerk_sees_only_applications_to_produce_or_hand_over(client):
    d = setup_station()
    html = landing(client, StaffFactory(clerk=True, station=d["station"]))
    assert application_url(d["approved"]) in html
    assert identity_url(d["identity"]) not in html
    assert registration_url(d["registration"]) not in html
    assert application_url(d["submitted"]) not in html


def test_supervisor_sees_every_station(client):
    d = setup_station()
    html = landing(client, StaffFactory(supervisor=True))
    for key in ("registration", "other_registration"):
        assert registration_url(d[key]) in html
    for key in ("submitted", "accepted", "approved", "other_accepted"):
        assert application_url(d[key]) in html
    assert identity_url(d["identity"]) in html


def test_officer_of_another_station_sees_identities_but_not_the_stations_work(client):
    d = setup_station()
    html = landing(client, StaffFactory(officer=True, station=StationFactory()))
    assert identity_url(d["identity"]) in html  # identity verification is city-wide
    assert registration_url(d["registration"]) not in html
    assert application_url(d["accepted"]) not in html


def test_ones_own_identity_is_not_in_ones_queue(client):
    officer = StaffFactory(officer=True, station=StationFactory())
    own = IdentityFactory(pending=True, account=officer)
    assert identity_url(own) not in landing(client, officer)


def test_kind_and_application_filters(client):
    d = setup_station()
    officer = StaffFactory(officer=True, station=d["station"])
    html = landing(client, officer, {"kind": "registration"})
    assert registration_url(d["registration"]) in html
    assert identity_url(d["identity"]) not in html
    assert application_url(d["accepted"]) not in html
    html = landing(client, officer, {"state": "accepted"})
    assert application_url(d["accepted"]) in html
    assert registration_url(d["registration"]) not in html
    assert identity_url(d["identity"]) not in html


def test_search_by_id_digits_finds_identities_and_registrations_through_the_token(client):
    d = setup_station()
    officer = StaffFactory(officer=True, station=d["station"])
    client.force_login(officer)
    digits = d["registration"].person.id_number[-6:]
    response = client.post(reverse("admin:review_queue_search"), {"q": digits})
    assert digits not in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert registration_url(d["registration"]) in html
    assert application_url(d["accepted"]) not in html


def test_each_row_shows_its_labels_and_local_submission_time(client):
    """The cells come from one set-up per page (labels translated once, one URL pattern per
    kind), and say what the rows' own ``get_*_display`` say."""
    d = setup_station()
    html = landing(client, StaffFactory(officer=True, station=d["station"]))
    for app in (d["submitted"], d["accepted"]):
        submitted = timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M")
        row = html[html.index(f'data-reference="{app.reference}"') :].split("</tr>")[0]
        assert f"<td>{app.get_service_display()}</td>" in row
        assert f"<td>{app.get_state_display()}</td>" in row
        assert f"<td>{submitted}</td>" in row
    registration = d["registration"]
    row = html[html.index(f'data-kind="registration" data-pk="{registration.pk}"') :]
    row = row.split("</tr>")[0]
    assert f'<a href="{registration_url(registration)}">{registration.house.code}</a>' in row
    assert f"<td>{registration.get_basis_display()}</td>" in row
    assert f"<td>{registration.get_state_display()}</td>" in row
    created = timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")
    assert f"<td>{created}</td>" in row
