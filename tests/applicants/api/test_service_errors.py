"""Every service refusal is a ``core.errors.ServiceError``, mapped to its HTTP status by type in
one place (core.api.errors), through real endpoints, in the one error shape."""

import datetime

import pytest

from applicants import services
from core import errors
from tests.api_support import assert_error
from tests.applicants.helpers import image_bytes, sms_code, upload
from tests.factories import VALID_ID_NUMBERS, IdentityFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

IDENTITY_URL = "/api/v1/identity/"


def identity_data(**extra):
    return {
        "full_name": "张三",
        "id_number": VALID_ID_NUMBERS[0],
        "id_card_front": upload("front.png"),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.jpg", image_bytes("JPEG"), "image/jpeg"),
        **extra,
    }


@pytest.mark.parametrize(
    "error, status, code",
    [
        (errors.NotAllowed(), 403, "not_allowed"),
        (errors.InvalidInput(code="flagged"), 400, "flagged"),
        (errors.InvalidInput(code="code_wrong", fields={"full_name": "Enter it."}), 400, "invalid"),
        (errors.WrongPassword(), 400, "wrong_password"),
        (errors.WrongState(params={"state": "Pending"}), 409, "wrong_state"),
        (errors.StaleState(), 409, "stale"),
        (errors.NotEligible(params={"reasons": "a"}, reasons=["a"]), 409, "not_eligible"),
        (errors.RuleRefused("No.", code="renewal_too_early"), 409, "renewal_too_early"),
        (errors.RateLimited("Slow down.", retry_after=30), 429, "throttled"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_service_error_type_maps_to_its_status(
    applicant_api, monkeypatch, error, status, code
):
    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(services, "submit_own_identity", refuse)
    body = assert_error(
        applicant_api.post(IDENTITY_URL, identity_data(), format="multipart"), status, code
    )
    if error.fields:
        assert body["fields"] == {"full_name": ["Enter it."]}
        assert body["message"] == "Some fields are not valid; see the field errors."
    if isinstance(error, errors.WrongPassword):
        assert list(body["fields"]) == ["password"]
    if isinstance(error, errors.NotEligible):
        assert body["fields"] == {"non_field_errors": ["a"]}
    if isinstance(error, errors.RateLimited):
        assert body["message"] == "Slow down."


def test_rate_limited_service_answers_429_with_retry_after(api, settings):
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 60
    data = {"phone": "13800138011", "purpose": "sign_up"}
    assert api.post("/api/v1/auth/phone-code/", data, format="json").status_code == 202
    with pytest.raises(errors.RateLimited) as err:
        services.request_phone_code(phone="13800138011", purpose="sign_up")
    assert err.value.code == "rate_limited"
    response = api.post("/api/v1/auth/phone-code/", data, format="json")
    body = assert_error(response, 429, "throttled")
    assert "60 seconds" in body["message"]
    assert response["Retry-After"] == "60"


def test_applicants_services_raise_service_errors_with_fields():
    agent = UserFactory()
    with pytest.raises(errors.InvalidInput) as err:
        services.add_dependent(
            account=agent,
            full_name="王小小",
            id_number=make_id_number(902, birth=datetime.date(2017, 1, 2)),
            relationship="guardian",
            agent_reason="minor",
        )
    assert "Verify your own identity first" in " ".join(err.value.messages)
    assert list(err.value.fields) == [errors.NON_FIELD]
    with pytest.raises(errors.InvalidInput) as err:
        services.submit_own_identity(account=agent, full_name="张三", id_number="123")
    assert "id_number" in err.value.fields
    identity = IdentityFactory(pending=True)
    with pytest.raises(errors.NotAllowed):
        services.verify_identity(identity=identity, by=identity.account)


def test_a_wrong_identity_act_through_the_api_keeps_its_status_and_shape(
    applicant, applicant_api, api
):
    # Resubmitting a pending identity: WrongState, 409 with the service's code as before.
    IdentityFactory(account=applicant, pending=True, id_number=VALID_ID_NUMBERS[0])
    body = assert_error(
        applicant_api.post(IDENTITY_URL, identity_data(), format="multipart"), 409, "state"
    )
    assert body["message"] == "This identity is already submitted; it cannot be changed now."
    assert body["fields"] == {}

    # A dependent with one's own ID number: InvalidInput on its field, 400 "invalid".
    own = applicant.own_identity
    data = identity_data(
        id_number=own.id_number,
        relationship="guardian",
        agent_reason="disabled",
        agent_proof=upload("proof.png"),
    )
    body = assert_error(
        applicant_api.post("/api/v1/dependents/", data, format="multipart"), 400, "invalid"
    )
    assert body["fields"] == {"id_number": ["This is your own ID number. Enter the dependent's."]}

    # A wrong SMS code: 400 "invalid" on the code field, tries left in the message.
    api.post("/api/v1/auth/phone-code/", {"phone": "13800138012", "purpose": "sign_up"})
    code = sms_code("+8613800138012")
    response = api.post(
        "/api/v1/auth/sign-up/",
        {
            "phone": "13800138012",
            "code": "000000" if code != "000000" else "111111",
            "password": "Brand-New-Pass-2026!",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {"code": ["The code is wrong or has expired. 4 tries left."]}
