"""The identity verifier interface: who decides a pending identity.

``settings.IDENTITY_VERIFIER`` (env ``IDENTITY_VERIFIER``) is the dotted path of a class. The
default, ``OfficerDecisionVerifier``, leaves every decision to an officer in the admin. A city
that connects the national population database writes a subclass whose ``check()`` returns a
``VerifierResult``; it runs in a Celery task after the submission commits, and a result of
``None`` (or an error) leaves the identity pending for an officer as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_VERIFIER = "applicants.verifiers.OfficerDecisionVerifier"


@dataclass(frozen=True)
class VerifierResult:
    verified: bool
    reason: str = ""  # an IdentityRejectionReason value when not verified
    note: str = ""


class IdentityVerifier:
    """Base class. ``automatic`` verifiers are consulted after each submission."""

    automatic = False

    def check(self, identity) -> VerifierResult | None:
        raise NotImplementedError


class OfficerDecisionVerifier(IdentityVerifier):
    """The default: an officer compares the photos with the typed data and decides."""

    automatic = False

    def check(self, identity) -> VerifierResult | None:
        return None


def get_verifier() -> IdentityVerifier:
    path = getattr(settings, "IDENTITY_VERIFIER", "") or DEFAULT_VERIFIER
    return import_string(path)()
