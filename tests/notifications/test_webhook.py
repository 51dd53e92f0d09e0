import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from notifications.constants import SMS_STATUS_RANK, SmsStatus
from notifications.models import SmsMessage
from notifications.sms import apply_provider_status, moves_forward

pytestmark = pytest.mark.django_db

TOKEN = "webhook-test-token"  # noqa: S105
PATH = "/my-affairs/sms/twilio/status/"
URL = "http://testserver" + PATH


@pytest.fixture(autouse=True)
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_STATUS_CALLBACK_URL = ""


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def signed(params, url=URL, token=TOKEN):
    return RequestValidator(token).compute_signature(url, params)


def make_sms(status=SmsStatus.SENT, sid="SM" + "a" * 32):
    return SmsMessage.objects.create(
        recipient_phone="+8613900000001",
        body="x",
        idempotency_key=f"k-{sid}",
        provider_id=sid,
        status=status,
    )


def post(client, params, signature=None):
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}
    return client.post(PATH, params, **headers)


def test_signed_callback_moves_the_message_to_delivered(csrf_client):
    message = make_sms()
    params = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    response = post(csrf_client, params, signed(params))
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED


def test_callback_signed_for_the_configured_public_url_is_accepted(csrf_client, settings):
    settings.TWILIO_STATUS_CALLBACK_URL = "https://portal.example" + PATH
    message = make_sms()
    params = {
        "MessageSid": message.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    response = post(csrf_client, params, signed(params, url=settings.TWILIO_STATUS_CALLBACK_URL))
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == SmsStatus.UNDELIVERED
    assert message.error_code == "30003"


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IGEgc2lnbmF0dXJl", "forged"],
)
def test_unsigned_or_forged_callbacks_get_403(csrf_client, signature):
    message = make_sms()
    params = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert post(csrf_client, params, signature).status_code == 403
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_callback_signed_with_another_token_or_tampered_gets_403(csrf_client):
    message = make_sms()
    params = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert post(csrf_client, params, signed(params, token="other")).status_code == 403  # noqa: S106
    tampered = {**params, "MessageStatus": "failed"}
    assert post(csrf_client, tampered, signed(params)).status_code == 403
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_no_auth_token_configured_refuses_everything(csrf_client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert post(csrf_client, params, signed(params, token="")).status_code == 403


def test_get_is_not_allowed(client):
    assert client.get(PATH).status_code == 405


def test_a_late_sent_after_delivered_is_ignored(csrf_client):
    message = make_sms(status=SmsStatus.DELIVERED)
    params = {"MessageSid": message.provider_id, "MessageStatus": "sent"}
    assert post(csrf_client, params, signed(params)).status_code == 204
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED


def test_unknown_sid_is_acknowledged_and_changes_nothing(csrf_client):
    params = {"MessageSid": "SMunknown", "MessageStatus": "delivered"}
    assert post(csrf_client, params, signed(params)).status_code == 204


def test_status_order_never_moves_backwards():
    order = [SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.SENT, SmsStatus.DELIVERED]
    for earlier, later in zip(order, order[1:], strict=False):
        assert moves_forward(earlier, later)
        assert not moves_forward(later, earlier)
    for final in (SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.FAILED):
        assert SMS_STATUS_RANK[final] == max(SMS_STATUS_RANK.values())
        for other in SmsStatus:
            assert not moves_forward(final, other)
    assert not moves_forward(SmsStatus.SENT, SmsStatus.SENT)


@pytest.mark.parametrize(
    ("start", "reported", "expected"),
    [
        (SmsStatus.SENDING, "sent", SmsStatus.SENT),
        (SmsStatus.SENT, "delivered", SmsStatus.DELIVERED),
        (SmsStatus.SENT, "read", SmsStatus.DELIVERED),
        (SmsStatus.SENT, "failed", SmsStatus.FAILED),
        (SmsStatus.SENT, "queued", SmsStatus.SENT),
        (SmsStatus.SENT, "sending", SmsStatus.SENT),
        (SmsStatus.DELIVERED, "undelivered", SmsStatus.DELIVERED),
        (SmsStatus.FAILED, "delivered", SmsStatus.FAILED),
        (SmsStatus.SENT, "nonsense", SmsStatus.SENT),
    ],
)
def test_provider_status_updates(start, reported, expected):
    message = make_sms(status=start)
    apply_provider_status(provider_id=message.provider_id, provider_status=reported)
    message.refresh_from_db()
    assert message.status == expected
