"""3. Check your answers; 4. submit with the login password; the confirmation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError, WrongPassword

from ...constants import (
    ApplicationState,
    ChangedField,
    ReplacementReason,
    Service,
)
from ...forms.applications import (
    SubmitForm,
)
from ...services import applications as services
from ._common import (
    SEEN_KEY,
    _get_application,
    _not_a_draft,
    _posted,
    add_service_error,
    draft_step,
)
from .steps import (
    build_steps,
)

# --- 3. check your answers, 4. submit ----------------------------------------------------------


def _answer_rows(application) -> list[tuple[str, str]]:
    answers = application.answers or {}
    rows = []
    if application.service == Service.CHANGE:
        if answers.get("changed_field"):
            rows.append((_("What changed"), ChangedField(answers["changed_field"]).label))
        if answers.get("new_value"):
            rows.append((_("New value"), answers["new_value"]))
        if answers.get("changed_on"):
            rows.append((_("Date of the change"), answers["changed_on"]))
    elif application.service == Service.REPLACEMENT and answers.get("reason"):
        rows.append((_("Reason"), ReplacementReason(answers["reason"]).label))
    return rows


def _check_context(request, application) -> dict:
    requirements = list(application.requirements())
    materials = {m.requirement.code: m for m in application.current_materials()}
    steps = build_steps(request, application, requirements, set(materials))
    return {
        "application": application,
        "answer_rows": _answer_rows(application),
        "material_rows": [(r, materials.get(r.code)) for r in requirements],
        "steps": steps,
        "incomplete": [s for s in steps if not s.complete],
        "eligibility": services.check_eligibility(
            user=request.user,
            person=application.person,
            service=application.service,
            exclude_pk=application.pk,
        ),
    }


@login_required
@draft_step
def check(request, application):
    return render(request, "permits/applications/check.html", _check_context(request, application))


@login_required
def submit(request, pk):
    application = _get_application(request, pk)
    if request.method != "POST" and application.state != ApplicationState.DRAFT:
        return _not_a_draft(request, application)
    form = SubmitForm(_posted(request), application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(
                user=request.user,
                application=application,
                password=form.cleaned_data["password"],
            )
        except WrongPassword as exc:
            form.add_error("password", str(exc))
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
    application = _get_application(request, pk)
    if application.state == ApplicationState.DRAFT:
        return redirect("permits:application_check", application.pk)
    return render(request, "permits/applications/submitted.html", {"application": application})
