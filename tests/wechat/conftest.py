import pytest

from tests.wechat_standin import APP_ID, SECRET, WeChatStandIn

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
    "Language/zh_CN"
)
TOKEN = "standin-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters


@pytest.fixture
def stand_in():
    with WeChatStandIn() as running:
        yield running


@pytest.fixture
def wechat_on(settings, stand_in):
    """The channel configured against the stand-in."""
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_SECRET = SECRET
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_AES_KEY = AES_KEY
    settings.WECHAT_API_BASE_URL = stand_in.url
    settings.WECHAT_TEMPLATE_IDS = {"default": "TPL-progress"}
    settings.SMS_RETRY_BASE_SECONDS = 0
    return stand_in


from tests.notifications.conftest import sms_backend  # noqa: E402, F401  (the scripted SMS)
