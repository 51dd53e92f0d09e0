"""Ratings of every case (好差评; State Council General Office opinion of 2019 on the rating
system of government services): when a case ends the applicant is invited to rate it, once,
on five levels with an optional comment; every bad rating (1 or 2) is followed up by the
station's supervisor, who answers the applicant in My Affairs.

The invitation travels in the case's final notice (My Affairs and SMS) as a link holding a
signed, expiring token (``django.core.signing``, ``RATING_LINK_MAX_AGE_DAYS``); the link works
once (``Rating.link_used_at``). A signed-in applicant rates from the case page instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotAllowed, WrongState
from notifications.constants import NotificationKind
from notifications.services import notify
from permits import rules, service_types
from permits.constants import ApplicationState
from permits.models import BAD_RATING_MAX, PermitApplication, Rating, RatingFollowUp, RatingScore
from permits.scoping import is_supervisor
from permits.selectors.ratings import LINK_SALT, rating_from_token

COMMENT_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 2000

# A case has ended in these states; a withdrawal counts once the station had accepted it.
ENDED_STATES = (
    ApplicationState.COLLECTED,
    ApplicationState.DELIVERED,
    ApplicationState.REJECTED,
    ApplicationState.WITHDRAWN,
    ApplicationState.COMPLETED,  # a cancellation (注销) completed
)


def is_rateable_end(application: PermitApplication) -> bool:
    if application.state not in ENDED_STATES:
        return False
    if application.state == ApplicationState.WITHDRAWN:
        return application.accepted_at is not None
    return True


# --- the invitation ------------------------------------------------------------------------------


def make_token(rating: Rating) -> str:
    return signing.dumps(rating.pk, salt=LINK_SALT)


def rating_link(rating: Rating) -> str:
    """The absolute link of the final SMS (``SITE_URL``)."""
    path = reverse("permits:rate_by_link", args=[make_token(rating)])
    return settings.SITE_URL.rstrip("/") + path


def invite(application: PermitApplication) -> dict:
    """Called by the service that ends a case, inside its transition (after the state
    changed): opens the case's rating (once) and returns the context for the final notice,
    ``{"rating_url": ...}``; ``{}`` when the case is not one to rate."""
    if not is_rateable_end(application):
        return {}
    rating, _created = Rating.objects.get_or_create(application=application)
    if rating.is_rated:
        return {}
    return {"rating_url": rating_link(rating)}


def invite_without_notice(application: PermitApplication) -> None:
    """A case that ends without a notice of its own (a withdrawal after acceptance): the
    invitation is its own My Affairs entry and SMS."""
    context = invite(application)
    if not context:
        return
    notify(
        application.filed_by,
        NotificationKind.RATING_INVITED,
        {
            "reference": application.reference,
            "service": service_types.label(application.service),
            **context,
        },
        related=application,
        link=reverse("permits:application_detail", args=[application.pk]),
    )


# --- rating --------------------------------------------------------------------------------------


def _clean(score, comment: str) -> tuple[int, str]:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in RatingScore.values:
        raise InvalidInput(
            fields={"score": [_("Choose one of the five levels.")]}, code="bad_score"
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            fields={"comment": [_("At most 500 characters, please.")]}, code="comment_too_long"
        )
    return score, comment


def follow_up_due_on(today):
    return rules.add_days(today, settings.RATING_FOLLOW_UP_WORKING_DAYS, mode=rules.DayMode.WORKING)


def rate(*, rating: Rating, score, comment: str = "", user=None, token: str = "") -> Rating:
    """Record the one rating of a case: from the SMS link (``token``, no login) or by the
    signed-in account that filed the case (``user``). A rating of 1 or 2 opens the follow-up
    for the station's supervisor, due in ``RATING_FOLLOW_UP_WORKING_DAYS`` working days."""
    score, comment = _clean(score, comment)
    with transaction.atomic():
        if token:
            checked = rating_from_token(token)
            if checked.pk != rating.pk:
                raise NotAllowed()
        locked = Rating.objects.select_for_update().select_related("application").get(pk=rating.pk)
        if not token and (user is None or locked.application.filed_by_id != user.pk):
            raise NotAllowed()
        if locked.is_rated:
            raise WrongState(_("This case has already been rated. Thank you."), code="rated")
        now = timezone.now()
        locked.score = score
        locked.comment = comment
        locked.rated_at = now
        if token:
            locked.link_used_at = now
        locked.save(update_fields=["score", "comment", "rated_at", "link_used_at"])
        if score <= BAD_RATING_MAX:
            RatingFollowUp.objects.create(
                rating=locked,
                station_id=locked.application.station_id,
                due_on=follow_up_due_on(timezone.localdate(now)),
            )
    return locked


# --- the follow-up -------------------------------------------------------------------------------


def answer_follow_up(*, user, follow_up: RatingFollowUp, answer: str) -> RatingFollowUp:
    """The supervisor's answer to a bad rating; it reaches the applicant in My Affairs."""
    if not is_supervisor(user):
        raise NotAllowed()
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(fields={"answer": [_("Write the answer.")]}, code="answer_missing")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise InvalidInput(
            fields={"answer": [_("At most 2000 characters, please.")]}, code="answer_too_long"
        )
    with transaction.atomic():
        locked = (
            RatingFollowUp.objects.select_for_update()
            .select_related("rating__application__filed_by")
            .get(pk=follow_up.pk)
        )
        if not locked.is_open:
            raise WrongState(_("This follow-up has already been answered."), code="answered")
        locked.answer = answer
        locked.answered_at = timezone.now()
        locked.answered_by = user
        locked.save(update_fields=["answer", "answered_at", "answered_by"])
        application = locked.rating.application
        notify(
            application.filed_by,
            NotificationKind.RATING_ANSWERED,
            {
                "reference": application.reference,
                "service": service_types.label(application.service),
                "answer": answer,
            },
            related=locked,
            event_key=f"rating_answered:{locked.pk}",
            link=reverse("permits:application_detail", args=[application.pk]),
            sms=False,
        )
    return locked
