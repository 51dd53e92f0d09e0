import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; these tests create many accounts and re-enter passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(request):
    """Messages are asserted in English (the source language); tests of the caller's language
    switch explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield
