import pytest


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English (the source language) so messages can be asserted."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
