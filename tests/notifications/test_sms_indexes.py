"""The SMS table's indexes (issue 18): a worker writes each row twice per message, and every
write adds an entry to each index whose condition the new row meets. Only the indexes the
sweeps and the delivery reports use are kept, and those hold only the rows they look for."""

import pytest
from django.db import connection

from notifications.constants import SmsStatus
from notifications.models import SmsMessage

pytestmark = pytest.mark.django_db

TABLE = SmsMessage._meta.db_table


def _indexes() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, TABLE)


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_no_index_that_no_query_uses():
    """No LIKE twin (PostgreSQL's varchar_pattern_ops) for the key or the provider id, and no
    second index over the whole table for the status."""
    indexed = {
        name: tuple(info["columns"])
        for name, info in _indexes().items()
        if info["index"] or info["unique"] or info["primary_key"]
    }
    assert sorted(indexed.values()) == sorted(
        [
            ("id",),
            ("idempotency_key",),
            ("notification_id",),
            ("provider_id",),
            ("status", "created_at"),
        ]
        # the retention job's purge (issue 28): a BRIN index, PostgreSQL only
        + ([("created_at",)] if connection.vendor == "postgresql" else [])
    ), indexed


def test_the_idempotency_key_stays_unique():
    from django.db import IntegrityError, transaction

    SmsMessage.objects.create(recipient_phone="+8613900000001", body="a", idempotency_key="k-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsMessage.objects.create(recipient_phone="+8613900000002", body="b", idempotency_key="k-1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes' plans: PostgreSQL")
@pytest.mark.parametrize(
    ("rows", "index"),
    [
        # the delivery report (apply_provider_status)
        (SmsMessage.objects.filter(provider_id="SM0123456789"), "sms_provider_id"),
        # the sweep of queued rows (stale_queued) and the oldest queued one (metrics)
        (SmsMessage.objects.filter(status=SmsStatus.QUEUED), "sms_unsettled"),
        # the rows to reconcile
        (
            SmsMessage.objects.filter(status__in=[SmsStatus.SENDING, SmsStatus.UNKNOWN]),
            "sms_unsettled",
        ),
    ],
    ids=["delivery report", "queued sweep", "reconcile sweep"],
)
def test_the_sweeps_and_the_delivery_report_use_the_partial_indexes(rows, index):
    """The planner can use a partial index only when the query implies its condition."""
    from django.db import transaction

    sql, params = rows.order_by().values("pk").query.sql_with_params()
    with transaction.atomic():
        assert index in _plan(sql, params)
