"""Security audit trail of the police side, on the ``portal.audit`` logger.

Logged: every login, failed login, logout, staff idle expiry and permission refusal (HTTP 403).
Never logged: passwords, full phone numbers, full ID numbers, query strings (admin searches may
contain ID digits). Lines are ``event=<name> key=value ...`` so they grep and parse easily.

Other code records its own events with :func:`log_event` (e.g. "full ID number shown").

Each event is also kept as a row (``review.AuditEvent``: who, what, which record, when, from
where), written at once in its own transaction: callers call ``log_event`` outside any atomic
block (the 403 line is written by the middleware after the view returned), so the row survives
the error or refusal it records. A failed write never breaks the request: the log line remains.
"""

import logging
import re

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.dispatch import receiver

from core.http import client_ip as core_client_ip
from core.masking import mask_id_number
from core.phones import mask_phone, normalize_phone

logger = logging.getLogger("portal.audit")

_UNSAFE_VALUE = re.compile(r"[^\w@:/.+*\-]")
# 15 or 18 character resident ID numbers, and long digit runs that could be phone numbers.
_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
_LONG_DIGITS = re.compile(r"\+?\d{8,}")


def _safe(value) -> str:
    """One token, no spaces or quotes (so a value cannot forge another key=value pair), with
    anything that looks like an ID or phone number masked."""
    text = str(value)
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _LONG_DIGITS.sub(lambda m: mask_phone(m.group(0)), text)
    text = _UNSAFE_VALUE.sub("_", text)
    return text[:200] or "-"


def masked_login_name(raw) -> str:
    """The login name someone typed, safe for a log line: a valid phone number masked, anything
    else (which could be a password typed in the wrong field) not shown at all."""
    try:
        return mask_phone(normalize_phone(str(raw or "")))
    except ValidationError:
        return "not-a-phone-number"


def client_ip(request) -> str:
    if request is None:
        return "-"
    return core_client_ip(request) or "-"


def _user_fields(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": "anonymous"}
    return {
        "user": user.pk,
        "phone": mask_phone(getattr(user, "phone", "") or ""),
        "staff": int(bool(user.is_staff)),
    }


def log_event(
    event: str, *, request=None, user=None, record=None, level=logging.INFO, **fields
) -> None:
    """Write one audit line and one ``AuditEvent`` row. ``user`` defaults to ``request.user``;
    ``record`` is the model instance acted on; values are sanitised."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    parts = {"event": event, **_user_fields(user)}
    if request is not None:
        parts["ip"] = client_ip(request)
        parts["method"] = request.method
        parts["path"] = request.path  # never the query string
    if record is not None:
        parts["record"] = f"{record._meta.label_lower}:{record.pk}"
    parts.update(fields)
    logger.log(level, " ".join(f"{key}={_safe(value)}" for key, value in parts.items()))
    _save_row(event, request=request, user=user, record=record, fields=fields)


def _in_atomic_block() -> bool:
    """Inside an atomic block of the code (a test's own wrapping transaction does not count)."""
    connection = transaction.get_connection()
    blocks = getattr(connection, "atomic_blocks", [])
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def _save_row(event, *, request, user, record, fields) -> None:
    from .models import AuditEvent

    authenticated = user is not None and getattr(user, "is_authenticated", False)
    ip = client_ip(request)
    details = {key: _safe(value) for key, value in fields.items()}
    actor = details.pop("login", "") if not authenticated else mask_phone(user.phone or "")
    status = details.pop("status", None)
    row = AuditEvent(
        event=event[:40],
        user_id=user.pk if authenticated else None,
        actor=actor[:60],
        record_type=record._meta.label_lower if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        ip=ip if ip != "-" else None,
        method=(request.method or "")[:10] if request is not None else "",
        path=request.path[:200] if request is not None else "",
        status=int(status) if status and str(status).isdigit() else None,
        details=details,
    )
    if _in_atomic_block():
        # Would be rolled back with the error it records: callers must not do this.
        logger.warning("event=audit_row_inside_atomic_block audited=%s", _safe(event))
    try:
        row.save(force_insert=True)
    except DatabaseError:
        logger.exception("event=audit_row_not_saved audited=%s", _safe(event))


@receiver(user_logged_in, dispatch_uid="portal_audit_login")
def _on_login(sender, request, user, **kwargs):
    log_event("login", request=request, user=user)


@receiver(user_logged_out, dispatch_uid="portal_audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event("logout", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="portal_audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django already replaces the password with stars; the login name is masked here and no
    # other credential key is written at all.
    login_name = credentials.get("phone", credentials.get("username", ""))
    log_event(
        "login_failed",
        request=request,
        user=None,
        level=logging.WARNING,
        login=masked_login_name(login_name),
    )


def log_permission_refused(request, response) -> None:
    log_event(
        "permission_refused",
        request=request,
        level=logging.WARNING,
        status=response.status_code,
    )
