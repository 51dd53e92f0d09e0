import pytest

from applicants.constants import IdentityState
from applicants.models import Identity, User
from tests.api_support import assert_error, client_for
from tests.applicants.helpers import image_bytes, sms_code, upload
from tests.factories import VALID_ID_NUMBERS, IdentityFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Pass-2026!"


def test_sign_up_with_an_sms_code_then_use_the_token(api):
    response = api.post(
        "/api/v1/auth/phone-code/", {"phone": "13800138001", "purpose": "sign_up"}, format="json"
    )
    assert response.status_code == 202
    code = sms_code("+8613800138001")
    response = api.post(
        "/api/v1/auth/sign-up/",
        {"phone": "13800138001", "code": code, "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content
    user = User.objects.get(phone="+8613800138001")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["id"] == user.pk


def test_sign_up_with_a_wrong_code_is_a_field_error(api):
    api.post("/api/v1/auth/phone-code/", {"phone": "13800138002", "purpose": "sign_up"})
    response = api.post(
        "/api/v1/auth/sign-up/",
        {"phone": "13800138002", "code": "000000", "password": NEW_PASSWORD},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert "code" in body["fields"]
    assert not User.objects.filter(phone="+8613800138002").exists()


def test_weak_password_is_refused_on_its_field(api):
    api.post("/api/v1/auth/phone-code/", {"phone": "13800138003", "purpose": "sign_up"})
    code = sms_code("+8613800138003")
    response = api.post(
        "/api/v1/auth/sign-up/",
        {"phone": "13800138003", "code": code, "password": "123"},
        format="json",
    )
    assert_error(response, 400, "invalid")


def test_a_second_code_request_at_once_is_429(api):
    data = {"phone": "13800138004", "purpose": "sign_up"}
    assert api.post("/api/v1/auth/phone-code/", data, format="json").status_code == 202
    assert_error(api.post("/api/v1/auth/phone-code/", data, format="json"), 429, "throttled")


def test_sms_codes_are_throttled_per_number_by_the_api_too(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"sms_code_user": "1/hour", "sms_code_ip": "100/hour"},
    }
    data = {"phone": "13800138005", "purpose": "reset_password"}
    api.post("/api/v1/auth/phone-code/", data, format="json")
    assert_error(api.post("/api/v1/auth/phone-code/", data, format="json"), 429, "throttled")


def test_password_reset_revokes_old_tokens(api):
    user = UserFactory(phone="+8613800138006")
    old = client_for(user)
    api.post("/api/v1/auth/phone-code/", {"phone": user.phone, "purpose": "reset_password"})
    response = api.post(
        "/api/v1/auth/password-reset/",
        {"phone": user.phone, "code": sms_code(user.phone), "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    assert_error(old.get("/api/v1/me/"), 401)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def identity_data(**extra):
    return {
        "full_name": "张三",
        "id_number": VALID_ID_NUMBERS[0],
        "id_card_front": upload("front.png"),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.jpg", image_bytes("JPEG"), "image/jpeg"),
        **extra,
    }


def test_file_own_identity_with_photos(applicant, applicant_api):
    assert_error(applicant_api.get("/api/v1/identity/"), 404)
    response = applicant_api.post("/api/v1/identity/", identity_data(), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == IdentityState.PENDING
    assert body["masked_id_number"] == "110101********4477"
    assert VALID_ID_NUMBERS[0] not in response.content.decode()
    assert applicant_api.get("/api/v1/identity/").json()["id"] == body["id"]
    assert applicant_api.get("/api/v1/me/").json()["identity"]["state"] == "pending"


def test_identity_validation_errors_are_per_field(applicant_api):
    data = identity_data(id_number="110101199003074478", face_photo=upload("x.png", b"nope"))
    body = assert_error(applicant_api.post("/api/v1/identity/", data, format="multipart"), 400)
    assert {"id_number", "face_photo"} <= set(body["fields"])


def test_resubmitting_a_pending_identity_is_409(applicant, applicant_api):
    IdentityFactory(account=applicant, pending=True, id_number=VALID_ID_NUMBERS[0])
    response = applicant_api.post("/api/v1/identity/", identity_data(), format="multipart")
    assert_error(response, 409)


def test_identity_uploads_are_throttled(applicant_api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"upload_user": "1/hour", "upload_ip": "100/hour"},
    }
    applicant_api.post("/api/v1/identity/", {"full_name": ""}, format="multipart")
    assert_error(applicant_api.post("/api/v1/identity/", {}, format="multipart"), 429)
    assert applicant_api.get("/api/v1/identity/").status_code == 404  # reads are not uploads


def test_dependents_owner_sees_others_get_404(applicant, applicant_api, other_api, api):
    IdentityFactory(account=applicant, verified=True)
    dependent = IdentityFactory(account=applicant, dependent_minor=True, pending=True)
    listing = applicant_api.get("/api/v1/dependents/").json()
    assert [item["id"] for item in listing["results"]] == [dependent.pk]
    assert applicant_api.get(f"/api/v1/dependents/{dependent.pk}/").status_code == 200
    assert other_api.get("/api/v1/dependents/").json()["count"] == 0
    assert_error(other_api.get(f"/api/v1/dependents/{dependent.pk}/"), 404)
    assert_error(api.get(f"/api/v1/dependents/{dependent.pk}/"), 401)
    assert_error(api.get("/api/v1/dependents/"), 401)
    clerk = client_for(StaffFactory(clerk=True))
    assert_error(clerk.get(f"/api/v1/dependents/{dependent.pk}/"), 404)
    response = other_api.put(
        f"/api/v1/dependents/{dependent.pk}/", identity_data(), format="multipart"
    )
    assert_error(response, 404)


def test_add_a_dependent_minor(applicant, applicant_api):
    IdentityFactory(account=applicant, verified=True)
    import datetime

    from tests.factories import make_id_number

    data = identity_data(
        id_number=make_id_number(901, birth=datetime.date(2017, 1, 2)),
        relationship="guardian",
        agent_reason="minor",
        agent_proof=upload("proof.png"),
    )
    data.pop("id_card_back")
    response = applicant_api.post("/api/v1/dependents/", data, format="multipart")
    assert response.status_code == 201, response.content
    assert Identity.objects.get(pk=response.json()["id"]).account == applicant


@pytest.mark.parametrize("rows", [5, 50])
def test_dependent_list_query_count_is_fixed(
    applicant, applicant_api, rows, django_assert_max_num_queries
):
    from tests.factories import make_id_number

    IdentityFactory(account=applicant, verified=True)
    for n in range(rows):
        IdentityFactory(account=applicant, dependent_minor=True, id_number=make_id_number(300 + n))
    with django_assert_max_num_queries(3):
        response = applicant_api.get("/api/v1/dependents/", {"page_size": 100})
    assert len(response.json()["results"]) == rows
