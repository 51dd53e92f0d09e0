"""Bench figures outside the page timings (issue 18), run by ``make bench`` after the pages and
alone with ``python -m tests.perf.workers``:

- CPU time of one password check with Django's Argon2 defaults (m=100 MiB, t=2, p=8) and with the
  portal's hasher (OWASP's minimum, m=19 MiB, t=2, p=1), ``time.process_time`` over N checks,
  and the checks per second two cores could do at that cost;
- the SMS worker's messages per second (``notifications.sms.deliver`` on queued rows, the real
  Twilio client) against a bare loop of the same Twilio client calls, both against a local
  stand-in for Twilio's API (``tests.perf.twilio_standin``), so the figure is the worker's own
  cost (database claim and record, backend) and not the network's.
"""

from __future__ import annotations

import time

CORES = 2


def password_check_cpu(checks: int = 20) -> list[tuple[str, str, float]]:
    """(hasher, parameters, CPU ms per check) for Django's default Argon2 and the portal's."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from core.hashers import OwaspArgon2PasswordHasher

    results = []
    for hasher in (Argon2PasswordHasher(), OwaspArgon2PasswordHasher()):
        encoded = hasher.encode("Bench-Pass-2026", hasher.salt())
        hasher.verify("Bench-Pass-2026", encoded)  # warm-up
        started = time.process_time()
        for _ in range(checks):
            assert hasher.verify("Bench-Pass-2026", encoded)
        cpu_ms = (time.process_time() - started) / checks * 1000
        results.append((type(hasher).__name__, encoded.split("$")[3], cpu_ms))
    return results


# Interleaved rounds; the bare loop's own rate varies by half between runs on this machine (the
# stand-in answers from a thread of the same process), so each loop's figure is the median of
# its per-round ratios to that round's bare loop, not a ratio of medians.
SMS_ROUNDS = 5
BARE = "bare twilio client loop"
WORKER = "worker, batch claim (SMS_CLAIM_BATCH)"
WORKER_10 = "worker, batch claim of 10 reminders"
SINGLE = "worker, one claim per message"
FLOOR = "bare loop + one durable UPDATE"


def sms_rates(messages: int = 300, rounds: int = SMS_ROUNDS) -> dict[str, tuple[float, float]]:
    """By loop, (messages per second, ratio to the bare loop): the medians over ``rounds``
    interleaved rounds (each round runs every loop once, so a busy disk or CPU weighs on all of
    them alike) of the loop's rate and of its rate over the same round's bare loop:

    - a bare Twilio client loop (one reused client);
    - the worker as its task runs (``notifications.sms.deliver_batch``: one durable claim for
      up to SMS_CLAIM_BATCH due messages, issue 29; the tasks of batch mates this worker settled
      skip the claim), the same with batches of 10 (the default until issue 29's fourth
      session), and one message per claim (``deliver``);
    - the worker building a backend per message (as it did before issue 18);
    - the bare loop plus one committed single-row UPDATE per message: the floor for a worker
      that must make its claim durable before it calls the provider (at most one SMS per row).

    INFO logging (twilio logs every request's headers) is off for all the loops."""
    import logging

    logging.disable(logging.INFO)
    try:
        return _sms_rates(messages, rounds)
    finally:
        logging.disable(logging.NOTSET)


def _sms_rates(messages: int, rounds: int) -> dict[str, tuple[float, float]]:
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings
    from twilio.rest import Client

    from notifications import backends
    from notifications.models import SmsMessage
    from notifications.sms import deliver, deliver_batch

    from .twilio_standin import ACCOUNT_SID, TwilioStandIn

    def queued_rows() -> list[int]:
        SmsMessage.objects.filter(idempotency_key__startswith="bench-sms-").delete()
        if connection.vendor == "postgresql":
            # Each round leaves its rows' dead index entries behind: without a VACUUM a claim
            # of the next loop walks thousands of them (4.6 ms instead of 0.1 ms for an empty
            # claim, measured), so the loops run late in the bench would pay for the others.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(SmsMessage._meta.db_table)}")
        return [
            m.pk
            for m in SmsMessage.objects.bulk_create(
                SmsMessage(
                    recipient_phone="+8613900000001",
                    body=f"bench {n}",
                    idempotency_key=f"bench-sms-{n}",
                    # a backlog of the daily jobs' reminders: what a batch takes (a code is
                    # never a batch mate)
                    quiet_hours=True,
                )
                for n in range(messages + 1)
            )
        ]

    samples: dict[str, list[float]] = {}
    with TwilioStandIn() as stand_in:
        client = Client(
            ACCOUNT_SID,
            "bench-token",
            http_client=backends._twilio_http_client(base_url=stand_in.url, timeout=5),
        )
        client.messages.create(to="+8613900000001", from_="+15005550006", body="warm-up")

        def bare(ids):
            for n in range(messages):
                client.messages.create(to="+8613900000001", from_="+15005550006", body=f"bare {n}")

        def floor(ids):
            table = connection.ops.quote_name(SmsMessage._meta.db_table)
            with connection.cursor() as cursor:
                for sms_id in ids[1:]:
                    cursor.execute(
                        f"UPDATE {table} SET status = 'sending' WHERE id = %s",  # noqa: S608
                        [sms_id],
                    )
                    client.messages.create(
                        to="+8613900000001", from_="+15005550006", body=f"floor {sms_id}"
                    )

        def worker(per_message):
            def run(ids):
                for sms_id in ids[1:]:
                    if per_message:
                        backends.reset_backend()
                    assert deliver(sms_id).status == "sent"

            return run

        def batch(limit=None):
            def run(ids):
                # As the task runs: each message's task claims it and up to SMS_CLAIM_BATCH-1
                # other due ones; the tasks of messages already taken skip the claim (taken by
                # this worker) or claim the next ones or nothing.
                for sms_id in ids[1:]:
                    for _sms_id, outcome in deliver_batch(sms_id, limit=limit):
                        assert outcome.status == "sent"

            return run

        loops = {
            BARE: (bare, False),
            WORKER: (batch(), True),
            WORKER_10: (batch(10), True),
            SINGLE: (worker(False), True),
            "worker, new backend per message": (worker(True), True),
            FLOOR: (floor, True),
        }
        overrides = {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "bench-token",
            "TWILIO_FROM": "+15005550006",
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_STATUS_CALLBACK_URL": "",
            "TWILIO_API_BASE_URL": stand_in.url,
            # the daytime path: in the quiet hours (issue 30) nothing is batched
            "SMS_QUIET_HOURS": "",
            # the batch loop's claim size: SMS_CLAIM_BATCH's default (settings as shipped,
            # unless the environment sets it); the one-claim loop calls ``deliver``, which
            # claims one whatever it is
            "SMS_CLAIM_BATCH": settings.SMS_CLAIM_BATCH,
        }
        with override_settings(**overrides):
            backends.reset_backend()
            for _ in range(rounds):
                for label, (loop, needs_rows) in loops.items():
                    ids = queued_rows() if needs_rows else []
                    if ids:
                        deliver(ids[0])  # warm-up (and the backend built)
                    started = time.perf_counter()
                    loop(ids)
                    samples.setdefault(label, []).append(messages / (time.perf_counter() - started))
            SmsMessage.objects.filter(idempotency_key__startswith="bench-sms-").delete()
            backends.reset_backend()
    bare = samples[BARE]
    return {
        label: (
            statistics.median(rates),
            statistics.median(rate / base for rate, base in zip(rates, bare, strict=True)),
        )
        for label, rates in samples.items()
    }


def report(write, *, checks: int = 20, messages: int = 300) -> dict[str, tuple[float, float]]:
    """Print both tables with ``write`` (e.g. ``self.stdout.write``); return the SMS figures
    (messages/s and ratio to the bare loop, by loop) for the issue's table."""
    write("")
    write(f"Password check, CPU per check (time.process_time over {checks} checks):")
    header = f"{'hasher':<28} {'parameters':<18} {'CPU ms':>8} {f'checks/s on {CORES} cores':>20}"
    write(header)
    write("-" * len(header))
    for name, params, cpu_ms in password_check_cpu(checks):
        write(f"{name:<28} {params:<18} {cpu_ms:>8.1f} {CORES * 1000 / cpu_ms:>20.1f}")
    write("")
    write(
        f"SMS sending, {messages} messages to a local Twilio stand-in (keep-alive, one write), "
        f"median of {SMS_ROUNDS} interleaved rounds (of bare: the median of each round's ratio):"
    )
    rates = sms_rates(messages)
    header = f"{'loop':<34} {'messages/s':>11} {'of bare':>8}"
    write(header)
    write("-" * len(header))
    for label, (rate, ratio) in rates.items():
        write(f"{label:<34} {rate:>11.0f} {ratio:>8.2f}")
    return rates


def main() -> None:
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if sys.argv[1:] == ["sms"]:  # ``python -m tests.perf.workers sms``: the SMS table only
        for label, (rate, ratio) in sms_rates().items():
            print(f"{label:<34} {rate:>11.0f} {ratio:>8.2f}")
        return
    report(print)


if __name__ == "__main__":
    main()
