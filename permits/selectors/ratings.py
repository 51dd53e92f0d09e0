"""Reads of ratings (好差评) for the applicant's case page."""

from __future__ import annotations

from ..constants import FINAL_APPLICATION_STATES
from ..models import Rating


def case_rating(user, application) -> dict:
    """The case's rating (with its follow-up) and whether ``user`` may rate it now: only the
    account that filed the case, once.

    A case is rated once it has ended (``services.ratings.invite``, from a final state, which
    it never leaves): a case in progress has no rating, and its page does not ask (issue 18)."""
    if application.state not in FINAL_APPLICATION_STATES:
        return {"rating": None, "can_rate": False}
    rating = Rating.objects.filter(application=application).select_related("follow_up").first()
    can_rate = (
        rating is not None
        and not rating.is_rated
        and user.is_authenticated
        and application.filed_by_id == user.pk
    )
    return {"rating": rating, "can_rate": can_rate}
