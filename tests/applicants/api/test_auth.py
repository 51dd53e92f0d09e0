import time

import pytest
from django.core import signing
from django.core.cache import cache

from core.api.auth import TOKEN_SALT, issue_token
from tests.api_support import assert_error, client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_login_returns_a_token_that_authenticates(api):
    user = UserFactory(phone="+8613800138000")
    response = api.post(TOKEN_URL, {"phone": "138 0013 8000", "password": PASSWORD}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_at"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = api.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["id"] == user.pk
    assert me.json()["identity"] is None


@pytest.mark.parametrize(
    "phone,password",
    [("+8613800138000", "wrong-password"), ("+8613900000001", PASSWORD), ("not a phone", "x")],
)
def test_login_failure_says_the_same_for_unknown_number_and_wrong_password(api, phone, password):
    UserFactory(phone="+8613800138000")
    response = api.post(TOKEN_URL, {"phone": phone, "password": password}, format="json")
    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["non_field_errors"]


def test_login_validation_error_lists_fields(api):
    body = assert_error(api.post(TOKEN_URL, {}, format="json"), 400, "invalid")
    assert set(body["fields"]) == {"phone", "password"}


def test_anonymous_gets_401_with_bearer_challenge(api):
    response = api.get(ME_URL)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_expires(api, settings, monkeypatch):
    settings.API_TOKEN_TTL_SECONDS = 60
    user = UserFactory()
    client = client_for(user)
    assert client.get(ME_URL).status_code == 200
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 61)
    assert_error(client.get(ME_URL), 401, "token_expired")


def test_revoked_token_no_longer_works_but_another_does(api):
    user = UserFactory()
    phone_a, phone_b = client_for(user), client_for(user)
    assert phone_a.delete(TOKEN_URL).status_code == 204
    assert_error(phone_a.get(ME_URL), 401, "token_revoked")
    assert phone_b.get(ME_URL).status_code == 200


def test_password_change_revokes_every_token(api):
    user = UserFactory()
    client = client_for(user)
    user.set_password("Another-Pass-2026!")
    user.save()
    assert_error(client.get(ME_URL), 401, "token_invalid")


def test_inactive_account_is_refused(api):
    user = UserFactory()
    client = client_for(user)
    user.is_active = False
    user.save()
    assert_error(client.get(ME_URL), 401)


def test_forged_and_altered_tokens_are_refused(api):
    user = UserFactory()
    other = UserFactory()
    good = issue_token(user).key
    forged = signing.dumps({"u": other.pk, "j": "x", "p": "y"}, salt=TOKEN_SALT, key="not-ours")
    altered = signing.dumps({"u": other.pk, "j": "x", "p": "y"}, salt=TOKEN_SALT).split(":")[0]
    for token in (forged, f"{altered}:{good.split(':', 1)[1]}", good[:-2] + "xx", "garbage"):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_error(api.get(ME_URL), 401)


def test_tokens_live_in_the_database_not_the_cache(api):
    """A flushed cache changes nothing (issue 14: the API works while Redis is down); a token
    whose row is gone (revoked) fails closed."""
    from core.models import ApiToken

    user = UserFactory()
    client = client_for(user)
    cache.clear()
    assert client.get(ME_URL).status_code == 200
    ApiToken.objects.filter(user=user).delete()
    assert_error(client.get(ME_URL), 401, "token_revoked")


def test_a_stale_token_does_not_block_a_new_login(api):
    user = UserFactory()
    api.credentials(HTTP_AUTHORIZATION="Bearer stale")
    response = api.post(TOKEN_URL, {"phone": user.phone, "password": PASSWORD}, format="json")
    assert response.status_code == 201


def test_login_is_throttled_per_phone_number(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_user": "3/hour", "login_ip": "100/hour"},
    }
    user = UserFactory()
    for _ in range(3):
        api.post(TOKEN_URL, {"phone": user.phone, "password": "nope"}, format="json")
    response = api.post(TOKEN_URL, {"phone": user.phone, "password": PASSWORD}, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # Another number from the same address is still let through.
    other = UserFactory()
    response = api.post(TOKEN_URL, {"phone": other.phone, "password": PASSWORD}, format="json")
    assert response.status_code == 201


def test_login_is_throttled_per_ip(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_user": "100/hour", "login_ip": "2/hour"},
    }
    for n in range(2):
        api.post(TOKEN_URL, {"phone": f"+861390000000{n}", "password": "x"}, format="json")
    response = api.post(TOKEN_URL, {"phone": "+8613900000009", "password": "x"}, format="json")
    assert_error(response, 429, "throttled")


def test_staff_tokens_end_when_idle_like_staff_sessions(settings):
    import datetime

    from django.utils import timezone

    from core.models import ApiToken
    from tests.factories import StaffFactory

    settings.STAFF_IDLE_TIMEOUT_SECONDS = 600
    staff = StaffFactory(clerk=True)
    clerk = client_for(staff)
    row = ApiToken.objects.get(user=staff)
    ApiToken.objects.filter(pk=row.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(seconds=500)
    )
    assert clerk.get(ME_URL).status_code == 200
    row.refresh_from_db()  # each use starts the idle time again
    assert row.last_used_at > timezone.now() - datetime.timedelta(seconds=5)
    ApiToken.objects.filter(pk=row.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    assert_error(clerk.get(ME_URL), 401, "token_revoked")
