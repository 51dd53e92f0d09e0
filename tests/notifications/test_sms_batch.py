"""Issue 29, point 4: the SMS worker claims a backlog in batches.

One durable statement claims the message a task is for and up to SMS_CLAIM_BATCH-1 other due
queued ones (PostgreSQL, ``FOR UPDATE SKIP LOCKED``), so the commit's disk flush is shared; each
message is still sent once and its outcome recorded on its own row. Row locks need PostgreSQL:
on SQLite these tests skip (the CI run is on PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.sms import deliver_batch
from notifications.tasks import send_sms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the batch claim needs PostgreSQL's SKIP LOCKED (the CI run)")


def backlog(count: int, *, quiet_hours: bool = True, prefix: str = "m") -> list[int]:
    """``count`` queued reminders (the daily jobs' backlog; with ``quiet_hours=False``, codes)."""
    rows = SmsMessage.objects.bulk_create(
        SmsMessage(
            recipient_phone="+8613900000001",
            body=f"{prefix}{n}",
            idempotency_key=f"{prefix}-b{n}",
            quiet_hours=quiet_hours,
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


def claims(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "SKIP LOCKED" in q["sql"])


def test_a_backlog_is_claimed_in_batches_and_each_message_sent_once(sms_backend, settings):
    settings.SMS_CLAIM_BATCH = 10
    ids = backlog(25)
    sending_tasks = 0
    for sms_id in ids:  # every message's own task runs, as the worker would
        before = len(sms_backend.sent)
        send_sms.apply(args=(sms_id,))
        sending_tasks += len(sms_backend.sent) > before
    assert sorted(body for _, body in sms_backend.sent) == sorted(f"m{n}" for n in range(25))
    # 25 messages, 10 per claim: the first three tasks send them all (the second and third find
    # their own message taken and claim the next due ones); the other 22 send nothing.
    assert sending_tasks == 3
    rows = SmsMessage.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts) for r in rows} == {(SmsStatus.SENT, 1)}
    assert len({r.provider_id for r in rows}) == 25


def test_one_claim_statement_takes_the_batch(sms_backend, settings):
    settings.SMS_CLAIM_BATCH = 10
    ids = backlog(12)
    with CaptureQueriesContext(connection) as queries:
        outcomes = deliver_batch(ids[5])
    assert claims(queries) == 1
    # ... and one statement records the ten outcomes: two writes for ten messages.
    assert sum(1 for q in queries if "UPDATE" in q["sql"]) == 2
    rows = SmsMessage.objects.filter(status=SmsStatus.SENT)
    assert sorted(rows.values_list("provider_id", flat=True)) == sorted(
        f"SM{n:032d}" for n in range(1, 11)
    )
    assert all(row.sent_at for row in rows)
    assert [sms_id for sms_id, _ in outcomes][0] == ids[5]  # the one asked for goes first
    assert len(outcomes) == 10
    assert {o.status for _, o in outcomes} == {"sent"}
    assert SmsMessage.objects.filter(status=SmsStatus.QUEUED).count() == 2


def test_a_batch_mates_own_task_in_the_same_worker_makes_no_query(sms_backend, settings):
    """The worker that claimed and sent a batch mate knows it: the mate's own task, which comes
    after, skips the claim (a settled row never returns to ``queued``); in another worker it
    claims and finds nothing, as before."""
    from notifications.sms import forget_settled

    settings.SMS_CLAIM_BATCH = 10
    ids = backlog(10)
    assert len(deliver_batch(ids[0])) == 10
    with CaptureQueriesContext(connection) as queries:
        for sms_id in ids[1:]:
            assert deliver_batch(sms_id) == []
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:  # asked again (a redelivered task)
        assert deliver_batch(ids[1]) == []
    assert claims(queries) == 1
    forget_settled()  # as another worker process
    with CaptureQueriesContext(connection) as queries:
        assert deliver_batch(ids[2]) == []
    assert claims(queries) == 1
    assert len(sms_backend.sent) == 10


def test_a_batch_mate_left_for_a_retry_is_claimed_by_its_own_task(sms_backend, settings):
    """Only a settled mate is skipped: one that failed transiently is queued again, and its
    own task claims it (and sends it) as before."""
    settings.SMS_CLAIM_BATCH = 3
    ids = backlog(3)
    sms_backend.script = ["ok", "transient", "ok", "ok"]
    outcomes = dict(deliver_batch(ids[0]))
    assert outcomes[ids[1]].status == "retry"
    assert SmsMessage.objects.get(pk=ids[1]).status == SmsStatus.QUEUED
    with CaptureQueriesContext(connection) as queries:
        assert deliver_batch(ids[2]) == []  # settled here: skipped
    assert len(queries) == 0
    assert [(sms_id, o.status) for sms_id, o in deliver_batch(ids[1])] == [(ids[1], "sent")]
    assert SmsMessage.objects.get(pk=ids[1]).status == SmsStatus.SENT
    assert len(sms_backend.sent) == 3


def test_a_message_waiting_for_its_backoff_is_not_taken_early(sms_backend, settings):
    settings.SMS_CLAIM_BATCH = 10
    (first,) = backlog(1)
    later = SmsMessage.objects.create(
        recipient_phone="+8613900000002",
        body="later",
        idempotency_key="later",
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
        quiet_hours=True,
    )
    assert [sms_id for sms_id, _ in deliver_batch(first)] == [first]
    later.refresh_from_db()
    assert (later.status, later.attempts) == (SmsStatus.QUEUED, 1)


def test_a_batch_mate_that_fails_transiently_is_tried_again_and_sent_once(sms_backend, settings):
    settings.SMS_CLAIM_BATCH = 3
    ids = backlog(3)
    sms_backend.script = ["ok", "transient", "ok", "ok"]
    send_sms.apply(args=(ids[0],))  # in-process: the mate's retry runs at once
    rows = {r.pk: r for r in SmsMessage.objects.filter(pk__in=ids)}
    assert {r.status for r in rows.values()} == {SmsStatus.SENT}
    assert rows[ids[1]].attempts == 2
    assert len(sms_backend.sent) == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_send_a_message_twice(sms_backend, settings):
    """Two copies act at the same moment on overlapping backlogs: SKIP LOCKED leaves each row to
    one of them; the UPDATE's re-check keeps the asked-for row from being taken twice."""
    settings.SMS_CLAIM_BATCH = 20
    ids = backlog(30)
    barrier = threading.Barrier(2)

    def run(sms_id):
        barrier.wait()
        try:
            deliver_batch(sms_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(sms_id,)) for sms_id in (ids[0], ids[1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = [body for _, body in sms_backend.sent]
    assert len(bodies) == len(set(bodies))
    sent = SmsMessage.objects.filter(status=SmsStatus.SENT)
    assert sent.count() == len(bodies) >= 20
    assert set(sent.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_claims_holding_each_others_rows_never_wait_for_each_other(sms_backend, settings):
    """Four claims at the same moment, each asking for a row the others take as a batch mate:
    no claim waits for another's rows (waiting on each other's asked rows is a deadlock: one
    claim fails and its messages stay queued), none fails, each row is sent once, and every
    row asked for is sent, by whichever claim took it."""
    settings.SMS_CLAIM_BATCH = 20
    ids = backlog(80)
    asked = ids[:4]
    barrier = threading.Barrier(len(asked))
    errors = []

    def run(sms_id):
        barrier.wait()
        try:
            deliver_batch(sms_id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(sms_id,)) for sms_id in asked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    bodies = [body for _, body in sms_backend.sent]
    assert len(bodies) == len(set(bodies))
    sent = SmsMessage.objects.filter(status=SmsStatus.SENT)
    assert sent.count() == len(bodies)
    assert set(sent.filter(pk__in=asked).values_list("pk", flat=True)) == set(asked)
    assert set(sent.values_list("attempts", flat=True)) == {1}


def test_claim_batch_one_is_the_single_claim(sms_backend, settings):
    settings.SMS_CLAIM_BATCH = 1
    ids = backlog(3)
    assert [sms_id for sms_id, _ in deliver_batch(ids[1])] == [ids[1]]
    assert SmsMessage.objects.filter(status=SmsStatus.QUEUED).count() == 2


def test_in_the_quiet_hours_a_batch_takes_no_reminder(sms_backend, settings):
    hour = timezone.localtime().hour
    settings.SMS_QUIET_HOURS = f"{hour}-{(hour + 1) % 24}"
    settings.SMS_CLAIM_BATCH = 10
    code = SmsMessage.objects.create(
        recipient_phone="+8613900000001", body="code", idempotency_key="code"
    )
    reminders = backlog(3, quiet_hours=True)
    assert [sms_id for sms_id, _ in deliver_batch(code.pk)] == [code.pk]
    assert not SmsMessage.objects.filter(pk__in=reminders).exclude(status=SmsStatus.QUEUED)


def test_a_code_is_never_a_batch_mate_so_it_never_waits_behind_others(sms_backend, settings):
    """Batch mates are reminders only: a sign-in code queued behind a reminder backlog is not
    taken by a reminder's task (where it would wait behind the batch's provider calls); its own
    task sends it, first in its claim."""
    settings.SMS_CLAIM_BATCH = 10
    reminders = backlog(3)
    (code,) = backlog(1, quiet_hours=False, prefix="code")
    taken = [sms_id for sms_id, _ in deliver_batch(reminders[0])]
    assert taken == reminders
    assert SmsMessage.objects.get(pk=code).status == SmsStatus.QUEUED
    more = backlog(3, prefix="later")
    taken = [sms_id for sms_id, _ in deliver_batch(code)]
    assert taken == [code, *more]  # the code first, then reminders in its claim
    assert sms_backend.sent[3][1] == "code0"
