"""The applicant's timeline of an application, in plain words."""

from __future__ import annotations

from permits.constants import SupplementReason


def transitions_of(application) -> list:
    """The application's transitions, oldest first (what ``timeline`` shows)."""
    return list(application.transitions.order_by("created_at", "pk"))


def timeline(application, *, requirements=None, transitions=None) -> list[dict]:
    """The applicant's timeline in plain words (no staff names): when, what happened, and for a
    request for more material every item with its name and reason.

    ``requirements`` (``application.requirements()``) and ``transitions``
    (``transitions_of(application)``): when the caller has them already; the requirements are
    read only if an entry names items (issue 18: a second query for every page)."""
    logs = transitions_of(application) if transitions is None else transitions
    names = {}
    if any(log.items for log in logs):
        if requirements is None:
            requirements = application.requirements()
        names = {r.code: r.name for r in requirements}
    entries = []
    for log in logs:
        items = [
            {
                "code": item.get("code", ""),
                "name": names.get(item.get("code", ""), item.get("code", "")),
                "reason": str(SupplementReason(item["reason"]).label)
                if item.get("reason") in SupplementReason.values
                else "",
                "note": item.get("note", ""),
            }
            for item in log.items or []
        ]
        entries.append(
            {"at": log.created_at, "transition": log.transition, "label": log.label, "items": items}
        )
    return entries
