"""Rating a case (好差评) over the API, signed in: whether the case can be rated, the rating once
given and the station's answer to a bad one; rate it once. Reads by ``permits.selectors.ratings``
and the act by ``permits.services.ratings.rate`` (the same as the signed-in case page); the
SMS link's token flow stays on the web (``/permits/rate/<token>/``).

Only the account that filed the case sees it here (404 for anyone else's, as every application
endpoint)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import WrongState
from permits.api.applications import get_owned
from permits.models import Rating, RatingScore
from permits.selectors.ratings import case_rating
from permits.services import ratings as services


class RatingFollowUpSerializer(serializers.Serializer):
    """A bad rating's follow-up: the station answers by ``due_on``; ``answer`` is blank (and
    ``answered_at`` null) until the supervisor has answered."""

    due_on = serializers.DateField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.SerializerMethodField()

    def get_answer(self, follow_up) -> str:
        return follow_up.answer if follow_up.answered_at else ""


class GivenRatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    score_display = serializers.CharField(source="get_score_display")
    comment = serializers.CharField(allow_blank=True)
    rated_at = serializers.DateTimeField()
    follow_up = RatingFollowUpSerializer(allow_null=True, read_only=True)


class CaseRatingSerializer(serializers.Serializer):
    """``can_rate``: the case has ended, is not rated yet, and this account filed it.
    ``rating``: null until rated."""

    can_rate = serializers.BooleanField()
    rating = GivenRatingSerializer(allow_null=True)


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(
        min_value=min(RatingScore.values), max_value=max(RatingScore.values)
    )
    comment = serializers.CharField(
        max_length=services.COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


def rating_response(request, application, *, status_code=status.HTTP_200_OK) -> Response:
    state = case_rating(request.user, application)
    rating = state["rating"]
    data = {"can_rate": state["can_rate"], "rating": rating if rating and rating.is_rated else None}
    return Response(CaseRatingSerializer(data).data, status=status_code)


@extend_schema(tags=["applications"])
class RatingView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = {"404", "409"}

    @extend_schema(responses={200: CaseRatingSerializer})
    def get(self, request, pk: int):
        """The case's rating: whether it can be rated now, the rating once given, and for a
        bad rating (1 or 2) the follow-up with the station's answer once given."""
        return rating_response(request, get_owned(request, pk))

    @extend_schema(request=RateSerializer, responses={201: CaseRatingSerializer})
    def post(self, request, pk: int):
        """Rate the ended case once: ``score`` 1 (very dissatisfied) to 5 (very satisfied),
        an optional ``comment`` (at most 500 characters). A case still running, or one already
        rated (from here, the case page or the SMS link): 409. A rating of 1 or 2 opens a
        follow-up that the station's supervisor answers."""
        application = get_owned(request, pk)
        serializer = RateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = Rating.objects.filter(application=application).first()
        if rating is None:  # not ended (or not a case that is rated): nothing to rate yet
            raise WrongState(_("This cannot be done in the current state."), code="not_rateable")
        services.rate(
            rating=rating,
            score=serializer.validated_data["score"],
            comment=serializer.validated_data["comment"],
            user=request.user,
        )
        return rating_response(request, application, status_code=status.HTTP_201_CREATED)
