import datetime

import pytest
from django.utils import timezone

from permits.constants import RegistrationState
from permits.models import ResidenceRegistration
from tests.api_support import assert_error, client_for
from tests.applicants.helpers import upload
from tests.factories import (
    HouseFactory,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/registrations/"


def test_register_at_a_house_code_or_its_qr_url(applicant, applicant_api):
    IdentityFactory(account=applicant, verified=True)
    house = HouseFactory()
    since = timezone.localdate() - datetime.timedelta(days=30)
    response = applicant_api.post(
        LIST,
        {
            "house_code": f"https://portal.example/register/?house={house.code.lower()}",
            "since": since.isoformat(),
            "basis": "employment",
            "proof": upload("lease.png"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == RegistrationState.SUBMITTED
    assert body["station"]["id"] == house.station_id
    assert applicant_api.get(LIST).json()["count"] == 1


def test_unknown_house_is_a_field_error(applicant, applicant_api):
    IdentityFactory(account=applicant, verified=True)
    response = applicant_api.post(
        LIST,
        {"house_code": "NOPE", "since": "2025-01-01", "basis": "study", "proof": upload()},
        format="multipart",
    )
    assert "house_code" in assert_error(response, 400)["fields"]


def test_unverified_identity_cannot_register(applicant, applicant_api):
    IdentityFactory(account=applicant, pending=True)
    house = HouseFactory()
    response = applicant_api.post(
        LIST,
        {"house_code": house.code, "since": "2025-01-01", "basis": "study", "proof": upload()},
        format="multipart",
    )
    assert "person" in assert_error(response, 400)["fields"]


def test_registration_access(applicant, applicant_api, other_api, api):
    registration = RegistrationFactory(
        person=IdentityFactory(account=applicant, verified=True), registered=True
    )
    url = f"{LIST}{registration.pk}/"
    assert applicant_api.get(url).status_code == 200
    for client in (other_api, client_for(StaffFactory(clerk=True))):
        assert_error(client.get(url), 404)
        assert_error(client.post(f"{url}cancel/", {}, format="json"), 404)
    assert_error(api.get(url), 401)
    assert_error(api.post(f"{url}cancel/", {}, format="json"), 401)
    assert_error(api.get(LIST), 401)
    response = applicant_api.post(f"{url}cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == RegistrationState.CANCELLED
    # Cancelling twice is a refused transition: 409 with the reason.
    assert_error(applicant_api.post(f"{url}cancel/", {}, format="json"), 409)


def test_someone_elses_identity_is_404(applicant_api):
    other_person = IdentityFactory(verified=True)
    house = HouseFactory()
    response = applicant_api.post(
        LIST,
        {
            "person": other_person.pk,
            "house_code": house.code,
            "since": "2025-01-01",
            "basis": "study",
            "proof": upload(),
        },
        format="multipart",
    )
    assert_error(response, 404)
    assert not ResidenceRegistration.objects.exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_registration_list_query_count_is_fixed(rows, django_assert_max_num_queries):
    from tests.factories import make_id_number

    user = UserFactory()
    for n in range(rows):
        RegistrationFactory(
            person=IdentityFactory(
                account=user,
                relationship="self" if n == 0 else "guardian",
                agent_reason="" if n == 0 else "minor",
                verified=True,
                id_number=make_id_number(600 + n),
            )
        )
    client = client_for(user)  # issuing the token (a row) is not the list's work
    with django_assert_max_num_queries(4):  # + the lessors' confirmations, one prefetch
        response = client.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == rows
