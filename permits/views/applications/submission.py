"""3. Check your answers; 4. submit with the login password; the confirmation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.errors import ServiceError, StaleState, WrongPassword

from ...constants import (
    ApplicationState,
)
from ...forms.applications import (
    PlaceForm,
    SubmitForm,
)
from ...selectors.applications import answer_rows, deadline_terms
from ...selectors.places import agencies_for
from ...services import applications as services
from .common import (
    SEEN_KEY,
    add_service_error,
    draft_step,
    get_application,
    not_a_draft,
    posted,
)
from .steps import (
    build_steps,
)

# --- 3. check your answers, 4. submit ----------------------------------------------------------


def _place_context(application, form=None) -> dict:
    """Where to apply (issue 31): offered when the station lets an agency receive cases."""
    agencies = agencies_for(application.station_id)
    if not agencies:
        return {}
    form = form or PlaceForm(
        initial={"agency": str(application.agency_id or "")},
        station=application.station,
        agencies=agencies,
    )
    return {"place_form": form}


def _check_context(request, application) -> dict:
    requirements = list(application.requirements())
    materials = {m.requirement.code: m for m in application.current_materials()}
    steps = build_steps(request, application, requirements, set(materials))
    return {
        "application": application,
        "answer_rows": answer_rows(application),
        "material_rows": [(r, materials.get(r.code)) for r in requirements],
        "steps": steps,
        "incomplete": [s for s in steps if not s.complete],
        "eligibility": services.check_eligibility(
            user=request.user,
            person=application.person,
            service=application.service,
            exclude_pk=application.pk,
        ),
        **_place_context(application),
    }


@login_required
@draft_step
def place(request, application):
    """The place chosen on the check page (POST), back to the check page."""
    if request.method != "POST":
        return redirect("permits:application_check", application.pk)
    agencies = agencies_for(application.station_id)
    form = PlaceForm(request.POST, station=application.station, agencies=agencies)
    if form.is_valid():
        try:
            services.choose_place(
                user=request.user, application=application, agency_id=form.cleaned_data["agency"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, "agency")
        else:
            return redirect("permits:application_check", application.pk)
    context = {**_check_context(request, application), "place_form": form}
    return render(request, "permits/applications/check.html", context, status=400)


@login_required
@draft_step
def check(request, application):
    return render(request, "permits/applications/check.html", _check_context(request, application))


@login_required
def submit(request, pk):
    application = get_application(request, pk)
    if application.state != ApplicationState.DRAFT:
        if request.method == "POST" and application.submitted_at is not None:
            # A repeated submit (a double tap, the back button): it was sent, say so.
            return redirect("permits:application_submitted", application.pk)
        return not_a_draft(request, application)
    form = SubmitForm(posted(request), application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(
                user=request.user,
                application=application,
                password=form.cleaned_data["password"],
                request=request,
            )
        except WrongPassword as exc:
            form.add_error("password", str(exc))
        except StaleState as exc:
            application.refresh_from_db()
            if application.submitted_at is not None:  # the other tap won: it was sent once
                return redirect("permits:application_submitted", application.pk)
            add_service_error(form, exc)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            request.session.get(SEEN_KEY, {}).pop(str(application.pk), None)
            request.session.modified = True
            return redirect("permits:application_submitted", application.pk)
    return render(
        request, "permits/applications/submit.html", {"application": application, "form": form}
    )


@login_required
def submitted(request, pk):
    application = get_application(request, pk)
    if application.state == ApplicationState.DRAFT:
        return redirect("permits:application_check", application.pk)
    return render(
        request,
        "permits/applications/submitted.html",
        {"application": application, "terms": deadline_terms()},
    )
