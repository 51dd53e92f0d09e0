"""Issue 28: the tables that grow with every case stay the size of their retention period (the
daily retention job purges them), and /metrics no longer counts SMS over the whole table."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.constants import UNSETTLED_STATUSES
from notifications.models import Notification, SmsMessage
from permits.tasks import delete_expired_files
from tests.notifications.factories import NotificationFactory, SmsMessageFactory

pytestmark = pytest.mark.django_db


def aged(obj, days: int):
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return obj


def test_the_daily_retention_job_purges_old_sms_and_notifications(settings):
    settings.SMS_RETENTION_DAYS = 400
    settings.NOTIFICATION_RETENTION_DAYS = 400
    old_delivered = aged(SmsMessageFactory(delivered=True), 401)
    old_failed = aged(SmsMessageFactory(failed=True), 500)
    old_unsettled = aged(SmsMessageFactory(sending=True), 500)  # the sweep still owes it
    recent = aged(SmsMessageFactory(delivered=True), 399)
    old_entry = aged(NotificationFactory(), 401)
    recent_entry = aged(NotificationFactory(), 30)

    totals = delete_expired_files.apply().get()

    assert totals["purged"] == {"sms": 2, "notifications": 1}
    assert set(SmsMessage.objects.values_list("pk", flat=True)) == {old_unsettled.pk, recent.pk}
    assert list(Notification.objects.values_list("pk", flat=True)) == [recent_entry.pk]
    assert not SmsMessage.objects.filter(pk__in=[old_delivered.pk, old_failed.pk]).exists()
    assert not Notification.objects.filter(pk=old_entry.pk).exists()
    # Running it again deletes nothing more.
    assert delete_expired_files.apply().get()["purged"] == {"sms": 0, "notifications": 0}


def test_metrics_count_only_unsettled_sms_never_the_whole_table(client, settings):
    settings.METRICS_TOKEN = "scrape-token-123"
    SmsMessageFactory.create_batch(3, delivered=True)
    SmsMessageFactory.create_batch(2)  # queued
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123").content
    text = body.decode()
    assert 'portal_sms_messages{status="queued"} 2.0' in text
    assert 'status="delivered"' not in text
    counts = [q["sql"] for q in queries if "notifications_smsmessage" in q["sql"]]
    # every SMS query of the scrape is limited to unsettled statuses (their partial index)
    assert counts and all('WHERE "notifications_smsmessage"."status"' in sql for sql in counts)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="BRIN indexes: PostgreSQL")
def test_the_purge_finds_old_rows_through_the_brin_index():
    cutoff = timezone.now() - dt.timedelta(days=400)
    query = SmsMessage.objects.exclude(status__in=UNSETTLED_STATUSES).filter(created_at__lt=cutoff)
    sql, params = query.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        notification_indexes = connection.introspection.get_constraints(
            cursor, Notification._meta.db_table
        )
    assert "sms_created_brin" in plan, plan
    assert notification_indexes["notification_created_brin"]["type"] == "brin"
