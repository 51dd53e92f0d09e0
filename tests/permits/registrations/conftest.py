import pytest


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """Assertions read English source strings; pages default to the browser's language."""
    settings.LANGUAGE_CODE = "en"
