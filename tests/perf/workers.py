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


def sms_rates(messages: int = 300) -> dict[str, float]:
    """Messages per second: a bare Twilio client loop, the worker reusing its backend (as it
    does now), and the worker building a backend per message (as it did before issue 18).
    INFO logging (twilio logs every request's headers) is off for all three loops."""
    import logging

    logging.disable(logging.INFO)
    try:
        return _sms_rates(messages)
    finally:
        logging.disable(logging.NOTSET)


def _sms_rates(messages: int) -> dict[str, float]:
    from django.test import override_settings
    from twilio.rest import Client

    from notifications import backends
    from notifications.models import SmsMessage
    from notifications.sms import deliver

    from .twilio_standin import ACCOUNT_SID, TwilioStandIn

    rates = {}
    with TwilioStandIn() as stand_in:
        client = Client(
            ACCOUNT_SID,
            "bench-token",
            http_client=backends._twilio_http_client(base_url=stand_in.url, timeout=5),
        )
        client.messages.create(to="+8613900000001", from_="+15005550006", body="warm-up")
        started = time.perf_counter()
        for n in range(messages):
            client.messages.create(to="+8613900000001", from_="+15005550006", body=f"bare {n}")
        rates["bare twilio client loop"] = messages / (time.perf_counter() - started)

        overrides = {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "bench-token",
            "TWILIO_FROM": "+15005550006",
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_STATUS_CALLBACK_URL": "",
            "TWILIO_API_BASE_URL": stand_in.url,
        }
        with override_settings(**overrides):
            for label, per_message in (
                ("worker, one backend per process", False),
                ("worker, new backend per message", True),
            ):
                SmsMessage.objects.filter(idempotency_key__startswith="bench-sms-").delete()
                ids = [
                    m.pk
                    for m in SmsMessage.objects.bulk_create(
                        SmsMessage(
                            recipient_phone="+8613900000001",
                            body=f"bench {n}",
                            idempotency_key=f"bench-sms-{n}",
                        )
                        for n in range(messages + 1)
                    )
                ]
                backends.reset_backend()
                deliver(ids[0])  # warm-up
                started = time.perf_counter()
                for sms_id in ids[1:]:
                    if per_message:
                        backends.reset_backend()
                    assert deliver(sms_id).status == "sent"
                rates[label] = messages / (time.perf_counter() - started)
            SmsMessage.objects.filter(idempotency_key__startswith="bench-sms-").delete()
            backends.reset_backend()
    return rates


def report(write, *, checks: int = 20, messages: int = 300) -> None:
    """Print both tables with ``write`` (e.g. ``self.stdout.write``)."""
    write("")
    write(f"Password check, CPU per check (time.process_time over {checks} checks):")
    header = f"{'hasher':<28} {'parameters':<18} {'CPU ms':>8} {f'checks/s on {CORES} cores':>20}"
    write(header)
    write("-" * len(header))
    for name, params, cpu_ms in password_check_cpu(checks):
        write(f"{name:<28} {params:<18} {cpu_ms:>8.1f} {CORES * 1000 / cpu_ms:>20.1f}")
    write("")
    write(f"SMS sending, {messages} messages to a local Twilio stand-in (keep-alive, one write):")
    rates = sms_rates(messages)
    bare = rates["bare twilio client loop"]
    header = f"{'loop':<34} {'messages/s':>11} {'of bare':>8}"
    write(header)
    write("-" * len(header))
    for label, rate in rates.items():
        write(f"{label:<34} {rate:>11.0f} {rate / bare:>8.2f}")


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    report(print)


if __name__ == "__main__":
    main()
