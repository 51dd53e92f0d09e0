import pytest

from tests.kiosk.helpers import kiosk_device, kiosk_screen


@pytest.fixture
def device_and_token(db):
    return kiosk_device()


@pytest.fixture
def screen(device_and_token):
    return kiosk_screen(device_and_token[1])
