"""Agents (代办人, seed 001 Art. 9; seed 004): who may file for another person.

The age limits (a minor is under ``MINOR_AGE_LIMIT``, an elderly person ``ELDERLY_AGE`` or
older; seed 001 Art. 9, the Regulations) are defined once in ``applicants.constants``: the
applicants app checks them when an agent files a dependent and cannot import permits (the
dependencies point one way, core <- applicants <- permits). They are re-exported here, so
``rules.MINOR_AGE_LIMIT`` is that same definition.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from applicants.constants import ELDERLY_AGE, MINOR_AGE_LIMIT, agent_reason_age_mismatch

from .violations import RuleViolation

__all__ = ["ELDERLY_AGE", "MINOR_AGE_LIMIT", "agent_reason_age_mismatch", "agent_refusals"]


def agent_refusals(
    *,
    is_dependent: bool,
    agent_verified: bool,
    agent_reason: str = "",
    age: int | None = None,
) -> list:
    """Seed 001 (Art. 9: an agent brings "both identity documents", the person's and their own;
    an agent applies for a minor under 16 or an elderly person) and seed 004: an agent files for
    a dependent only once the agent's own identity is verified (RuleViolation
    ``agent_not_verified``; if it is later rejected, the agent's drafts stop at submission), and
    only while the reason still holds on the day: a dependent filed as a minor who has turned 16
    applies in person (``agent_minor_of_age``; ``age`` is the dependent's age that day)."""
    if not is_dependent:
        return []
    refusals = []
    if not agent_verified:
        refusals.append(
            RuleViolation(
                "agent_not_verified",
                _(
                    "An agent applies for another person only with both identities verified: "
                    "verify your own identity first."
                ),
            )
        )
    if age is not None and agent_reason_age_mismatch(agent_reason, age) == "minor_of_age":
        refusals.append(
            RuleViolation(
                "agent_minor_of_age",
                _(
                    "By the ID number this person is now %(age)s years old: an agent applies only "
                    "for a minor under %(limit)s. From the 16th birthday the person applies with "
                    "their own account."
                ),
                {"age": age, "limit": MINOR_AGE_LIMIT},
            )
        )
    return refusals
