"""1. Choose a service and for whom; 2. one page per step (each saves the draft)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from applicants.models import Identity
from applicants.selectors import dependents_of
from core.errors import ServiceError

from ... import service_types
from ...constants import ApplicationState
from ...forms.applications import (
    BasisForm,
    ConfirmIdentityForm,
    MaterialUploadForm,
    PhotoReceiptForm,
    StartForm,
)
from ...forms.lessors import LessorPhoneForm
from ...selectors.applicant import current_permit, current_registration, open_application
from ...selectors.lessors import latest_for
from ...selectors.materials import reuse_offer
from ...services import applications as services
from .common import (
    add_service_error,
    draft_step,
    get_application,
    posted,
)
from .steps import (
    asks_basis,
    mark_seen,
    next_url,
    step_context,
    steps_for,
)

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
    return service_types.get(service).default_basis(
        person=person,
        permit=current_permit(person),
        registration=current_registration(person),
    )


@login_required
def start(request):
    people = _people(request.user)
    initial = {}
    if service_types.is_registered(request.GET.get("service", "")):
        initial["service"] = request.GET["service"]
    form = StartForm(posted(request), people=people, initial=initial)
    reasons: list[str] = []
    in_progress = None
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        service = form.cleaned_data["service"]
        reasons = services.check_eligibility(user=request.user, person=person, service=service)
        in_progress = open_application(person)
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
            "services": service_types.all_services(),
        },
    )


@login_required
def resume(request, pk):
    """From the personal center or My applications: the first step still to do."""
    application = get_application(request, pk)
    if application.state != ApplicationState.DRAFT:
        return redirect("permits:application_detail", application.pk)
    for step in steps_for(request, application):
        if not step.done:
            return redirect(step.url)
    return redirect("permits:application_check", application.pk)


# --- 2. steps ----------------------------------------------------------------------------------


@login_required
@draft_step
def step_identity(request, application):
    form = ConfirmIdentityForm(posted(request))
    if request.method == "POST" and form.is_valid():
        mark_seen(request, application, "identity")
        return redirect(next_url(request, application, "identity"))
    return render(
        request,
        "permits/applications/step_identity.html",
        step_context(request, application, "identity", form=form),
    )


@login_required
@draft_step
def step_basis(request, application):
    if not asks_basis(application):
        raise Http404
    form = BasisForm(posted(request), initial={"basis": application.basis})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(
                user=request.user, application=application, basis=form.cleaned_data["basis"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, "basis")
        else:
            mark_seen(request, application, "basis")
            return redirect(next_url(request, application, "basis"))
    return render(
        request,
        "permits/applications/step_basis.html",
        step_context(request, application, "basis", form=form),
    )


@login_required
@draft_step
def step_details(request, application):
    service_type = application.service_type
    if not service_type.answers:
        raise Http404
    form_class = service_type.answers_form_class(application)
    fields = [f.name for f in service_type.answers]
    initial = {k: application.answers.get(k) for k in fields if application.answers.get(k)}
    form = form_class(posted(request), initial=initial)
    registration = current_registration(application.person)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        try:
            services.save_answers(user=request.user, application=application, answers=answers)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            mark_seen(request, application, "details")
            return redirect(next_url(request, application, "details"))
    return render(
        request,
        "permits/applications/step_details.html",
        step_context(
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
    key = f"material-{code}"
    offer = reuse_offer(application, code)
    if request.method == "POST" and request.POST.get("reuse") == "1" and offer is not None:
        # what the portal already holds stands in for an upload (issue 15, point 14)
        try:
            services.reuse_material(
                user=request.user, application=application, requirement_code=code
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            mark_seen(request, application, key)
            return redirect(next_url(request, application, key))
    receipt_form = None
    if application.service_type.is_certificate_photo(code):
        # the photo a certified studio holds, by its receipt number (issue 31, point 3)
        by_receipt = request.method == "POST" and "receipt_number" in request.POST
        receipt_form = PhotoReceiptForm(request.POST if by_receipt else None)
        if by_receipt and receipt_form.is_valid():
            try:
                uploaded = services.use_photo_receipt(
                    user=request.user,
                    application=application,
                    number=receipt_form.cleaned_data["receipt_number"],
                )
            except ServiceError as exc:
                add_service_error(receipt_form, exc, "receipt_number")
            else:
                mark_seen(request, application, key)
                if uploaded.photo_checked_ok is False:
                    return redirect(request.get_full_path())
                return redirect(next_url(request, application, key))
    upload_posted = request.method == "POST" and not (receipt_form and receipt_form.is_bound)
    form = MaterialUploadForm(
        posted(request) if upload_posted else None,
        request.FILES if upload_posted else None,
        requirement=requirement,
        has_current=current is not None,
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data.get("file")
        uploaded = None
        if file:
            try:
                uploaded = services.upload_material_pages(
                    user=request.user,
                    application=application,
                    requirement_code=code,
                    files=file if isinstance(file, list) else [file],
                )
            except ServiceError as exc:
                add_service_error(form, exc, "file")
        if not form.errors:
            mark_seen(request, application, key)
            if uploaded is not None and uploaded.photo_checked_ok is False:
                # the photo is kept, and the page says what to retake (issue 31, point 4)
                return redirect(request.get_full_path())
            return redirect(next_url(request, application, key))
    return render(
        request,
        "permits/applications/step_material.html",
        step_context(
            request,
            application,
            key,
            form=form,
            requirement=requirement,
            current=current,
            reuse_offer=offer,
            continue_url=next_url(request, application, key) if current else "",
            receipt_form=receipt_form,
            **_lessor_context(application, code, current),
        ),
    )


def _lessor_context(application, code, current) -> dict:
    """A lease the lessor may confirm instead (issue 31): the confirmation's state and the form
    naming the lessor's phone, on the steps the service declares (``lessor_confirmable``)."""
    if current is not None or application.registration is None:
        return {}
    if code not in application.service_type.lessor_confirmable(application):
        return {}
    return {
        "lessor_step": True,
        "lessor_confirmation": latest_for(application.registration),
        "lessor_form": LessorPhoneForm(),
        "lessor_action": reverse("permits:application_ask_lessor", args=[application.pk, code]),
        "may_ask_lessor": True,
    }
