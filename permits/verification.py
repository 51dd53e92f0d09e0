"""Public permit verification (issue 8): a signed code per card, checked without login.

The code is the card serial signed with SECRET_KEY (``django.core.signing.Signer``, own salt):
``HKC0000000042:<signature>``. It names the card, not the person, so a replaced card's old code
answers "not valid" (the serial is invalidated), and a forged or altered code fails the
signature and answers "not valid" too. The answer shows only the status (valid, suspended, not
valid), the holder's masked name and the valid-until date: nothing else about the holder.

``GET /verify/<code>/`` is the page a phone camera opens from the QR code on the applicant's
permit page; ``GET /api/v1/verify/<code>/`` answers the same as JSON. Both are rate-limited per
client address (throttle scope ``verify``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import clock
from core.api.throttles import IPThrottle
from core.db_router import replica_reads
from core.masking import mask_name
from core.qr import qr_svg
from permits.constants import CardSerialStatus, PermitStatus

SALT = "permits.verification"
VALID, SUSPENDED, INVALID = "valid", "suspended", "invalid"
STATUS_LABELS = {
    VALID: _("Valid"),
    SUSPENDED: _("Suspended (endorsement overdue)"),
    INVALID: _("Not valid"),
}
MAX_CODE_LENGTH = 120
# The QR of a card never changes while its URL does not (serial, signature, SITE_URL), so it is
# drawn once and kept: segno took a third of the personal center's time (issue 18).
QR_CACHE_TIMEOUT = 60 * 60 * 24 * 30


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def verification_code(permit) -> str:
    """The code for the permit's current card (changes when the card is replaced)."""
    return _signer().sign(permit.card_serial)


def verification_url(permit) -> str:
    path = reverse("permit-verify", args=[verification_code(permit)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def verification_qr_svg(permit) -> str:
    """An inline SVG QR code of the verification URL, for the applicant's permit page.

    Cached (Django cache) under a digest of the URL: the URL names the card serial with its
    signature and the site, so a replaced card, a new SECRET_KEY or SITE_URL get a new entry.
    """
    url = verification_url(permit)
    key = "permits:verify-qr:v1:" + hashlib.sha256(url.encode()).hexdigest()
    cache = caches["pages"]  # an unreachable Redis reads as a miss (config.settings)
    svg = cache.get(key)
    if svg is None:
        svg = qr_svg(url)
        cache.set(key, svg, QR_CACHE_TIMEOUT)
    return svg


@dataclass(frozen=True)
class Verification:
    status: str
    masked_name: str = ""
    valid_until: object = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def verify(code: str) -> Verification:
    """What the public may know about the card behind ``code``."""
    from permits.selectors.permits import permit_in_use, verify_card_serial

    if not code or len(code) > MAX_CODE_LENGTH:
        return Verification(INVALID)
    try:
        serial = _signer().unsign(code)
    except signing.BadSignature:
        return Verification(INVALID)
    with replica_reads():  # a few seconds of lag are harmless here (issue 28)
        check = verify_card_serial(serial)
    permit = check.permit
    if (
        permit is None
        or check.status != CardSerialStatus.VALID
        or permit.card_serial != serial  # a replaced card (lost or damaged)
    ):
        return Verification(INVALID)
    if permit_in_use(permit, today=clock.today()):
        status = VALID  # endorsed, or an endorsement filed on time still being decided
    elif permit.status in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
        status = SUSPENDED  # overdue endorsement, whether or not the daily job ran yet
    else:
        return Verification(INVALID)  # lost, cancelled
    return Verification(status, mask_name(permit.holder.full_name), permit.valid_until)


def _throttled(request) -> bool:
    class _View:
        throttle_scope = "verify"

    return not IPThrottle().allow_request(request, _View())


@never_cache
@require_GET
def verify_page(request, code: str):
    """The public page: status, masked name, valid until. Without login, rate-limited."""
    if _throttled(request):
        response = render(request, "verify/permit.html", {"throttled": True}, status=429)
        response["Retry-After"] = "60"
        return response
    result = verify(code)
    response = render(request, "verify/permit.html", {"result": result})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
