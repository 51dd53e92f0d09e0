import pytest


@pytest.fixture(autouse=True)
def _english(request):
    """Messages are asserted in English (the source language); tests of the caller's language
    switch explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield
