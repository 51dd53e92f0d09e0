"""Results as WeChat notices (issue 26, point 2): the channel chosen, one row per event and
channel, each failure script of the stand-in answered once by WeChat or once by SMS, the token
refreshed once for concurrent workers, and WeChat's late answer reconciled."""

import threading
import time

import pytest

from notifications.constants import NotificationKind
from notifications.models import SmsMessage
from notifications.services import notify
from tests.factories import UserFactory
from wechat.client import get_client
from wechat.constants import NoticeStatus, NotifyBy
from wechat.models import WechatBinding, WechatNotice
from wechat.tasks import send_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(wechat_on):
    user = UserFactory(language="zh-hans")
    WechatBinding.objects.create(openid="o-notice", user=user)
    return user


def approve(user, capture, key="app:1:approved"):
    with capture(execute=True):
        return notify(
            user,
            NotificationKind.APPLICATION_APPROVED,
            {"reference": "HK-2026-1"},
            event_key=key,
            link="/permits/applications/1/",
        )


def sms_count(notification):
    return SmsMessage.objects.filter(notification=notification).count()


def test_bound_person_gets_the_result_by_wechat_only_linking_to_the_case(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    notification = approve(person, django_capture_on_commit_callbacks)
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.SENT and notice.attempts == 1
    assert sms_count(notification) == 0 and sms_backend.sent == []
    [sent] = wechat_on.sent
    assert sent["touser"] == "o-notice" and sent["template_id"] == "TPL-progress"
    assert sent["url"].endswith("/wechat/sign-in/?next=%2Fpermits%2Fapplications%2F1%2F")
    assert sent["data"]["first"]["value"] == notification.title
    assert notice.msgid == str(sent["msgid"])


def test_unbound_person_and_channel_off_get_sms(
    wechat_on, settings, sms_backend, django_capture_on_commit_callbacks
):
    unbound = UserFactory()
    notification = approve(unbound, django_capture_on_commit_callbacks)
    assert sms_count(notification) == 1 and not WechatNotice.objects.exists()
    bound = UserFactory()
    WechatBinding.objects.create(openid="o-off", user=bound)
    settings.WECHAT_APP_ID = ""
    notification = approve(bound, django_capture_on_commit_callbacks, key="off")
    assert sms_count(notification) == 1 and not WechatNotice.objects.exists()
    assert wechat_on.sent == []


def test_the_preference_set_in_the_personal_center_routes_the_results(
    person, wechat_on, sms_backend, client, django_capture_on_commit_callbacks
):
    client.force_login(person)
    page = client.get("/accounts/me/").content.decode()
    assert 'name="notify_by" value="wechat"' in page  # the default for a bound account
    assert WechatBinding.objects.get(user=person).notify_by == NotifyBy.WECHAT
    assert client.post("/wechat/notify-by/", {"notify_by": "sms"}).status_code == 302
    notification = approve(person, django_capture_on_commit_callbacks, key="sms-only")
    assert sms_count(notification) == 1 and not WechatNotice.objects.exists()

    client.post("/wechat/notify-by/", {"notify_by": "both"})
    notification = approve(person, django_capture_on_commit_callbacks, key="both")
    assert sms_count(notification) == 1
    assert WechatNotice.objects.get(notification=notification).status == NoticeStatus.SENT
    assert WechatBinding.objects.get(user=person).notify_by == NotifyBy.BOTH


def test_one_row_per_event_and_a_repeated_task_sends_nothing_more(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    first = approve(person, django_capture_on_commit_callbacks)
    again = approve(person, django_capture_on_commit_callbacks)
    assert first.pk == again.pk
    notice = WechatNotice.objects.get()
    assert send_notice.delay(notice.pk).get() == "skipped"  # a redelivered task
    assert len(wechat_on.sent) == 1


@pytest.mark.parametrize(
    "errcode",
    [43004, 40037, 45009, 43101, 47003],
    ids=["unfollowed", "template-removed", "quota", "subscription-refused", "other-error"],
)
@pytest.mark.parametrize("notify_by", [NotifyBy.WECHAT, NotifyBy.BOTH])
def test_a_refusal_sends_the_sms_instead_once(
    errcode, notify_by, person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    WechatBinding.objects.filter(user=person).update(notify_by=notify_by)
    wechat_on.script(errcode, times=3)
    notification = approve(person, django_capture_on_commit_callbacks)
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.SMS_INSTEAD and notice.error_code == str(errcode)
    assert notice.attempts == 1  # refused: never retried
    assert wechat_on.sent == [] and len(wechat_on.refused) == 1
    assert sms_count(notification) == 1 and len(sms_backend.sent) == 1
    # Whoever asks again (a redelivered task), there is still one SMS.
    with django_capture_on_commit_callbacks(execute=True):
        send_notice.delay(notice.pk)
    assert len(sms_backend.sent) == 1


def test_unfollowed_is_kept_and_the_next_result_goes_by_sms_directly(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    wechat_on.unfollow("o-notice")
    approve(person, django_capture_on_commit_callbacks)
    assert WechatBinding.objects.get(user=person).subscribed is False
    notification = approve(person, django_capture_on_commit_callbacks, key="next")
    assert not WechatNotice.objects.filter(notification=notification).exists()
    assert sms_count(notification) == 1
    assert len(wechat_on.refused) == 1


def test_busy_is_retried_with_backoff_then_sent_once(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    wechat_on.script(-1, times=2)
    notification = approve(person, django_capture_on_commit_callbacks)
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.SENT and notice.attempts == 3
    assert len(wechat_on.sent) == 1 and sms_count(notification) == 0


def test_busy_to_the_last_attempt_sends_the_sms_instead(
    person, wechat_on, settings, sms_backend, django_capture_on_commit_callbacks
):
    settings.WECHAT_MAX_ATTEMPTS = 3
    wechat_on.script(-1, times=5)
    notification = approve(person, django_capture_on_commit_callbacks)
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.SMS_INSTEAD and notice.attempts == 3
    assert wechat_on.sent == [] and sms_count(notification) == 1


def test_a_retry_waits_its_backoff(person, wechat_on, settings, django_capture_on_commit_callbacks):
    """Through a worker (not eager) the retry is scheduled with the backoff on the row."""
    from wechat.services import deliver

    settings.SMS_RETRY_BASE_SECONDS = 15
    notice = WechatNotice.objects.create(
        notification=approve(UserFactory(), django_capture_on_commit_callbacks, key="x"),
        openid="o-notice",
        sms_text="t",
    )
    wechat_on.script(-1)
    outcome = deliver(notice.pk)
    notice.refresh_from_db()
    assert outcome.status == "retry" and 7.5 <= outcome.retry_in <= 15
    assert notice.status == NoticeStatus.QUEUED and notice.next_attempt_at is not None


@pytest.mark.parametrize("expiry", ["expire_tokens", "invalidate_tokens"], ids=["42001", "40001"])
def test_an_expired_token_is_refreshed_once_and_the_notice_sent_once(
    expiry, person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    get_client().access_token  # noqa: B018  (a token in the cache)
    assert wechat_on.token_fetches == 1
    getattr(wechat_on, expiry)()
    notification = approve(person, django_capture_on_commit_callbacks)
    assert WechatNotice.objects.get(notification=notification).status == NoticeStatus.SENT
    assert wechat_on.token_fetches == 2
    assert len(wechat_on.sent) == 1 and sms_count(notification) == 0


def test_concurrent_workers_refresh_the_token_once(wechat_on):
    """Eight workers meet an expired token at once: one fetches a new one (the cache's lock), the
    others use it; each call is made again once."""
    from wechat.client import PortalWeChatClient

    PortalWeChatClient().access_token  # noqa: B018
    wechat_on.expire_tokens()
    wechat_on.token_delay = 0.3  # the refresh takes a while: every worker meets it
    start, results, errors = threading.Barrier(8), [], []

    def worker():
        client = PortalWeChatClient()  # one per worker process: only the cache is shared
        start.wait()
        try:
            results.append(client.message.send_template("o-x", "TPL-progress", {}, url=None))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert wechat_on.token_fetches == 2  # the first token, then exactly one refresh
    assert len(results) == 8 and len(wechat_on.sent) == 8


def test_no_answer_is_not_resent_and_sends_no_sms(
    person, wechat_on, settings, sms_backend, django_capture_on_commit_callbacks
):
    settings.WECHAT_TIMEOUT_SECONDS = 0.5
    get_client().access_token  # noqa: B018
    wechat_on.script_delay(1.5)
    started = time.monotonic()
    notification = approve(person, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 5
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.UNKNOWN and notice.attempts == 1
    assert len(wechat_on.sent) == 1  # WeChat has it; never a second one
    assert sms_count(notification) == 0


def test_notices_go_for_the_events_of_a_real_act(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    """An act that sends an SMS today (identity verified by an officer) sends the WeChat notice
    instead, through the same notify()."""
    from applicants.services import verify_identity
    from tests.factories import IdentityFactory, StaffFactory

    identity = IdentityFactory(account=person, pending=True)
    officer = StaffFactory(officer=True)
    with django_capture_on_commit_callbacks(execute=True):
        verify_identity(identity=identity, by=officer)
    assert [n.notification.kind for n in WechatNotice.objects.all()] == ["identity_verified"]
    assert len(wechat_on.sent) == 1 and sms_backend.sent == []


def test_the_sweep_sends_a_notice_left_queued_once(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    """The broker was down at commit: the row stays queued; the sweep sends it, once."""
    from datetime import timedelta

    from django.utils import timezone

    from wechat.tasks import sweep_queued_notices

    notification = notify(person, NotificationKind.APPLICATION_APPROVED, {}, event_key="lost")
    notice = WechatNotice.objects.get(notification=notification)  # its task never ran
    assert sweep_queued_notices() == 0  # too young: its task may still come
    WechatNotice.objects.filter(pk=notice.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )
    assert sweep_queued_notices() == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and len(wechat_on.sent) == 1
    assert sweep_queued_notices() == 0


def test_the_sweep_sends_the_sms_instead_of_a_notice_left_sending_once(
    person, wechat_on, sms_backend, django_capture_on_commit_callbacks
):
    """A worker killed mid-call (or a fallback SMS rolled back with the row's record) leaves the
    notice ``sending``: WeChat cannot be asked whether it has it, so once no worker can hold it
    any more the sweep sends the SMS instead, once; a notice still young is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from wechat.tasks import sweep_queued_notices

    notification = notify(person, NotificationKind.APPLICATION_APPROVED, {}, event_key="stuck")
    notice = WechatNotice.objects.get(notification=notification)
    WechatNotice.objects.filter(pk=notice.pk).update(  # claimed, then its worker was killed
        status=NoticeStatus.SENDING, attempts=1, updated_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_queued_notices()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENDING  # too young: a worker may still hold it
    assert sms_count(notification) == 0
    WechatNotice.objects.filter(pk=notice.pk).update(
        updated_at=timezone.now() - timedelta(minutes=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_queued_notices()
    notice.refresh_from_db()
    assert (notice.status, notice.error_code) == (NoticeStatus.SMS_INSTEAD, "stale_sending")
    assert sms_count(notification) == 1 and len(sms_backend.sent) == 1
    assert wechat_on.sent == []  # never sent again on WeChat
    with django_capture_on_commit_callbacks(execute=True):
        sweep_queued_notices()  # again: nothing more
    assert sms_count(notification) == 1 and len(sms_backend.sent) == 1


def test_a_fallback_sms_keeps_the_hour_notify_was_told(
    person, wechat_on, sms_backend, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Review of issues 26/30: the daily job's deemed acceptance (00:45) tells ``notify`` its SMS
    waits for the morning (``at_any_hour=False``); when WeChat refuses the notice, the SMS sent
    instead waits too, rather than leaving at night by its kind's default."""
    import datetime

    from django.utils import timezone

    import notifications.services

    morning = timezone.now() + datetime.timedelta(hours=7)
    monkeypatch.setattr(notifications.services, "quiet_until", lambda *a, **k: morning)
    wechat_on.script(43004, times=3)  # unfollowed: WeChat refuses
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            person,
            NotificationKind.APPLICATION_ACCEPTED,
            {"reference": "HK-2026-1"},
            event_key="deemed:1",
            link="/permits/applications/1/",
            at_any_hour=False,
        )
    assert WechatNotice.objects.get(notification=notification).status == NoticeStatus.SMS_INSTEAD
    sms = SmsMessage.objects.get(notification=notification)
    assert sms.quiet_hours and sms.next_attempt_at == morning
    assert sms_backend.sent == []  # not at night
