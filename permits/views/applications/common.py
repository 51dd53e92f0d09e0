"""What every page of the flow shares: access to one's own applications, the draft guard,
service errors on a form."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.errors import ServiceError

from ...constants import (
    ApplicationState,
)
from ...models import PermitApplication
from ...selectors.applications import applications_of

LIST_PAGE_SIZE = 20
SEEN_KEY = "permit_application_steps"


def posted(request):
    """The form data when the page was posted (even empty: an unticked box is an answer)."""
    return request.POST if request.method == "POST" else None


# --- access ------------------------------------------------------------------------------------


def owned_applications(user):
    """The applications ``user`` may see: those the account filed, for itself or as the agent
    of a dependent (the services only let the account that filed a person's identity apply
    for that person). The selector every applicant screen shares."""
    return applications_of(user)


def get_application(request, pk) -> PermitApplication:
    return get_object_or_404(owned_applications(request.user), pk=pk)


def draft_step(view):
    """A step of the draft: the view gets the user's own draft (404 for anyone else's); an
    application already sent goes to its page instead. One fetch for both."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        application = get_application(request, pk)
        if application.state != ApplicationState.DRAFT:
            return not_a_draft(request, application)
        return view(request, application, *args, **kwargs)

    return wrapper


def not_a_draft(request, application) -> HttpResponse:
    messages.info(request, _("This application has been sent; it can no longer be edited here."))
    return redirect("permits:application_detail", application.pk)


def add_service_error(form, exc: ServiceError, field: str | None = None) -> None:
    """A service's refusal, on the page: every reason when it gives several."""
    if exc.reasons:
        for reason in exc.reasons:
            form.add_error(field, str(reason))
    else:
        form.add_error(field, str(exc))
