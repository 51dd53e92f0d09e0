"""Pages in WeChat's browser (issue 26, point 4): detected by the user agent; its script (camera
capture on photo fields) and the WeChat sign-in button only there."""

import pytest

from tests.factories import UserFactory

from .helpers import wechat_browser

pytestmark = pytest.mark.django_db


def test_wechat_browser_gets_its_script_and_the_sign_in_button(client, wechat_on):
    inside = wechat_browser().get("/accounts/login/").content.decode()
    assert "wechat/js/wechat.js" in inside and "/wechat/sign-in/" in inside
    outside = client.get("/accounts/login/").content.decode()
    assert "wechat/js/wechat.js" not in outside and "/wechat/sign-in/" not in outside


def test_channel_off_no_button_and_no_section(settings):
    settings.WECHAT_APP_ID = ""
    browser = wechat_browser()
    assert "/wechat/sign-in/" not in browser.get("/accounts/login/").content.decode()
    browser.force_login(UserFactory())
    page = browser.get("/accounts/me/").content.decode()
    assert "/wechat/sign-in/" not in page and "/wechat/unbind/" not in page


def test_personal_center_outside_wechat_says_how_to_bind(client, wechat_on):
    client.force_login(UserFactory(language="en"))
    page = client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/wechat/sign-in/" not in page
    assert "/wechat/unbind/" not in page
