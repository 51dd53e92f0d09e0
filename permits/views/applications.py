"""The applicant's web flow (issue 6; seed 002 steps ②-④): choose a service and for whom, one
step per page (each saves the draft), check your answers, submit with the login password, then
My applications with the timeline, requested material, withdrawal, and pickup or mail.

Views are thin: forms validate what was typed, every act is one call to
``permits.services.applications``. An applicant reaches only the applications they filed or
that are for a person they act for: anything else answers 404, files included.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from applicants.models import Identity
from applicants.services import dependents_of
from core.errors import ServiceError, WrongPassword
from core.qr import qr_png
from core.uploads import protected_file_response

from ..constants import (
    ApplicationState,
    ChangedField,
    DeliveryMethod,
    ReplacementReason,
    Service,
    SupplementReason,
)
from ..forms.applications import (
    BasisForm,
    ChangeDetailsForm,
    ConfirmIdentityForm,
    DeliveryChoiceForm,
    MailForm,
    MaterialUploadForm,
    ReplacementForm,
    ResubmitForm,
    StartForm,
    SubmitForm,
    SupplementForm,
    WithdrawForm,
)
from ..models import Material, PermitApplication
from ..selectors.applications import applications_of
from ..services import applications as services
from ..services import permits as permit_services

LIST_PAGE_SIZE = 20
SEEN_KEY = "permit_application_steps"


def _posted(request):
    """The form data when the page was posted (even empty: an unticked box is an answer)."""
    return request.POST if request.method == "POST" else None


# --- access ------------------------------------------------------------------------------------


def owned_applications(user):
    """The applications ``user`` may see: those the account filed, for itself or as the agent
    of a dependent (the services only let the account that filed a person's identity apply
    for that person). The selector every applicant screen shares."""
    return applications_of(user)


def _get_application(request, pk) -> PermitApplication:
    return get_object_or_404(owned_applications(request.user), pk=pk)


def draft_step(view):
    """A step of the draft: the view gets the user's own draft (404 for anyone else's); an
    application already sent goes to its page instead. One fetch for both."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        application = _get_application(request, pk)
        if application.state != ApplicationState.DRAFT:
            return _not_a_draft(request, application)
        return view(request, application, *args, **kwargs)

    return wrapper


def _not_a_draft(request, application) -> HttpResponse:
    messages.info(request, _("This application has been sent; it can no longer be edited here."))
    return redirect("permits:application_detail", application.pk)


def add_service_error(form, exc: ServiceError, field: str | None = None) -> None:
    """A service's refusal, on the page: every reason when it gives several."""
    if exc.reasons:
        for reason in exc.reasons:
            form.add_error(field, str(reason))
    else:
        form.add_error(field, str(exc))


# --- steps -------------------------------------------------------------------------------------


@dataclass
class Step:
    key: str
    title: str
    url: str
    done: bool  # answered in this visit, or its data is there (where the flow resumes)
    complete: bool = True  # its data is there (what the check page and the submit need)


def _seen(request, application) -> set[str]:
    return set(request.session.get(SEEN_KEY, {}).get(str(application.pk), []))


def _mark_seen(request, application, key: str) -> None:
    store = request.session.get(SEEN_KEY, {})
    keys = set(store.get(str(application.pk), []))
    keys.add(key)
    store[str(application.pk)] = sorted(keys)
    request.session[SEEN_KEY] = store


def _answers_complete(application) -> bool:
    answers = application.answers or {}
    if application.service == Service.CHANGE:
        return all(answers.get(k) for k in ("changed_field", "new_value", "changed_on"))
    if application.service == Service.REPLACEMENT:
        return bool(answers.get("reason"))
    return True


def asks_basis(application) -> bool:
    return application.service in (Service.NEW, Service.RENEWAL)


def asks_details(application) -> bool:
    return application.service in (Service.CHANGE, Service.REPLACEMENT)


def build_steps(request, application, requirements, current_codes) -> list[Step]:
    seen = _seen(request, application)
    # Uploads already made mean the person went past the confirmation steps in an earlier
    # visit: coming back (another day, another device) resumes at the first thing missing.
    earlier_visit = bool(current_codes)
    if earlier_visit:
        seen |= {"identity", "basis"}

    def url(name, *args):
        return reverse(f"permits:{name}", args=[application.pk, *args])

    steps = [
        Step(
            "identity",
            _("Confirm name and ID number"),
            url("application_step_identity"),
            "identity" in seen,
        )
    ]
    if asks_basis(application):
        steps.append(
            Step(
                "basis",
                _("The condition you meet"),
                url("application_step_basis"),
                "basis" in seen and bool(application.basis),
                complete=bool(application.basis),
            )
        )
    if asks_details(application):
        title = _("What changed") if application.service == Service.CHANGE else _("Lost or damaged")
        steps.append(
            Step(
                "details",
                title,
                url("application_step_details"),
                _answers_complete(application),
                complete=_answers_complete(application),
            )
        )
    for requirement in requirements:
        key = f"material-{requirement.code}"
        uploaded = requirement.code in current_codes
        done = uploaded or (not requirement.required and key in seen)
        steps.append(
            Step(
                key,
                requirement.name,
                url("application_step_material", requirement.code),
                done,
                complete=uploaded or not requirement.required,
            )
        )
    return steps


def _next_url(request, application, current_key: str) -> str:
    """After a step: back to the check page when the person came from it, else the next step."""
    if request.POST.get("return_to") == "check" or request.GET.get("return_to") == "check":
        return reverse("permits:application_check", args=[application.pk])
    application.refresh_from_db()
    steps = _steps_for(request, application)
    keys = [s.key for s in steps]
    index = keys.index(current_key) if current_key in keys else -1
    for step in steps[index + 1 :]:
        if not step.done:
            return step.url
    for step in steps:
        if not step.done:
            return step.url
    return reverse("permits:application_check", args=[application.pk])


def _steps_for(request, application) -> list[Step]:
    requirements = list(application.requirements())
    current = {m.requirement.code for m in application.current_materials()}
    return build_steps(request, application, requirements, current)


def _step_context(request, application, key: str, **extra) -> dict:
    steps = _steps_for(request, application)
    keys = [s.key for s in steps]
    index = keys.index(key) if key in keys else None
    asked = (request.GET.get("return_to"), request.POST.get("return_to"))
    return_to = "check" if "check" in asked else ""
    if return_to:
        back_url = reverse("permits:application_check", args=[application.pk])
    elif index:
        back_url = steps[index - 1].url
    else:
        back_url = reverse("permits:application_list")
    context = {
        "application": application,
        "steps": steps,
        "step_number": index + 1 if index is not None else None,
        "step_count": len(steps),
        "return_to": return_to,
        "back_url": back_url,
    }
    context.update(extra)
    return context


# --- 1. start ----------------------------------------------------------------------------------


def _people(user) -> list[Identity]:
    """Oneself (whatever the state: eligibility explains) and the verified dependents."""
    people = []
    own = user.own_identity
    if own is not None:
        people.append(own)
    people.extend(d for d in dependents_of(user) if d.is_verified)
    return people


def _default_basis(person, service) -> str:
    """A sensible first answer for the basis step, which the applicant confirms or changes."""
    if service == Service.NEW:
        registration = services.current_registration(person)
        return registration.basis if registration else ""
    if service == Service.RENEWAL:
        permit = permit_services.current_permit(person)
        return permit.basis if permit else ""
    return ""


@login_required
def start(request):
    people = _people(request.user)
    initial = {}
    if request.GET.get("service") in Service.values:
        initial["service"] = request.GET["service"]
    form = StartForm(_posted(request), people=people, initial=initial)
    reasons: list[str] = []
    in_progress = None
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        service = form.cleaned_data["service"]
        reasons = services.check_eligibility(user=request.user, person=person, service=service)
        in_progress = services.open_application(person)
        if not reasons:
            try:
                application = services.start_application(
                    user=request.user,
                    person=person,
                    service=service,
                    basis=_default_basis(person, service),
                )
            except ServiceError as exc:
                reasons = [str(r) for r in exc.reasons] or [str(exc)]
            else:
                return redirect("permits:application_resume", application.pk)
    return render(
        request,
        "permits/applications/start.html",
        {
            "form": form,
            "people": people,
            "reasons": reasons,
            "in_progress": in_progress,
            "has_identity": request.user.own_identity is not None,
        },
    )


@login_required
def resume(request, pk):
    """From the personal center or My applications: the first step still to do."""
    application = _get_application(request, pk)
    if application.state != ApplicationState.DRAFT:
        return redirect("permits:application_detail", application.pk)
    for step in _steps_for(request, application):
        if not step.done:
            return redirect(step.url)
    return redirect("permits:application_check", application.pk)


# --- 2. steps ----------------------------------------------------------------------------------


@login_required
@draft_step
def step_identity(request, application):
    form = ConfirmIdentityForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        _mark_seen(request, application, "identity")
        return redirect(_next_url(request, application, "identity"))
    return render(
        request,
        "permits/applications/step_identity.html",
        _step_context(request, application, "identity", form=form),
    )


@login_required
@draft_step
def step_basis(request, application):
    if not asks_basis(application):
        raise Http404
    form = BasisForm(_posted(request), initial={"basis": application.basis})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(
                user=request.user, application=application, basis=form.cleaned_data["basis"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, "basis")
        else:
            _mark_seen(request, application, "basis")
            return redirect(_next_url(request, application, "basis"))
    return render(
        request,
        "permits/applications/step_basis.html",
        _step_context(request, application, "basis", form=form),
    )


@login_required
@draft_step
def step_details(request, application):
    if application.service == Service.CHANGE:
        form_class = ChangeDetailsForm
        fields = ("changed_field", "new_value", "changed_on")
    elif application.service == Service.REPLACEMENT:
        form_class = ReplacementForm
        fields = ("reason",)
    else:
        raise Http404
    initial = {k: application.answers.get(k) for k in fields if application.answers.get(k)}
    form = form_class(_posted(request), initial=initial)
    registration = services.current_registration(application.person)
    if request.method == "POST" and form.is_valid():
        answers = form.answers() if hasattr(form, "answers") else dict(form.cleaned_data)
        try:
            services.save_answers(user=request.user, application=application, answers=answers)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            _mark_seen(request, application, "details")
            return redirect(_next_url(request, application, "details"))
    return render(
        request,
        "permits/applications/step_details.html",
        _step_context(
            request,
            application,
            "details",
            form=form,
            registration=registration,
            still_at_permit_address=bool(
                registration
                and application.permit
                and registration.house_id == application.permit.house_id
            ),
        ),
    )


@login_required
@draft_step
def step_material(request, application, code):
    requirement = application.requirements().filter(code=code).first()
    if requirement is None:
        raise Http404
    current = application.current_materials().filter(requirement=requirement).first()
    form = MaterialUploadForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        requirement=requirement,
        has_current=current is not None,
    )
    key = f"material-{code}"
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data.get("file")
        if file:
            try:
                services.upload_material(
                    user=request.user,
                    application=application,
                    requirement_code=code,
                    file=file,
                )
            except ServiceError as exc:
                add_service_error(form, exc, "file")
        if not form.errors:
            _mark_seen(request, application, key)
            return redirect(_next_url(request, application, key))
    return render(
        request,
        "permits/applications/step_material.html",
        _step_context(
            request,
            application,
            key,
            form=form,
            requirement=requirement,
            current=current,
        ),
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


# --- 5. my applications ------------------------------------------------------------------------


@login_required
def application_list(request):
    applications = owned_applications(request.user)
    page = Paginator(applications, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
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


def _detail_context(request, application, **forms) -> dict:
    requirements = list(application.requirements())
    by_code = {r.code: r for r in requirements}
    materials = list(
        application.materials.select_related("requirement").order_by(
            "requirement__order", "requirement__code", "-version"
        )
    )
    context = {
        "application": application,
        "timeline": services.timeline(application),
        "materials": materials,
        "supplement_items": [],
        "old_card_instruction": application.needs_old_card,
    }
    if application.state == ApplicationState.SUPPLEMENT_REQUESTED:
        reuploaded = application.reuploaded_codes_since(application.supplement_requested_at)
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
    return context


@login_required
def detail(request, pk):
    application = _get_application(request, pk)
    return render(
        request, "permits/applications/detail.html", _detail_context(request, application)
    )


@login_required
def supplement(request, pk):
    """Upload just the items the station asked for (seed 001, one-time notice)."""
    application = _get_application(request, pk)
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
                services.upload_material(
                    user=request.user,
                    application=application,
                    requirement_code=requirement.code,
                    file=file,
                )
            except ServiceError as exc:
                add_service_error(form, exc, f"file_{requirement.code}")
            else:
                done.append(requirement.name)
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
    application = _get_application(request, pk)
    if request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = ResubmitForm(request.POST, application=application)
    if form.is_valid():
        try:
            services.resubmit(
                user=request.user,
                application=application,
                password=form.cleaned_data["password"],
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
    application = _get_application(request, pk)
    form = WithdrawForm(_posted(request), application=application)
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


# --- 6. pickup or mail -------------------------------------------------------------------------


def _can_choose_delivery(application) -> bool:
    return application.state == ApplicationState.PRODUCED and not application.delivery_method


@login_required
def delivery(request, pk):
    application = _get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = DeliveryChoiceForm(_posted(request), application=application)
    if not application.station.offers_mail:
        form.fields["method"].choices = [(DeliveryMethod.WINDOW, DeliveryMethod.WINDOW.label)]
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["method"] == DeliveryMethod.WINDOW:
            return redirect("permits:application_delivery_window", application.pk)
        return redirect("permits:application_delivery_mail", application.pk)
    return render(
        request,
        "permits/applications/delivery.html",
        {"application": application, "form": form},
    )


@login_required
def delivery_window(request, pk):
    application = _get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = DeliveryChoiceForm(
        _posted(request),
        application=application,
        initial={"method": DeliveryMethod.WINDOW},
    )
    form.fields["method"].widget = form.fields["method"].hidden_widget()
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_pickup(user=request.user, application=application)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Window pickup chosen. Show the pickup code at the station window.")
            )
            return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/delivery_window.html",
        {"application": application, "form": form},
    )


@login_required
def delivery_mail(request, pk):
    application = _get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    initial = {"recipient_name": application.person.full_name, "phone": request.user.phone}
    form = MailForm(_posted(request), application=application, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.choose_mail(
                user=request.user,
                application=application,
                recipient_name=data["recipient_name"],
                address=data["address"],
                phone=data["phone"],
            )
        except ServiceError as exc:
            add_service_error(form, exc, "phone" if exc.code == "invalid_phone" else None)
        else:
            messages.success(request, _("Mail chosen. Read what happens next below."))
            return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/delivery_mail.html",
        {"application": application, "form": form},
    )


@login_required
def pickup_qr(request, pk):
    """The pickup code as a QR image, for the owner only, once window pickup was chosen."""
    application = _get_application(request, pk)
    if application.state != ApplicationState.AWAITING_PICKUP or not application.pickup_code:
        raise Http404
    response = HttpResponse(qr_png(application.pickup_code), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 7. files ----------------------------------------------------------------------------------


@login_required
def material_file(request, pk, material_pk):
    application = _get_application(request, pk)
    material = get_object_or_404(
        Material.objects.select_related("requirement"), pk=material_pk, application=application
    )
    return protected_file_response(
        material.file, download_name=f"{material.requirement.code}-v{material.version}"
    )
