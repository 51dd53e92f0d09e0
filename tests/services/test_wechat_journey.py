"""The WeChat journey (issue 26) with a real worker against the WeChat stand-in: follow the
account, sign in by WeChat (the phone proved once by its SMS code, which the worker sends), file a
renewal through the pages, and receive accepted / approved / ready as WeChat notices, sent by the
worker, with no SMS for them; the access token is one, in Redis, shared with the worker."""

import time

import pytest
from django.core.cache import cache

from notifications.models import SmsMessage
from permits.services import applications as svc
from tests.kiosk.helpers import renewable_permit
from tests.permits.helpers import staff_for
from tests.permits.views.helpers import follow_steps, start_via_pages, submit_via_pages
from tests.services.conftest import wait_for
from tests.wechat.conftest import TOKEN
from tests.wechat.helpers import follow_to_wechat, wechat_browser
from tests.wechat.test_server import event_xml, post_plain
from tests.wechat_standin import APP_ID, SECRET, WeChatStandIn
from wechat.constants import NoticeStatus
from wechat.models import WechatBinding, WechatNotice

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stand_in():
    with WeChatStandIn() as running:
        yield running


@pytest.fixture
def wechat_settings(stand_in):
    return {
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_API_BASE_URL": stand_in.url,
        "WECHAT_TEMPLATE_IDS": "default=TPL-progress",
    }


@pytest.fixture
def worker_env(wechat_settings):
    return wechat_settings


@pytest.fixture
def worker_queue(start_worker, settings, wechat_settings):
    """A real worker on the test's own queue; every task (SMS and WeChat too) goes there."""
    from config.celery import TASK_QUEUES, app

    for name, value in wechat_settings.items():
        setattr(settings, name, value)
    settings.WECHAT_TEMPLATE_IDS = {"default": "TPL-progress"}
    worker = start_worker("-I", "tests.e2e.worker_routes")
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    routes = dict(TASK_QUEUES)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = worker.queue
    TASK_QUEUES.clear()
    try:
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        TASK_QUEUES.update(routes)


def code_from_worker(phone: str) -> str:
    from tests.applicants.helpers import sms_code

    assert wait_for(lambda: SmsMessage.objects.filter(recipient_phone=phone).exists())
    return sms_code(phone)


def test_follow_sign_in_by_wechat_renew_and_get_the_results_by_wechat(
    stand_in, worker_queue, client
):
    permit = renewable_permit()
    person = permit.holder
    user = person.account
    staff = staff_for(permit.station)
    stand_in.set_signed_in("o-journey")

    # 1. Follow the account (WeChat calls the server endpoint).
    assert post_plain(client, event_xml("o-journey", "subscribe")).status_code == 200
    assert WechatBinding.objects.get(openid="o-journey").subscribed is True

    # 2. The menu's renewal entry, inside WeChat: the phone proved once, then signed in.
    browser = wechat_browser()
    response = browser.get(follow_to_wechat(browser, next_url="/permits/applications/new/"))
    assert response["Location"] == "/wechat/bind/"
    assert browser.post("/wechat/bind/", {"phone": user.phone}).status_code == 302
    response = browser.post("/wechat/bind/code/", {"code": code_from_worker(user.phone)})
    assert response["Location"] == "/permits/applications/new/"
    assert WechatBinding.objects.get(openid="o-journey").user == user

    # 3. File the renewal through the pages.
    application = start_via_pages(browser, person, "renewal")
    follow_steps(browser, application)
    assert submit_via_pages(browser, application).status_code == 302
    application.refresh_from_db()
    assert application.state == "submitted"

    # 4. The station decides; each result goes by WeChat from the worker.
    svc.accept(user=staff["officer"], application=application)
    svc.approve(user=staff["officer"], application=application)
    svc.mark_produced(user=staff["clerk"], application=application)

    wanted = [
        "application_submitted",
        "application_accepted",
        "application_approved",
        "certificate_produced",
    ]

    def all_sent():
        notices = WechatNotice.objects.filter(notification__recipient=user)
        return notices.count() == 4 and all(n.status == NoticeStatus.SENT for n in notices)

    assert wait_for(all_sent, timeout=30), worker_queue.log_path.read_text()[-4000:]
    kinds = [
        n.notification.kind
        for n in WechatNotice.objects.filter(notification__recipient=user).order_by("pk")
    ]
    assert kinds == wanted
    assert [s["touser"] for s in stand_in.sent] == ["o-journey"] * 4
    case_link = f"%2Fpermits%2Fapplications%2F{application.pk}%2F"
    assert all(case_link in s["url"] for s in stand_in.sent)
    # The only SMS was the phone code: the results went by WeChat alone.
    assert SmsMessage.objects.filter(recipient_phone=user.phone).count() == 1
    # One token for the web and the worker, in Redis.
    assert stand_in.token_fetches == 1
    assert cache.get(f"wechat:{APP_ID}_access_token")
    time.sleep(0.5)
    assert len(stand_in.sent) == 4  # nothing more arrives later (never doubled)
