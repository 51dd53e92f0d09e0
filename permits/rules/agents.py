"""Agents (代办人, seed 001 Art. 9; seed 004): who may file for another person.

The age limits (a minor is under ``MINOR_AGE_LIMIT``, an elderly person ``ELDERLY_AGE`` or
older; seed 001 Art. 9, the Regulations) are defined once in ``applicants.constants``: the
applicants app checks them when an agent files a dependent and cannot import permits (the
dependencies point one way, core <- applicants <- permits). They are re-exported here, so
``rules.MINOR_AGE_LIMIT`` is that same definition.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from applicants.constants import ELDERLY_AGE, MINOR_AGE_LIMIT

from .violations import RuleViolation

__all__ = ["ELDERLY_AGE", "MINOR_AGE_LIMIT", "agent_refusals"]


def agent_refusals(*, is_dependent: bool, agent_verified: bool) -> list:
    """Seed 001 (Art. 9: an agent brings "both identity documents", the person's and their own)
    and seed 004: an agent files for a dependent only once the agent's own identity is verified;
    if it is later rejected, the agent's drafts stop at submission. RuleViolation
    ``agent_not_verified`` or nothing."""
    if is_dependent and not agent_verified:
        return [
            RuleViolation(
                "agent_not_verified",
                _(
                    "An agent applies for another person only with both identities verified: "
                    "verify your own identity first."
                ),
            )
        ]
    return []
