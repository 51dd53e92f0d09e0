"""5. After submission: My applications, the page of one application with its timeline, the
requested material, resubmission and withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.display import ChoiceLabels
from core.errors import ServiceError, WrongPassword
from core.page_cache import person_page
from core.paging import counted_page

from ... import rules
from ...constants import (
    ApplicationState,
    SupplementReason,
)
from ...forms.applications import (
    ResubmitForm,
    SupplementForm,
    WithdrawForm,
)
from ...models import PermitApplication
from ...selectors.applications import application_rows, displayed_rows
from ...selectors.appointments import current_appointment
from ...selectors.ratings import case_rating
from ...selectors.timeline import timeline, transitions_of
from ...services import applications as services
from .common import (
    LIST_PAGE_SIZE,
    add_service_error,
    get_application,
    owned_applications,
    posted,
)

# --- 5. my applications ------------------------------------------------------------------------


@login_required
@person_page  # cached under the account's page generation (core.page_cache)
def application_list(request):
    # as rows: labels and links worked out once per page, not per row (issue 18)
    rows = application_rows(owned_applications(request.user))
    page, _totals = counted_page(rows, request.GET.get("page"), LIST_PAGE_SIZE)  # one query
    page.object_list = displayed_rows(page.object_list)
    return render(request, "permits/applications/list.html", {"page": page})


def _supplement_items(application, requirements_by_code, reuploaded) -> list[dict]:
    items = []
    for item in application.flagged_items or []:
        code = item.get("code", "")
        requirement = requirements_by_code.get(code)
        reason = item.get("reason", "")
        items.append(
            {
                "code": code,
                "name": requirement.name if requirement else code,
                "description": requirement.description if requirement else "",
                "reason": SupplementReason(reason).label
                if reason in SupplementReason.values
                else reason,
                "note": item.get("note", ""),
                "uploadable": requirement is not None,
                "reuploaded": code in reuploaded,
            }
        )
    return items


def _remedies(application) -> dict:
    """What a refused person may do and by when (the refusal notice's route, issue 27)."""
    remedies = rules.refusal_remedies(timezone.localdate(application.decided_at or timezone.now()))
    return {
        # the station decides and signs the refusal notice (issue 25, point 4): the page says so
        "authority": application.station.name,
        "reconsideration_days": remedies.reconsideration_days,
        "reconsider_by": remedies.reconsider_by,
        "lawsuit_months": remedies.lawsuit_months,
        "sue_by": remedies.sue_by,
        "reconsideration_basis": remedies.reconsideration_basis,
        "lawsuit_basis": remedies.lawsuit_basis,
    }


def _detail_context(request, application, **forms) -> dict:
    supplement_requested = application.state == ApplicationState.SUPPLEMENT_REQUESTED
    # read only when the page needs them: the requested items or the timeline's (issue 18)
    requirements = list(application.requirements()) if supplement_requested else None
    transitions = transitions_of(application)
    materials = list(
        application.materials.select_related("requirement").order_by(
            "requirement__order", "requirement__code", "-version"
        )
    )
    context = {
        "application": application,
        # get_service_display() and get_state_display(), each label translated once
        "service_label": ChoiceLabels(PermitApplication, "service")(application.service),
        "state_label": ChoiceLabels(PermitApplication, "state")(application.state),
        "timeline": timeline(application, requirements=requirements, transitions=transitions),
        "materials": materials,
        "supplement_items": [],
        "old_card_instruction": application.needs_old_card,
        "documents": list(application.documents.order_by("issued_at", "pk")),
        **case_rating(request.user, application),
        "pickup_appointment": current_appointment(application)
        if application.state == ApplicationState.AWAITING_PICKUP
        else None,
    }
    if application.state == ApplicationState.REJECTED:
        context["remedies"] = _remedies(application)
    if application.is_late:  # the reporting period of a change (seed 002), as the rules say
        context["change_due_days"] = rules.CHANGE_DUE_DAYS
    if supplement_requested:
        by_code = {r.code: r for r in requirements}
        # application.reuploaded_codes_since(), from the materials read above
        since = application.supplement_requested_at
        reuploaded = (
            {m.requirement.code for m in materials if m.uploaded_at > since} if since else set()
        )
        items = _supplement_items(application, by_code, reuploaded)
        context["supplement_items"] = items
        flagged = [by_code[i["code"]] for i in items if i["uploadable"]]
        context["supplement_form"] = forms.get("supplement_form") or SupplementForm(
            application=application, requirements=flagged
        )
        context["resubmit_form"] = forms.get("resubmit_form") or ResubmitForm(
            application=application
        )
        context["all_reuploaded"] = all(i["reuploaded"] for i in items if i["uploadable"])
        # the officer's message of the notice, beside its items (not only in My Affairs)
        requests = [t for t in transitions if t.to_state == ApplicationState.SUPPLEMENT_REQUESTED]
        context["officer_note"] = max(requests, key=lambda t: t.pk).note if requests else None
    return context


@login_required
@person_page
def detail(request, pk):
    application = get_application(request, pk)
    return render(
        request, "permits/applications/detail.html", _detail_context(request, application)
    )


@login_required
def supplement(request, pk):
    """Upload just the items the station asked for (seed 001, one-time notice)."""
    application = get_application(request, pk)
    if request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    if application.state != ApplicationState.SUPPLEMENT_REQUESTED:
        messages.error(request, _("No material is requested for this application now."))
        return redirect("permits:application_detail", application.pk)
    by_code = {r.code: r for r in application.requirements()}
    flagged = [by_code[c] for c in application.flagged_codes() if c in by_code]
    form = SupplementForm(
        request.POST, request.FILES, application=application, requirements=flagged
    )
    if form.is_valid():
        done = []
        for requirement, file in form.uploads():
            try:
                uploaded = services.upload_material(
                    user=request.user,
                    application=application,
                    requirement_code=requirement.code,
                    file=file,
                )
            except ServiceError as exc:
                add_service_error(form, exc, f"file_{requirement.code}")
            else:
                done.append(requirement.name)
                for problem in uploaded.photo_problems:  # the photo check (issue 31)
                    messages.warning(request, problem)
        if not form.errors:
            messages.success(
                request,
                _("Uploaded: %(items)s. Send it to the station when everything is there.")
                % {"items": ", ".join(done)},
            )
            return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/detail.html",
        _detail_context(request, application, supplement_form=form),
        status=200,
    )


@login_required
def resubmit(request, pk):
    application = get_application(request, pk)
    if request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = ResubmitForm(request.POST, application=application)
    if form.is_valid():
        try:
            services.resubmit(
                user=request.user,
                application=application,
                password=form.cleaned_data["password"],
                request=request,
            )
        except WrongPassword as exc:
            form.add_error("password", str(exc))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Sent. The station checks the new material; you get an SMS.")
            )
            return redirect("permits:application_detail", application.pk)
    if application.state != ApplicationState.SUPPLEMENT_REQUESTED:
        # Stale page or double click: say why on the application page; nothing was changed.
        errors = form.non_field_errors()
        messages.error(
            request,
            errors[0] if errors else _("No material is requested for this application now."),
        )
        return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/detail.html",
        _detail_context(request, application, resubmit_form=form),
    )


@login_required
def withdraw(request, pk):
    application = get_application(request, pk)
    form = WithdrawForm(posted(request), application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(user=request.user, application=application)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The application is withdrawn."))
            return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/withdraw.html",
        {"application": application, "form": form},
    )
