"""Issue 11 (points 2 and 3): officers and clerks see no account pages and no other station's
houses; supervisors keep the account pages; the staff-assignment autocomplete answers staff
accounts only."""

import pytest
from django.urls import reverse

from permits.models import StaffAssignment
from tests.factories import HouseFactory, IdentityFactory, StaffFactory, StationFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = {"app_label": "permits", "model_name": "staffassignment", "field_name": "user"}


@pytest.fixture
def other_station():
    """Another station: an applicant filed there, a staff member, and a house."""
    station = StationFactory()
    identity = IdentityFactory(verified=True)
    return {
        "station": station,
        "applicant": identity.account,
        "officer": StaffFactory(officer=True, station=station),
        "house": HouseFactory(station=station),
    }


def account_pages(account):
    return [
        reverse("admin:applicants_user_changelist"),
        reverse("admin:applicants_user_change", args=[account.pk]),
        reverse("admin:applicants_user_history", args=[account.pk]),
        reverse("admin:auth_user_password_change", args=[account.pk]),
        reverse("admin:applicants_user_delete", args=[account.pk]),
    ]


def autocomplete(client, term="", **params):
    return client.get(reverse("admin:autocomplete"), {**AUTOCOMPLETE, "term": term, **params})


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_officer_and_clerk_of_another_station_get_no_account_page(client, role, other_station):
    user = StaffFactory(**{role: True}, station=StationFactory())
    client.force_login(user)
    for account in (other_station["applicant"], other_station["officer"]):
        for url in account_pages(account):
            response = client.get(url)
            assert response.status_code in (403, 404), (url, response.status_code)
            assert account.phone.encode() not in response.content
        search = client.get(reverse("admin:applicants_user_changelist"), {"q": account.phone})
        assert search.status_code in (403, 404)
        assert account.phone.encode() not in search.content
        found = autocomplete(client, account.phone[-8:])
        assert found.status_code in (403, 404)
        assert account.phone.encode() not in found.content
    # Not even listed on the admin index.
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:applicants_user_changelist").encode() not in index.content


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_own_station_staff_get_no_account_page_either(client, role, other_station):
    colleague = other_station["officer"]
    user = StaffFactory(**{role: True}, station=other_station["station"])
    client.force_login(user)
    for url in account_pages(colleague):
        assert client.get(url).status_code in (403, 404), url


def test_supervisor_keeps_the_account_pages(client, other_station):
    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    applicant = other_station["applicant"]
    changelist = reverse("admin:applicants_user_changelist")
    assert client.get(changelist).status_code == 200
    assert (
        client.get(reverse("admin:applicants_user_change", args=[applicant.pk])).status_code == 200
    )
    history = reverse("admin:applicants_user_history", args=[applicant.pk])
    assert client.get(history).status_code == 200
    search = client.get(changelist, {"q": applicant.phone})
    assert search.status_code == 200
    assert applicant.display_name in search.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200


def test_superuser_keeps_the_account_pages(client, other_station):
    root = StaffFactory(is_superuser=True)
    client.force_login(root)
    applicant = other_station["applicant"]
    assert client.get(reverse("admin:applicants_user_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:applicants_user_change", args=[applicant.pk])).status_code == 200
    )


def test_autocomplete_answers_staff_accounts_only(client, other_station):
    supervisor = StaffFactory(supervisor=True)
    unassigned = StaffFactory(phone="+8613700000001")
    applicant = other_station["applicant"]
    client.force_login(supervisor)

    everyone = autocomplete(client)
    assert everyone.status_code == 200
    ids = {int(row["id"]) for row in everyone.json()["results"]}
    assert applicant.pk not in ids
    assert {unassigned.pk, other_station["officer"].pk} <= ids

    by_phone = autocomplete(client, applicant.phone)
    assert by_phone.status_code == 200
    assert by_phone.json()["results"] == []
    assert applicant.phone.encode() not in by_phone.content

    staff = autocomplete(client, unassigned.phone)
    assert [int(row["id"]) for row in staff.json()["results"]] == [unassigned.pk]


def test_autocomplete_through_another_user_field_hides_applicants_too(client, other_station):
    """The endpoint takes any foreign key to the account model; none yields an applicant."""
    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    applicant = other_station["applicant"]
    response = autocomplete(
        client,
        applicant.phone,
        app_label="applicants",
        model_name="identity",
        field_name="account",
    )
    assert response.status_code in (200, 403, 404)
    assert applicant.phone.encode() not in response.content
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_staff_assignment_refuses_an_applicant_account(client, other_station):
    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    applicant = other_station["applicant"]
    response = client.post(
        reverse("admin:permits_staffassignment_add"),
        {"user": applicant.pk, "station": other_station["station"].pk},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not StaffAssignment.objects.filter(user=applicant).exists()

    newcomer = StaffFactory()
    response = client.post(
        reverse("admin:permits_staffassignment_add"),
        {"user": newcomer.pk, "station": other_station["station"].pk},
    )
    assert response.status_code == 302
    assert StaffAssignment.objects.get(user=newcomer).station == other_station["station"]


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_another_stations_page_shows_none_of_its_houses(client, role, other_station):
    own = StationFactory()
    own_house = HouseFactory(station=own)
    user = StaffFactory(**{role: True}, station=own)
    client.force_login(user)
    house = other_station["house"]

    for url in (
        reverse("admin:permits_station_change", args=[other_station["station"].pk]),
        reverse("admin:permits_station_history", args=[other_station["station"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert house.code.encode() not in response.content
        assert house.address.encode() not in response.content

    listing = client.get(reverse("admin:permits_station_changelist"))
    assert listing.status_code == 200
    assert other_station["station"].name not in listing.content.decode()

    mine = client.get(reverse("admin:permits_station_change", args=[own.pk]))
    assert mine.status_code == 200
    assert own_house.code in mine.content.decode()
    assert house.code not in mine.content.decode()


def test_supervisor_sees_every_stations_houses(client, other_station):
    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    house = other_station["house"]
    response = client.get(
        reverse("admin:permits_station_change", args=[other_station["station"].pk])
    )
    assert response.status_code == 200
    assert house.code in response.content.decode()
    assert house.address in response.content.decode()
