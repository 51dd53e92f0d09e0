import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.tasks import send_sms
from tests.services.conftest import wait_for

pytestmark = pytest.mark.services


def test_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.set("services-check", "yes", 10)
    assert cache.get("services-check") == "yes"


def test_real_worker_process_runs_a_task_that_writes_a_row(celery_worker_process):
    queue, log_path = celery_worker_process
    message = SmsMessage.objects.create(
        recipient_phone="+8613800138000", body="worker check", idempotency_key="worker-check-1"
    )
    send_sms.apply_async((message.pk,), queue=queue)

    def sent():
        message.refresh_from_db()
        return message.status == SmsStatus.SENT

    assert wait_for(sent), log_path.read_text()
    assert message.attempts == 1
    assert message.provider_id.startswith("console-")


def test_healthz_reports_real_broker_ok(client, transactional_db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in ("database", "cache", "broker")} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }
