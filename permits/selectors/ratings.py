"""Reads of ratings (好差评): the applicant's case page, and the rating a link's token names."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, WrongState

from ..constants import FINAL_APPLICATION_STATES
from ..models import Rating

# The salt of the signed rating link (``permits.services.ratings.make_token``).
LINK_SALT = "permits.rating-link"


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


def rating_from_token(token: str) -> Rating:
    """The rating a link's token names. Forged: ``NotAllowed``; expired or already used:
    ``WrongState`` (code ``link_expired`` / ``link_used``)."""
    max_age = settings.RATING_LINK_MAX_AGE_DAYS * 86400
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise WrongState(
            _("This rating link has expired. Sign in and rate the case from its page."),
            code="link_expired",
        ) from None
    except signing.BadSignature:
        raise NotAllowed() from None
    rating = (
        Rating.objects.select_related("application", "application__station").filter(pk=pk).first()
    )
    if rating is None:
        raise NotAllowed()
    if rating.link_used_at is not None or rating.is_rated:
        raise WrongState(_("This case has already been rated. Thank you."), code="link_used")
    return rating
