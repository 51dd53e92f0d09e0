"""Rating a case (好差评): from the signed link of the final SMS without signing in, or from the
case page when signed in. Thin: the form validates, ``permits.services.ratings`` acts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import NotAllowed, ServiceError, WrongState, add_service_errors

from ..forms.ratings import RatingForm
from ..models import Rating
from ..selectors.ratings import rating_from_token
from ..services import ratings as services
from .applications import owned_applications


def _no_referrer(response):
    # the token must not leak to another site through the Referer header ("no-referrer" would
    # also make the browser send "Origin: null" with the form, which CSRF refuses)
    response["Referrer-Policy"] = "same-origin"
    return response


def _rated(request, rating, **who) -> tuple[RatingForm, bool]:
    """The form, and whether the rating was recorded (``who``: the link's token or the user)."""
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(
                rating=rating,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                **who,
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            return form, True
    return form, False


@never_cache
def rate_by_link(request, token):
    """No login: the token names the case. Forged: 404; expired or used: 410 with the reason."""
    try:
        rating = rating_from_token(token)
    except NotAllowed:
        raise Http404 from None
    except WrongState as exc:
        response = render(request, "permits/ratings/link_spent.html", {"reason": str(exc)})
        response.status_code = 410
        return _no_referrer(response)
    form, rated = _rated(request, rating, token=token)
    if rated:
        return _no_referrer(render(request, "permits/ratings/thanks.html", {}))
    context = {"form": form, "application": rating.application, "signed_in": False}
    return _no_referrer(render(request, "permits/ratings/rate.html", context))


@login_required
def rate_case(request, pk):
    """Signed in, from the case page: the account that filed the case, once."""
    application = get_object_or_404(owned_applications(request.user), pk=pk)
    rating = get_object_or_404(Rating, application=application, application__filed_by=request.user)
    if rating.is_rated:
        messages.info(request, _("This case has already been rated. Thank you."))
        return redirect("permits:application_detail", application.pk)
    form, rated = _rated(request, rating, user=request.user)
    if rated:
        messages.success(request, _("Thank you for rating this case."))
        return redirect("permits:application_detail", application.pk)
    context = {"form": form, "application": application, "signed_in": True}
    return render(request, "permits/ratings/rate.html", context)
