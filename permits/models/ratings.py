"""Ratings of every case (好差评, the State Council's 2019 opinion on government-service ratings):
one rating per ended case, five levels, an optional comment; a bad rating (1 or 2) opens a
follow-up that the station's supervisor answers by a due date."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import page_cache

from .applications import PermitApplication
from .page_accounts import application_accounts
from .places import Station


class RatingScore(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Basically satisfied")  # 基本满意, the third of the five levels
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


# A rating at or below this opens a follow-up (差评必回).
BAD_RATING_MAX = RatingScore.DISSATISFIED


@page_cache.watch
class Rating(models.Model):
    """The invitation to rate one ended case, then its rating. Created when the case ends
    (``score`` empty); rated once, from the signed link of the final SMS (``link_used_at``
    marks that link spent) or from the case page when signed in."""

    application = models.OneToOneField(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(
        _("rating"), choices=RatingScore.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    link_used_at = models.DateTimeField(
        _("link used at"),
        null=True,
        blank=True,
        help_text=_("The signed link of the SMS works once; this is when it was used."),
    )

    class Meta:
        verbose_name = _("rating (好差评)")
        verbose_name_plural = _("ratings (好差评)")
        ordering = ["-invited_at", "-pk"]
        indexes = [models.Index(fields=["rated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} ({self.score or '-'})"

    def page_accounts(self):
        return application_accounts(self)

    @property
    def is_rated(self) -> bool:
        return self.score is not None


@page_cache.watch
class RatingFollowUp(models.Model):
    """A bad rating's follow-up: the station's supervisor answers the applicant by ``due_on``
    (``RATING_FOLLOW_UP_WORKING_DAYS`` working days after the rating)."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="follow_up"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    due_on = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rating follow-up")
        verbose_name_plural = _("rating follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["station", "due_on"],
                name="followup_open_idx",
                condition=Q(answered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return str(self.rating.application)

    def page_accounts(self):
        """The station's answer shows on the rated case's page (``case_rating.html``)."""
        rating = self._state.fields_cache.get("rating")
        if rating is not None:
            return rating.page_accounts()
        rows = PermitApplication.objects.filter(rating__pk=self.rating_id)
        return [rows.values("filed_by_id"), rows.values("person__account_id")]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
