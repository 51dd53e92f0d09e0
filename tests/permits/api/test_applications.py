"""Applications, permits and the clerk's work through the API: the whole new-permit flow, and
for every endpoint: owner succeeds, another applicant 404, anonymous 401, other station 404."""

import pytest

from applicants import services as applicant_services
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.services import applications as svc
from tests.api_support import assert_error, client_for
from tests.applicants.helpers import sms_code, upload
from tests.factories import PASSWORD, StaffFactory, UserFactory, make_id_number
from tests.permits.helpers import draft_ready, registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Pass-2026!"
ID_NUMBER = make_id_number(42, birth=__import__("datetime").date(1991, 4, 5))


def test_a_new_permit_through_the_api_from_sign_up_to_produced_and_mailed(api):
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from tests.factories import HouseFactory

    # sign up with an SMS code
    api.post("/api/v1/auth/phone-code/", {"phone": "13800138100", "purpose": "sign_up"})
    response = api.post(
        "/api/v1/auth/sign-up/",
        {"phone": "13800138100", "code": sms_code("+8613800138100"), "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")

    # real-name identity with photos; an officer verifies it
    response = api.post(
        "/api/v1/identity/",
        {
            "full_name": "王小明",
            "id_number": ID_NUMBER,
            "id_card_front": upload("f.png"),
            "id_card_back": upload("b.png"),
            "face_photo": upload("p.png"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    from applicants.models import Identity

    identity = Identity.objects.get(pk=response.json()["id"])
    house = HouseFactory()
    staff = staff_for(house.station)
    officer = staff["officer"]
    applicant_services.verify_identity(identity=identity, by=officer)

    # residence registration at the house code (8 months ago); the station registers it
    since = timezone.localdate() - relativedelta(months=8)
    response = api.post(
        "/api/v1/registrations/",
        {
            "house_code": house.code,
            "since": since.isoformat(),
            "basis": "residence",
            "proof": upload("lease.png"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    from permits.models import ResidenceRegistration
    from permits.services.registrations import register_residence

    register_residence(
        registration=ResidenceRegistration.objects.get(pk=response.json()["id"]), by=officer
    )
    # ... eight months ago: residence counts from the station's recording (issue 25)
    ResidenceRegistration.objects.filter(pk=response.json()["id"]).update(
        registered_at=timezone.now() - relativedelta(months=8)
    )
    assert api.get(f"/api/v1/registrations/{response.json()['id']}/").json()["state"] == (
        "registered"
    )

    # start, answer, upload every required material, submit with the password
    response = api.post(
        "/api/v1/applications/",
        {"service": "new", "basis": "employment", "answers": {"household_region": "110105"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    app_id = response.json()["id"]
    base = f"/api/v1/applications/{app_id}/"
    response = api.patch(base, {"basis": "residence"}, format="json")
    assert response.status_code == 200
    required = [r["code"] for r in response.json()["requirements"] if r["required"]]
    assert required
    for code in required:
        response = api.post(
            f"{base}materials/", {"requirement": code, "file": upload()}, format="multipart"
        )
        assert response.status_code == 201, response.content
    body = assert_error(api.post(f"{base}submit/", {"password": "wrong"}, format="json"), 400)
    assert list(body["fields"]) == ["password"]
    response = api.post(f"{base}submit/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ApplicationState.SUBMITTED
    assert_error(api.post(f"{base}submit/", {"password": NEW_PASSWORD}, format="json"), 409)

    # the officer accepts and approves (review admin); the clerk marks it produced via the API
    application = PermitApplication.objects.get(pk=app_id)
    svc.accept(user=officer, application=application)
    svc.approve(user=officer, application=application)
    assert_error(api.post(f"{base}withdraw/", {}, format="json"), 409)  # too late

    other_clerk = client_for(StaffFactory(clerk=True))
    assert_error(other_clerk.post(f"/api/v1/staff/applications/{app_id}/produced/"), 404)
    assert_error(api.post(f"/api/v1/staff/applications/{app_id}/produced/"), 403)
    officer_api = client_for(officer)
    assert_error(officer_api.post(f"/api/v1/staff/applications/{app_id}/produced/"), 403)
    clerk = client_for(staff["clerk"])
    queue = clerk.get("/api/v1/staff/applications/", {"state": "approved"}).json()
    assert [row["id"] for row in queue["results"]] == [app_id]
    queue = clerk.get("/api/v1/staff/applications/", {"queue": "to_produce"}).json()
    assert [row["id"] for row in queue["results"]] == [app_id]
    assert clerk.get("/api/v1/staff/applications/", {"queue": "to_accept"}).json()["count"] == 0
    assert ID_NUMBER not in str(queue)
    response = clerk.post(f"/api/v1/staff/applications/{app_id}/produced/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ApplicationState.PRODUCED

    # the applicant sees it produced, the permit and its verification link; chooses mail
    assert api.get(base).json()["state"] == ApplicationState.PRODUCED
    permits = api.get("/api/v1/permits/").json()["results"]
    assert len(permits) == 1 and permits[0]["status"] == "active"
    verify_url = permits[0]["verification_url"]
    code = verify_url.rstrip("/").rsplit("/", 1)[1]
    assert api.get(f"/api/v1/verify/{code}/").json()["status"] == "valid"
    kinds = [n["kind"] for n in api.get("/api/v1/notifications/").json()["results"]]
    assert "certificate_produced" in kinds
    response = api.post(
        f"{base}delivery/",
        {
            "method": "mail",
            "recipient_name": "王小明",
            "address": "海口市某路1号",
            "phone": "13800138100",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ApplicationState.MAILED or response.json()["state"] in (
        ApplicationState.PRODUCED,
        ApplicationState.AWAITING_OLD_CARD,
    )
    response = clerk.post(
        f"/api/v1/staff/applications/{app_id}/mailed/", {"tracking_number": "SF123"}, format="json"
    )
    assert response.status_code == 200, response.content
    response = clerk.post(f"/api/v1/staff/applications/{app_id}/delivered/", {}, format="json")
    assert response.json()["state"] == ApplicationState.DELIVERED


def test_not_eligible_is_409_with_every_reason(applicant, applicant_api):
    from tests.factories import IdentityFactory

    IdentityFactory(account=applicant, pending=True)
    response = applicant_api.post("/api/v1/applications/", {"service": "new"}, format="json")
    body = assert_error(response, 409, "not_eligible")
    assert len(body["fields"]["non_field_errors"]) >= 2


def test_start_for_someone_elses_identity_is_404(applicant_api):
    person = registered_person()
    response = applicant_api.post(
        "/api/v1/applications/", {"service": "new", "person": person.pk}, format="json"
    )
    assert_error(response, 404)


def test_withdraw_a_submitted_application(applicant_api, applicant):
    person = registered_person(account=applicant)
    app = submitted(person, Service.NEW)
    response = applicant_api.post(f"/api/v1/applications/{app.pk}/withdraw/", {}, format="json")
    assert response.json()["state"] == ApplicationState.WITHDRAWN


def test_answer_a_supplement_request(applicant_api, applicant):
    person = registered_person(account=applicant)
    app = submitted(person, Service.NEW)
    staff = staff_for(app.station)
    code = app.requirements().filter(required=True).first().code
    svc.request_supplement(
        user=staff["officer"], application=app, items=[{"code": code, "reason": "unclear"}]
    )
    base = f"/api/v1/applications/{app.pk}/"
    detail = applicant_api.get(base).json()
    assert [item["code"] for item in detail["flagged_items"]] == [code]
    response = applicant_api.post(f"{base}resubmit/", {"password": PASSWORD}, format="json")
    assert_error(response, 400, "flagged_not_reuploaded")
    applicant_api.post(f"{base}materials/", {"requirement": code, "file": upload()})
    response = applicant_api.post(f"{base}resubmit/", {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ApplicationState.SUBMITTED


def _produced(person):
    app = submitted(person, Service.NEW)
    staff = staff_for(app.station)
    svc.accept(user=staff["officer"], application=app)
    svc.approve(user=staff["officer"], application=app)
    svc.mark_produced(user=staff["clerk"], application=app)
    return app, staff


def test_window_pickup_and_collection(applicant_api, applicant):
    person = registered_person(account=applicant)
    app, staff = _produced(person)
    response = applicant_api.post(
        f"/api/v1/applications/{app.pk}/delivery/", {"method": "window"}, format="json"
    )
    assert response.json()["state"] == ApplicationState.AWAITING_PICKUP
    clerk = client_for(staff["clerk"])
    response = clerk.post(
        f"/api/v1/staff/applications/{app.pk}/collected/",
        {"collector_id_number": "110101199003070000"},
        format="json",
    )
    assert_error(response, 400, "collector_mismatch")
    response = clerk.post(
        f"/api/v1/staff/applications/{app.pk}/collected/",
        {"collector_id_number": person.id_number},
        format="json",
    )
    assert response.json()["state"] == ApplicationState.COLLECTED


def test_mail_needs_the_address(applicant_api, applicant):
    person = registered_person(account=applicant)
    app, _staff = _produced(person)
    body = assert_error(
        applicant_api.post(
            f"/api/v1/applications/{app.pk}/delivery/", {"method": "mail"}, format="json"
        ),
        400,
    )
    assert {"recipient_name", "address", "phone"} <= set(body["fields"])


# --- access, endpoint by endpoint ---------------------------------------------------------------

APPLICANT_ENDPOINTS = [
    ("get", "/api/v1/applications/{pk}/", None),
    ("patch", "/api/v1/applications/{pk}/", {"basis": "employment"}),
    ("post", "/api/v1/applications/{pk}/materials/", "upload"),
    ("post", "/api/v1/applications/{pk}/submit/", {"password": PASSWORD}),
    ("post", "/api/v1/applications/{pk}/resubmit/", {"password": PASSWORD}),
    ("post", "/api/v1/applications/{pk}/withdraw/", {}),
    ("post", "/api/v1/applications/{pk}/delivery/", {"method": "window"}),
]


def _call(client, method, path, data):
    if data == "upload":
        code = PermitApplication.objects.get(pk=path.split("/")[4]).requirements().first().code
        return client.post(path, {"requirement": code, "file": upload()}, format="multipart")
    if data is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data, format="json")


@pytest.mark.parametrize("method,path,data", APPLICANT_ENDPOINTS)
def test_applicant_endpoints_access(method, path, data, applicant, applicant_api, other_api, api):
    person = registered_person(account=applicant)
    app = draft_ready(person, Service.NEW)
    url = path.format(pk=app.pk)
    other_station_clerk = client_for(StaffFactory(clerk=True))
    own_station_clerk = client_for(StaffFactory(clerk=True, station=app.station))
    before = app.state
    assert_error(_call(api, method, url, data), 401)
    assert_error(_call(other_api, method, url, data), 404)
    assert_error(_call(other_station_clerk, method, url, data), 404)
    assert_error(_call(own_station_clerk, method, url, data), 404)  # staff use /staff/
    app.refresh_from_db()
    assert app.state == before
    response = _call(applicant_api, method, url, data)
    # the owner reaches the application: success, or a refusal that names the state
    assert response.status_code in (200, 201, 409), response.content
    if method in ("get", "patch") or path.endswith(("materials/", "/submit/")):
        assert response.status_code in (200, 201), response.content


STAFF_ENDPOINTS = [
    ("get", "/api/v1/staff/applications/{pk}/", None, ApplicationState.APPROVED),
    ("post", "/api/v1/staff/applications/{pk}/produced/", {}, ApplicationState.APPROVED),
    ("post", "/api/v1/staff/applications/{pk}/mailed/", {"tracking_number": "SF1"}, "mail"),
    ("post", "/api/v1/staff/applications/{pk}/delivered/", {}, "mailed"),
    (
        "post",
        "/api/v1/staff/applications/{pk}/collected/",
        {"collector_id_number": "holder"},
        "window",
    ),
    ("post", "/api/v1/staff/applications/{pk}/old-card-received/", {}, "old_card"),
]


def _staff_case(stage, person):
    app = submitted(person, Service.NEW)
    staff = staff_for(app.station)
    svc.accept(user=staff["officer"], application=app)
    svc.approve(user=staff["officer"], application=app)
    if stage == ApplicationState.APPROVED or stage == "old_card":
        return app, staff
    svc.mark_produced(user=staff["clerk"], application=app)
    if stage == "window":
        svc.choose_pickup(user=person.account, application=app)
    else:
        svc.choose_mail(
            user=person.account,
            application=app,
            recipient_name="王",
            address="海口市1号",
            phone="13800138000",
        )
        if stage == "mailed":
            svc.record_mailed(user=staff["clerk"], application=app, tracking_number="SF0")
    return app, staff


@pytest.mark.parametrize("method,path,data,stage", STAFF_ENDPOINTS)
def test_staff_endpoints_access(method, path, data, stage, applicant_api, applicant, api):
    person = registered_person(account=applicant)
    app, staff = _staff_case(stage, person)
    if data and data.get("collector_id_number") == "holder":
        data = {"collector_id_number": person.id_number}
    url = path.format(pk=app.pk)
    assert_error(_call(api, method, url, data), 401)
    assert_error(_call(applicant_api, method, url, data), 403)  # not staff
    assert_error(_call(client_for(StaffFactory(clerk=True)), method, url, data), 404)
    response = _call(client_for(staff["clerk"]), method, url, data)
    if stage == "old_card":  # a new permit needs no old card: refused, not hidden
        assert_error(response, 409)
    else:
        assert response.status_code == 200, response.content
    supervisor = client_for(staff["supervisor"])
    assert supervisor.get(f"/api/v1/staff/applications/{app.pk}/").status_code == 200


def test_permit_endpoints_access(applicant, applicant_api, other_api, api):
    from tests.factories import IdentityFactory
    from tests.permits.factories import PermitFactory

    permit = PermitFactory(holder=IdentityFactory(account=applicant, verified=True))
    url = f"/api/v1/permits/{permit.pk}/"
    assert applicant_api.get(url).json()["number"] == permit.number
    assert_error(other_api.get(url), 404)
    assert_error(api.get(url), 401)
    assert_error(api.get("/api/v1/permits/"), 401)
    assert_error(client_for(StaffFactory(clerk=True)).get(url), 404)
    assert other_api.get("/api/v1/permits/").json()["count"] == 0


def test_list_endpoints_anonymous_401(api):
    for path in ("/api/v1/applications/", "/api/v1/staff/applications/"):
        assert_error(api.get(path), 401)
    assert_error(api.post("/api/v1/applications/", {"service": "new"}, format="json"), 401)


# --- query counts -------------------------------------------------------------------------------


def _many_applications(account, rows):
    """``rows`` applications filed by ``account`` (self and dependents), all at one station."""
    from tests.factories import HouseFactory, IdentityFactory, RegistrationFactory, make_id_number

    house = HouseFactory()
    station = house.station
    for n in range(rows):
        person = IdentityFactory(
            account=account,
            relationship="self" if n == 0 else "guardian",
            agent_reason="" if n == 0 else "minor",
            verified=True,
            id_number=make_id_number(700 + n),
        )
        registration = RegistrationFactory(
            person=person, registered=True, house=HouseFactory(station=station)
        )
        PermitApplication.objects.create(
            service=Service.NEW,
            filed_by=account,
            person=person,
            registration=registration,
            station=station,
            reference=f"QC-{account.pk}-{n}",
        )
    return station


@pytest.mark.parametrize("rows", [5, 50])
def test_application_lists_query_count_is_fixed(rows, django_assert_max_num_queries):
    applicant = UserFactory()
    station = _many_applications(applicant, rows)
    client = client_for(applicant)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/applications/", {"page_size": 100})
    assert len(response.json()["results"]) == rows
    clerk = client_for(StaffFactory(clerk=True, station=station))
    # token row, user, second-factor device, scope (groups + assignment), count, page
    with django_assert_max_num_queries(8):  # + the role permission check, the second factor
        response = clerk.get("/api/v1/staff/applications/", {"page_size": 100})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_permit_list_query_count_is_fixed(rows, django_assert_max_num_queries):
    from tests.factories import IdentityFactory, make_id_number
    from tests.permits.factories import PermitFactory

    applicant = UserFactory()
    for n in range(rows):
        PermitFactory(
            holder=IdentityFactory(
                account=applicant,
                relationship="self" if n == 0 else "guardian",
                agent_reason="" if n == 0 else "minor",
                verified=True,
                id_number=make_id_number(800 + n),
            )
        )
    client = client_for(applicant)  # issuing the token (a row) is not the list's work
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/permits/", {"page_size": 100})
    assert len(response.json()["results"]) == rows


def test_replacement_of_a_lost_card_invalidates_its_verification_at_once(applicant, applicant_api):
    from permits.verification import verification_code
    from tests.permits.factories import PermitFactory

    person = registered_person(account=applicant)
    registration = person.registrations.get()
    permit = PermitFactory(holder=person, house=registration.house)
    old_code = verification_code(permit)
    assert applicant_api.get(f"/api/v1/verify/{old_code}/").json()["status"] == "valid"
    response = applicant_api.post(
        "/api/v1/applications/",
        {"service": "replacement", "answers": {"reason": "lost"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    app = PermitApplication.objects.get(pk=response.json()["id"])
    for requirement in app.requirements().filter(required=True):
        applicant_api.post(
            f"/api/v1/applications/{app.pk}/materials/",
            {"requirement": requirement.code, "file": upload()},
            format="multipart",
        )
    response = applicant_api.post(
        f"/api/v1/applications/{app.pk}/submit/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    assert applicant_api.get(f"/api/v1/verify/{old_code}/").json()["status"] == "invalid"


def test_an_agent_applies_for_a_dependent(applicant, applicant_api, other_api):
    from tests.factories import IdentityFactory, RegistrationFactory

    IdentityFactory(account=applicant, verified=True)
    child = IdentityFactory(account=applicant, dependent_minor=True, verified=True)
    RegistrationFactory(person=child, registered=True)
    data = {"service": "new", "basis": "residence", "person": child.pk}
    assert_error(other_api.post("/api/v1/applications/", data, format="json"), 404)
    response = applicant_api.post("/api/v1/applications/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["person_id"] == child.pk


def test_material_files_reach_only_the_owner(applicant, applicant_api, other_api, api):
    person = registered_person(account=applicant)
    app = draft_ready(person, Service.NEW)
    material = app.current_materials().first()
    url = f"/api/v1/applications/{app.pk}/materials/{material.pk}/file/"
    response = applicant_api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert_error(other_api.get(url), 404)
    assert_error(client_for(StaffFactory(clerk=True)).get(url), 404)
    assert_error(api.get(url), 401)
    other_app = draft_ready(registered_person(), Service.NEW)
    foreign = other_app.current_materials().first()
    assert_error(
        applicant_api.get(f"/api/v1/applications/{app.pk}/materials/{foreign.pk}/file/"), 404
    )
