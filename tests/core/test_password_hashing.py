"""Issue 18: passwords are hashed with Argon2id at OWASP's minimum (19 MiB, t=2, p=1); a hash
made with Django's heavier defaults still logs in and is rewritten with the new parameters."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password

from core.hashers import OwaspArgon2PasswordHasher
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hasher]

OWASP = "m=19456,t=2,p=1"
DJANGO_DEFAULT = "m=102400,t=2,p=8"


def params(encoded: str) -> str:
    # argon2$argon2id$v=19$m=...,t=...,p=...$salt$hash
    return encoded.split("$")[3]


def test_the_portal_hashes_with_owasp_parameters():
    hasher = get_hasher("default")
    assert isinstance(hasher, OwaspArgon2PasswordHasher)
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    assert params(encoded) == OWASP


def test_a_default_argon2_hash_logs_in_and_is_upgraded(client):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save(update_fields=["password"])
    assert params(user.password) == DJANGO_DEFAULT

    response = client.post("/accounts/login/", {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/me/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert params(user.password) == OWASP
    assert user.check_password(PASSWORD)


def test_a_wrong_password_leaves_the_old_hash(client):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save(update_fields=["password"])
    old = user.password
    response = client.post("/accounts/login/", {"username": user.phone, "password": "wrong-1234"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old
