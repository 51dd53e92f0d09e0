import pytest

from notifications.constants import SmsStatus
from notifications.models import Notification, SmsMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_sms_changelist_filters_by_status_and_masks_phones(admin_client_):
    SmsMessage.objects.create(
        recipient_phone="+8613912345678", body="a", idempotency_key="a", status=SmsStatus.FAILED
    )
    SmsMessage.objects.create(recipient_phone="+8613900001111", body="b", idempotency_key="b")
    response = admin_client_.get("/admin/notifications/smsmessage/?status__exact=failed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "+86139****5678" in html
    assert "+8613912345678" not in html
    assert "1111" not in html
    assert list(response.context["cl"].queryset) == [SmsMessage.objects.get(idempotency_key="a")]


def test_sms_admin_is_read_only_and_hides_codes(admin_client_):
    message = SmsMessage.objects.create(
        recipient_phone="+8613912345678", body="Your code is 123456", idempotency_key="code:1"
    )
    url = f"/admin/notifications/smsmessage/{message.pk}/change/"
    response = admin_client_.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "123456" not in html
    assert 'name="status"' not in html  # no editable fields
    assert admin_client_.post(url, {"status": "sent"}).status_code == 403
    assert admin_client_.get("/admin/notifications/smsmessage/add/").status_code == 403
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED


def test_notification_admin_is_read_only(admin_client_):
    notification = Notification.objects.create(
        recipient=UserFactory(), kind="identity_verified", event_key="e", title="T", body="B"
    )
    assert admin_client_.get("/admin/notifications/notification/").status_code == 200
    url = f"/admin/notifications/notification/{notification.pk}/change/"
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.post(url, {"title": "X"}).status_code == 403
    assert admin_client_.get("/admin/notifications/notification/add/").status_code == 403


def test_supervisor_reads_sms_records_officer_does_not(client):
    from tests.factories import StaffFactory

    SmsMessage.objects.create(recipient_phone="+8613800138000", body="x", idempotency_key="sup-1")
    client.force_login(StaffFactory(supervisor=True))
    assert client.get("/admin/notifications/smsmessage/").status_code == 200
    client.force_login(StaffFactory(officer=True))
    assert client.get("/admin/notifications/smsmessage/").status_code == 403
