"""SMS backends behind one small interface, chosen by the SMS_BACKEND setting.

``get_backend()`` builds the backend once per process and settings, and reuses it: one Twilio
client, so one HTTP connection pool, for every message a worker sends (a new client per message
meant a new TCP and TLS connection per SMS; issue 18).

A backend has two methods. ``send(*, to, body) -> str`` returns the provider's message id; it
raises ``TransientSmsError`` when trying again later may work and nothing reached the provider
(no connection, provider 5xx or 429), ``PermanentSmsError`` when it never will (invalid number,
unsubscribed recipient) and ``UncertainSmsError`` when the request went out but the answer did
not come back (the message may exist). ``find_sent(*, to, body, since) -> str | None`` asks the
provider for a message with that text to that number since then (reconciliation).
"""

import datetime
import logging
import os
import sys
import threading
import uuid
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger(__name__)


def masked(phone: str) -> str:
    """Phone numbers in logs: country prefix and last 4 digits only."""
    return f"{phone[:-8]}****{phone[-4:]}" if len(phone) > 8 else "****"


class SmsSendError(Exception):
    transient = False

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = str(code or "")
        self.message = message


class TransientSmsError(SmsSendError):
    """Worth retrying later (with backoff)."""

    transient = True


class PermanentSmsError(SmsSendError):
    """Never worth retrying: the message is failed at once with the code."""


class UncertainSmsError(SmsSendError):
    """The request went out but no answer came back (read timeout, connection cut while
    waiting): the provider may have the message. Never resent as such: the row goes to
    ``unknown`` and ``find_sent`` asks the provider first (``notifications.sms.reconcile``)."""

    uncertain = True


# Twilio REST errors that are permanent although answered with a 4xx that could look generic.
# 21211 invalid 'To' number, 21610 recipient unsubscribed (STOP), 21408 region not enabled,
# 21612 unreachable 'To', 21614 not a mobile number. Any other 4xx except 429 is permanent too.
TWILIO_PERMANENT_CODES = {21211, 21408, 21610, 21612, 21614}


def classify_http_failure(*, status: int, code=None, message: str = "") -> SmsSendError:
    """Retry classification of a provider's HTTP error answer."""
    code = "" if code is None else str(code)
    if status == 429 or status >= 500:
        return TransientSmsError(message or f"HTTP {status}", code=code or str(status))
    return PermanentSmsError(message or f"HTTP {status}", code=code or str(status))


class ConsoleBackend:
    """Prints every SMS (the default, so `make run` shows codes and results in the terminal).

    The message itself is recorded as its SmsMessage row, with a console-… provider id.
    """

    def send(self, *, to: str, body: str) -> str:
        sys.stdout.write(f"\n[SMS to {to}] {body}\n")
        sys.stdout.flush()
        logger.info("SMS printed for %s", masked(to))
        return f"console-{uuid.uuid4().hex[:16]}"

    def find_sent(self, *, to: str, body: str, since) -> str | None:
        return None  # printing never times out half-way


# Twilio's HTTP client logs every request at INFO: eleven lines per SMS (its headers), and for
# the reconciliation's list the recipient's number unmasked. The worker's own line per SMS (number
# masked) says what happened, so the client gets a logger that passes warnings only, unless
# LOGGING names this logger (then that level stands). Issue 18: the eleven JSON lines cost the
# bare client loop 0.35 ms per message.
TWILIO_HTTP_LOGGER = "notifications.twilio_http"


def _twilio_http_logger() -> logging.Logger:
    http_logger = logging.getLogger(TWILIO_HTTP_LOGGER)
    if http_logger.level == logging.NOTSET:
        http_logger.setLevel(logging.WARNING)
    return http_logger


def _twilio_http_client(*, base_url: str, timeout: float):
    from twilio.http.http_client import TwilioHttpClient

    class BaseUrlHttpClient(TwilioHttpClient):
        """Twilio's own HTTP client, with scheme and host replaced by TWILIO_API_BASE_URL
        (a regional endpoint, a proxy, or the local stand-in the services tests start)."""

        def request(self, method, url, *args, **kwargs):
            if base_url:
                target, original = urlsplit(base_url), urlsplit(url)
                path = target.path.rstrip("/") + original.path
                url = urlunsplit((target.scheme, target.netloc, path, original.query, ""))
            return super().request(method, url, *args, **kwargs)

    return BaseUrlHttpClient(timeout=timeout, logger=_twilio_http_logger())


def status_callback_url() -> str:
    """The URL Twilio posts delivery statuses to (and the one its signature is computed on)."""
    if settings.TWILIO_STATUS_CALLBACK_URL:
        return settings.TWILIO_STATUS_CALLBACK_URL
    if settings.SITE_URL.startswith("https://"):
        return settings.SITE_URL.rstrip("/") + reverse("notifications:twilio_status")
    return ""  # Twilio cannot reach a plain-http development site; no callback requested


class TwilioBackend:
    """The real Twilio REST client (``twilio`` package) sending one message per call."""

    def __init__(self):
        from twilio.rest import Client

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ValueError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not (settings.TWILIO_FROM or settings.TWILIO_MESSAGING_SERVICE_SID):
            raise ValueError("SMS_BACKEND=twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=_twilio_http_client(
                base_url=settings.TWILIO_API_BASE_URL, timeout=settings.TWILIO_TIMEOUT_SECONDS
            ),
        )

    def send(self, *, to: str, body: str) -> str:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        params = {"to": to, "body": body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        if settings.TWILIO_FROM:
            params["from_"] = settings.TWILIO_FROM
        callback = status_callback_url()
        if callback:
            params["status_callback"] = callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            error = classify_http_failure(status=exc.status, code=exc.code, message=exc.msg)
            logger.warning("Twilio answered %s (code %s) for %s", exc.status, exc.code, masked(to))
            raise error from exc
        except (requests.RequestException, OSError) as exc:
            if request_may_have_arrived(exc):
                logger.warning(
                    "Twilio gave no answer for %s (%s): asking it before any resend",
                    masked(to),
                    type(exc).__name__,
                )
                raise UncertainSmsError(
                    f"no answer: {type(exc).__name__}", code="no_answer"
                ) from exc
            logger.warning("Twilio unreachable for %s: %s", masked(to), type(exc).__name__)
            raise TransientSmsError(f"network error: {type(exc).__name__}", code="network") from exc
        except TwilioException as exc:
            raise TransientSmsError(str(exc)[:200], code="twilio") from exc
        return message.sid

    def find_sent(self, *, to: str, body: str, since) -> str | None:
        """The sid of a message with this text to this number created since ``since``, if
        Twilio has one (``messages.list(to=…, date_sent_after=…)``: Twilio filters by day, so
        the creation time is compared here too). Raises ``TransientSmsError`` when Twilio
        cannot be asked now."""
        import requests
        from twilio.base.exceptions import TwilioException

        margin = datetime.timedelta(minutes=5)  # clocks of two machines
        try:
            messages = self.client.messages.list(
                to=to, date_sent_after=since - margin, limit=RECONCILE_LIST_LIMIT
            )
        except (requests.RequestException, OSError, TwilioException) as exc:
            logger.warning("Twilio could not be asked about %s: %s", masked(to), exc)
            raise TransientSmsError(
                f"reconciliation: {type(exc).__name__}", code="reconcile"
            ) from exc
        for message in messages:
            created = message.date_created
            if message.body == body and (created is None or created >= since - margin):
                return message.sid
        return None


RECONCILE_LIST_LIMIT = 50


def request_may_have_arrived(exc: Exception) -> bool:
    """True when the request may have reached the provider: the answer timed out or the
    connection broke after it was sent. A refused or timed-out connection sent nothing."""
    import requests

    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError):
        return True
    if isinstance(exc, requests.ConnectionError):
        text = repr(exc)
        return (
            "NewConnectionError" not in text
            and "ConnectTimeout" not in text
            and (
                "RemoteDisconnected" in text
                or "Connection aborted" in text
                or "ProtocolError" in text
                or "Read timed out" in text
            )
        )
    return False


BACKENDS = {"console": ConsoleBackend, "twilio": TwilioBackend}

# The settings a backend is built from: a change (a test's ``settings`` fixture, say) builds a
# fresh one. The process id keeps a forked worker from sharing its parent's connections.
BACKEND_SETTINGS = (
    "SMS_BACKEND",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL",
    "TWILIO_TIMEOUT_SECONDS",
)
_backend_lock = threading.Lock()
_backend: tuple[tuple, object] | None = None


def _backend_key() -> tuple:
    return (os.getpid(), *(getattr(settings, name, None) for name in BACKEND_SETTINGS))


def build_backend():
    """A new backend for the current settings (``get_backend()`` reuses one)."""
    name = settings.SMS_BACKEND
    try:
        backend_class = BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown SMS_BACKEND {name!r}") from None
    return backend_class()


def get_backend():
    """The process's backend for the current settings, built on first use and then reused."""
    global _backend
    key = _backend_key()
    current = _backend
    if current is not None and current[0] == key:
        return current[1]
    with _backend_lock:
        if _backend is None or _backend[0] != key:
            _backend = (key, build_backend())
        return _backend[1]


def reset_backend() -> None:
    """Forget the cached backend (the next ``get_backend()`` builds a new one)."""
    global _backend
    with _backend_lock:
        _backend = None
