"""The WeChat sweep runs every minute: it looks for the few notices not yet settled (queued,
or left sending) on a partial index, never by a scan of every notice ever sent (a province's
table holds tens of millions)."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from wechat.constants import NoticeStatus
from wechat.models import WechatNotice
from wechat.services.notices import left

pytestmark = pytest.mark.django_db


def _plan(rows) -> str:
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_unsettled_index_holds_only_what_the_sweep_looks_for():
    constraints = connection.introspection.get_constraints(
        connection.cursor(), WechatNotice._meta.db_table
    )
    assert constraints["wechat_notice_unsettled"]["columns"] == ["status", "updated_at"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes' plans: PostgreSQL")
@pytest.mark.parametrize("status", [NoticeStatus.QUEUED, NoticeStatus.SENDING])
def test_the_sweeps_queries_use_the_partial_index(status):
    assert "wechat_notice_unsettled" in _plan(left(status, timezone.now()))
