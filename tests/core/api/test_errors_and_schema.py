import pytest
from django.utils import translation

from tests.api_support import assert_error, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(api.get("/api/v1/notifications/-1/"), 404, "not_found")


def test_huge_id_is_a_404_not_a_server_error(applicant_api):
    assert_error(applicant_api.get("/api/v1/notifications/99999999999999999999999/"), 404)
    assert_error(applicant_api.get("/api/v1/notifications/999999999999999999/"), 404)


def test_method_not_allowed_has_the_shape(applicant_api):
    assert_error(applicant_api.put("/api/v1/me/", {}, format="json"), 405, "method_not_allowed")


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_unsupported_media_type_is_415(api):
    response = api.post("/api/v1/auth/token/", "x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_not_acceptable_is_406(applicant_api):
    assert_error(applicant_api.get("/api/v1/me/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable")


def test_message_is_in_the_requests_language(api):
    english = assert_error(api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en"), 401)
    chinese = assert_error(api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans"), 401)
    with translation.override("zh-hans"):
        expected = str(translation.gettext("Authentication credentials were not provided."))
    assert chinese["message"] == expected
    assert english["message"] == "Authentication credentials were not provided."
    assert chinese["message"] != english["message"]


def test_service_errors_map_by_type_to_400_409_429():
    from django.core.exceptions import ValidationError
    from django_fsm import TransitionNotAllowed

    from core import errors
    from core.api.errors import exception_handler

    response = exception_handler(ValidationError({"full_name": "Enter it."}), {})
    assert response.status_code == 400
    assert response.data["fields"] == {"full_name": ["Enter it."]}
    response = exception_handler(errors.InvalidInput(fields={"full_name": "Enter it."}), {})
    assert (response.status_code, response.data["code"]) == (400, "invalid")
    assert response.data["fields"] == {"full_name": ["Enter it."]}
    response = exception_handler(errors.WrongState("Already submitted.", code="state"), {})
    # The service's own code is kept: it tells the app which refusal it was.
    assert (response.status_code, response.data["code"]) == (409, "state")
    assert response.data["message"] == "Already submitted."
    response = exception_handler(errors.RateLimited("Slow down.", retry_after=60), {})
    assert (response.status_code, response.data["message"]) == (429, "Slow down.")
    assert (response.data["code"], response["Retry-After"]) == ("throttled", "60")
    response = exception_handler(TransitionNotAllowed("no"), {})
    assert response.status_code == 409

    response = exception_handler(errors.WrongState(params={"state": "Approved"}), {})
    assert (response.status_code, response.data["code"]) == (409, "wrong_state")
    assert "Approved" in response.data["message"]
    response = exception_handler(
        errors.NotEligible(params={"reasons": "a b"}, reasons=["a", "b"]), {}
    )
    assert response.status_code == 409
    assert response.data["fields"] == {"non_field_errors": ["a", "b"]}
    assert exception_handler(errors.NotAllowed(), {}).status_code == 403
    response = exception_handler(errors.WrongPassword(), {})
    assert (response.status_code, list(response.data["fields"])) == (400, ["password"])
    assert exception_handler(errors.InvalidInput(), {}).status_code == 400
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_schema_documents_every_operation_with_error_bodies(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert "Error" in schema["components"]["schemas"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) >= 6
    for path, method, operation in operations:
        assert path.startswith("/api/v1/"), path
        responses = operation["responses"]
        assert "429" in responses, (path, method)
        errors = [code for code in responses if code.startswith(("4", "5"))]
        for code in errors:
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/Error"), (path, method, code)


def test_schema_generation_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_documentation_page_uses_no_external_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_session_authentication_also_works(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/me/").json()["id"] == user.pk


def test_session_post_needs_csrf(applicant):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    response = browser.post("/api/v1/notifications/read-all/")
    assert_error(response, 403)
    token_client = client_for(applicant)
    assert token_client.post("/api/v1/notifications/read-all/").status_code == 200


def test_too_many_form_fields_is_a_400_in_the_shape(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    data = "&".join(f"f{n}=x" for n in range(10))
    response = api.post(
        "/api/v1/auth/phone-code/", data, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "parse_error")
