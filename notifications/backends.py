"""SMS backends behind one small interface, chosen by the SMS_BACKEND setting."""

import logging
import sys
import uuid

from django.conf import settings

logger = logging.getLogger(__name__)


def masked(phone: str) -> str:
    """Phone numbers in logs: country prefix and last 4 digits only."""
    return f"{phone[:-8]}****{phone[-4:]}" if len(phone) > 8 else "****"


class ConsoleBackend:
    """Prints every SMS (the default, so `make run` shows codes and results in the terminal)."""

    def send(self, *, to: str, body: str) -> str:
        sys.stdout.write(f"\n[SMS to {to}] {body}\n")
        sys.stdout.flush()
        logger.info("SMS printed for %s", masked(to))
        return f"console-{uuid.uuid4().hex[:16]}"


def get_backend():
    name = settings.SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    raise ValueError(f"Unknown SMS_BACKEND {name!r}")
