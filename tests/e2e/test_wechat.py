"""Issue 26 in a real browser: WeChat's user agent at 390 px. The login page offers "sign in with
WeChat"; the first time the phone is proved by its SMS code and the account bound; afterwards
one tap (the menu's link) signs in. Photo fields open the camera in WeChat's browser."""

import re

import pytest

from tests.e2e.helpers import PHONE, TIMEOUT_MS, assert_accessible, sms_code
from tests.wechat.conftest import AES_KEY, TOKEN, WECHAT_UA
from tests.wechat_standin import APP_ID, SECRET, WeChatStandIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stand_in(settings):
    with WeChatStandIn() as running:
        settings.WECHAT_APP_ID = APP_ID
        settings.WECHAT_SECRET = SECRET
        settings.WECHAT_TOKEN = TOKEN
        settings.WECHAT_AES_KEY = AES_KEY
        settings.WECHAT_API_BASE_URL = running.url
        settings.WECHAT_TEMPLATE_IDS = {"default": "TPL-progress"}
        yield running


@pytest.fixture
def wechat_page(browser, live_server):
    """A fresh WeChat in-app browser (its own cookies) at 390x844."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            user_agent=WECHAT_UA,
            locale="zh-CN",
            is_mobile=True,
            has_touch=True,
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_sign_in_with_wechat_at_390px_then_one_tap(stand_in, wechat_page, shot, celery_tasks):
    from tests.factories import UserFactory
    from wechat.models import WechatBinding

    person = UserFactory(language="zh-hans")
    stand_in.set_signed_in("o-browser")

    page = wechat_page()
    page.goto("/accounts/login/")
    shot(page, "login-in-wechat")
    assert_accessible(page, "login")
    page.get_by_role("link", name="微信登录").click()
    page.wait_for_url(re.compile(r".*/wechat/bind/(#.*)?$"))  # through WeChat's authorisation
    shot(page, "bind-phone")
    assert_accessible(page, "bind-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the phone layout
    page.fill("#id_phone", person.phone)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url(re.compile(r".*/wechat/bind/code/(#.*)?$"))
    page.fill("#id_code", sms_code(person.phone))
    shot(page, "bind-code")
    assert_accessible(page, "bind-code")
    page.get_by_role("button", name="绑定并登录").click()
    page.wait_for_url(re.compile(r".*/accounts/me/(#.*)?$"))
    shot(page, "personal-center-bound")
    assert_accessible(page, "personal-center")
    assert page.get_by_role("button", name="解除微信绑定").is_visible()
    assert WechatBinding.objects.get(openid="o-browser").user == person

    # Photo fields open the camera inside WeChat.
    page.goto("/accounts/identity/")
    captures = page.eval_on_selector_all(
        'input[type="file"]', "els => els.map(e => [e.name, e.getAttribute('capture')])"
    )
    assert captures and all(value in ("user", "environment") for _name, value in captures)
    assert dict(captures).get("face_photo") == "user"

    # Another day, a fresh browser: the menu's link signs in with no phone and no password.
    again = wechat_page()
    again.goto("/wechat/sign-in/?next=/my-affairs/")
    again.wait_for_url(re.compile(r".*/my-affairs/(#.*)?$"))
    shot(again, "one-tap")
    assert_accessible(again, "my-affairs")
    assert "/accounts/login/" not in again.url
