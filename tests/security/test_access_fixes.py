"""Security review fixes: each test fails without its fix."""

import pytest
from django.urls import reverse

from tests.api_support import client_for
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import staff_for
from tests.review.helpers import change_url, station_with_application

pytestmark = pytest.mark.django_db


def test_a_clerk_cannot_reveal_the_full_id_number(client):
    """Clerks hold no identity permission: the full ID number is an officer's (and a
    supervisor's) view only; the button is not shown to a clerk either."""
    station, app, staff = station_with_application()
    url = reverse("admin:review_application_reveal_id", args=[app.pk])
    client.force_login(staff["clerk"])
    response = client.post(url)
    assert response.status_code == 403
    assert app.person.id_number not in response.content.decode()
    assert url not in client.get(change_url(app)).content.decode()
    client.force_login(staff["officer"])
    assert app.person.id_number in client.post(url).content.decode()
    client.force_login(staff["supervisor"])
    assert app.person.id_number in client.post(url).content.decode()


def test_staff_api_list_masks_the_mail_recipient_and_phone():
    app = ApplicationFactory(mailed=True)
    clerk = client_for(staff_for(app.station)["clerk"])
    rows = clerk.get("/api/v1/staff/applications/").json()["results"]
    assert [row["id"] for row in rows] == [app.pk]
    row = rows[0]
    assert app.mail_phone not in str(row) and app.mail_recipient_name not in str(row)
    assert row["mail_phone"].endswith(app.mail_phone[-4:]) and "****" in row["mail_phone"]
    detail = clerk.get(f"/api/v1/staff/applications/{app.pk}/").json()
    assert detail["mail_phone"] == app.mail_phone  # the detail, for the envelope, in full
    assert detail["mail_recipient_name"] == app.mail_recipient_name


def test_staff_without_a_role_cannot_fetch_a_material_through_the_custom_url(client):
    """A staff account still assigned to the station but without a role (e.g. its group was
    removed) is refused the application page; the material file URL refuses it too."""
    from permits.models import StaffAssignment
    from tests.factories import StaffFactory

    station, app, staff = station_with_application()
    no_role = StaffFactory()
    StaffAssignment.objects.create(user=no_role, station=station)
    material = app.materials.first()
    url = reverse("admin:review_application_material", args=[app.pk, material.pk])
    client.force_login(no_role)
    assert client.get(change_url(app)).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(staff["clerk"])
    assert client.get(url).status_code == 200


def test_staff_cannot_decide_their_own_application_registration_or_identity():
    """Separation of duties: an officer (or supervisor) who is also an applicant cannot accept
    their own application, register their own residence or verify their own identity."""
    from applicants import services as identity_services
    from core.errors import NotAllowed
    from permits.constants import RegistrationState
    from permits.services import applications as svc
    from permits.services import registrations as registration_services
    from tests.factories import HouseFactory, IdentityFactory, StaffFactory, StationFactory
    from tests.permits.factories import RegistrationFactory
    from tests.permits.helpers import registered_person, submitted
    from tests.service_codes import Service

    station = StationFactory()
    officer = StaffFactory(officer=True, station=station)
    supervisor = StaffFactory(supervisor=True)
    colleague = StaffFactory(officer=True, station=station)

    person = registered_person(house=HouseFactory(station=station), account=officer)
    app = submitted(person, Service.NEW)
    with pytest.raises(NotAllowed):
        svc.accept(user=officer, application=app)
    svc.accept(user=colleague, application=app)  # anyone else of the station may

    registration = RegistrationFactory(
        person=IdentityFactory(account=supervisor, verified=True),
        house=HouseFactory(station=station),
    )
    assert registration.state == RegistrationState.SUBMITTED
    with pytest.raises(NotAllowed):
        registration_services.register_residence(registration=registration, by=supervisor)
    registration_services.register_residence(registration=registration, by=colleague)

    newcomer = StaffFactory(officer=True, station=station)
    identity = IdentityFactory(account=newcomer, pending=True)
    with pytest.raises(NotAllowed):
        identity_services.verify_identity(identity=identity, by=newcomer)
    with pytest.raises(NotAllowed):
        identity_services.reject_identity(identity=identity, by=newcomer, reason="other", note="x")
    identity_services.verify_identity(identity=identity, by=officer)


def test_the_identity_page_offers_no_decision_on_ones_own_identity(client):
    from tests.factories import IdentityFactory, StaffFactory

    officer = StaffFactory(officer=True)
    identity = IdentityFactory(account=officer, pending=True)
    verify_url = reverse("admin:applicants_identity_verify", args=[identity.pk])
    page = reverse("admin:applicants_identity_change", args=[identity.pk])
    client.force_login(officer)
    assert verify_url not in client.get(page).content.decode()
    assert client.post(verify_url).status_code == 403
    client.force_login(StaffFactory(officer=True))
    assert verify_url in client.get(page).content.decode()


def test_staff_without_a_role_reads_nothing_through_the_staff_api():
    from permits.models import StaffAssignment
    from tests.factories import StaffFactory

    station, app, staff = station_with_application()
    no_role = StaffFactory()
    StaffAssignment.objects.create(user=no_role, station=station)
    assert client_for(no_role).get("/api/v1/staff/applications/").status_code == 403
    assert client_for(no_role).get(f"/api/v1/staff/applications/{app.pk}/").status_code == 403
    assert client_for(staff["clerk"]).get("/api/v1/staff/applications/").status_code == 200
