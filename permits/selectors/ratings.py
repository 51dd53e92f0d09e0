"""Reads of ratings (好差评) for the applicant's case page."""

from __future__ import annotations

from ..models import Rating


def case_rating(user, application) -> dict:
    """The case's rating (with its follow-up) and whether ``user`` may rate it now: only the
    account that filed the case, once."""
    rating = Rating.objects.filter(application=application).select_related("follow_up").first()
    can_rate = (
        rating is not None
        and not rating.is_rated
        and user.is_authenticated
        and application.filed_by_id == user.pk
    )
    return {"rating": rating, "can_rate": can_rate}
