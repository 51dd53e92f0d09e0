import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English source strings."""
    settings.LANGUAGE_CODE = "en"
