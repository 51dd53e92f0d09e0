"""The applicant's timeline of an application, in plain words."""

from __future__ import annotations

from permits.constants import SupplementReason


def timeline(application) -> list[dict]:
    """The applicant's timeline in plain words (no staff names): when, what happened, and for a
    request for more material every item with its name and reason."""
    names = {r.code: r.name for r in application.requirements()}
    entries = []
    for log in application.transitions.order_by("created_at", "pk"):
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
