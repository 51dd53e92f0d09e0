import pytest


@pytest.fixture(autouse=True)
def _english_and_fast(settings):
    """Assertions read English source strings; a fast hasher keeps logins quick."""
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
