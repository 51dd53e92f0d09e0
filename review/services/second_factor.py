"""Second-factor enrolment out of band (issue 30): a one-time link, issued by a supervisor (the
admin's *Issue a second-factor enrolment link*) or by ``manage.py second_factor_link`` for the
first account, is the only way to set up an authenticator; the password alone never does.

A link is short-lived (``SECOND_FACTOR_ENROLMENT_MINUTES`` to open it, and as long again to
finish once opened) and single-use (it is spent when its account opens it, signed in with the
password). Issuing one resets the account's second factor: its authenticator and backup codes
are deleted (a lost phone stops working at once, and so do the sessions and tokens it
verified), as is any earlier link. Every step is an audit record.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..models import SecondFactorEnrolment

BACKUP_NAME = "backup codes"


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "SECOND_FACTOR_ENROLMENT_MINUTES", 60)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    user: object
    path: str
    expires_at: datetime.datetime

    @property
    def url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.path


def issue_link(user, *, by=None, request=None) -> IssuedLink:
    """A new enrolment link for the staff account ``user`` (``by``: the supervisor; None: the
    management command). The account's devices and earlier links are deleted."""
    if not user.is_staff:
        raise ValueError("second-factor enrolment links are for staff accounts")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        SecondFactorEnrolment.objects.filter(user=user).delete()
        enrolment = SecondFactorEnrolment.objects.create(
            user=user,
            digest=_digest(token),
            issued_by=by,
            created_at=now,
            expires_at=now + lifetime(),
        )
    audit.log_event(
        "second_factor_link_issued",
        request=request,
        user=by,
        record=user,
        enrolment=enrolment.pk,
        by="command" if by is None else "supervisor",
    )
    return IssuedLink(
        user=user,
        path=reverse("second_factor_enrol", args=[token]),
        expires_at=enrolment.expires_at,
    )


def open_link(user, token: str, *, request=None) -> SecondFactorEnrolment | None:
    """Spend the link ``token`` for ``user`` (signed in with the password): the enrolment it
    opens, or None when it is unknown, another account's, expired or already used. A link
    opened by another account has leaked: it stops working for its owner too (a new one is
    issued). So no token written in a log or an audit record (its path) still works."""
    now = timezone.now()
    enrolment = SecondFactorEnrolment.objects.filter(digest=_digest(str(token)[:100])).first()
    spent = 0
    if enrolment is not None and enrolment.user_id == user.pk:
        spent = SecondFactorEnrolment.objects.filter(
            pk=enrolment.pk, opened_at__isnull=True, expires_at__gt=now
        ).update(opened_at=now)
    elif enrolment is not None:
        SecondFactorEnrolment.objects.filter(pk=enrolment.pk, expires_at__gt=now).update(
            expires_at=now
        )
    if not spent:
        audit.log_event(
            "second_factor_link_refused",
            request=request,
            record=enrolment.user if enrolment is not None else None,
            enrolment=enrolment.pk if enrolment is not None else "-",
        )
        return None
    enrolment.opened_at = now
    audit.log_event(
        "second_factor_link_opened", request=request, record=user, enrolment=enrolment.pk
    )
    return enrolment


def open_enrolment(user, pk) -> SecondFactorEnrolment | None:
    """The enrolment ``pk`` that ``user`` opened and may still finish, or None."""
    if not pk:
        return None
    enrolment = SecondFactorEnrolment.objects.filter(
        pk=pk, user=user, opened_at__isnull=False, completed_at__isnull=True
    ).first()
    if enrolment is None or enrolment.opened_at + lifetime() <= timezone.now():
        return None
    return enrolment


def complete(enrolment) -> bool:
    """Mark the enrolment done (once): True if this call did it."""
    return bool(
        SecondFactorEnrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    )


def issue_backup_codes(user) -> list[str]:
    """New single-use backup codes for ``user`` (earlier ones stop working)."""
    count = int(getattr(settings, "OTP_STATIC_BACKUP_CODES", 10))
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes
