"""The lessor's confirmation (issue 31): the tenant asks from the registration's page (or an
address change's lease step); the lessor opens the SMS link without signing in, proves the
phone with a code, sees the address and the masked tenant, and confirms or declines.

Thin: forms validate, ``permits.services.lessors`` acts. A forged link (or one for another
house, or superseded by a newer one) answers 404; an expired or used one 410."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import NotAllowed, ServiceError, WrongState, add_service_errors
from core.http import client_ip
from core.masking import mask_name

from ..forms.lessors import LessorCodeForm, LessorDecisionForm, LessorPhoneForm
from ..models import PermitApplication, ResidenceRegistration
from ..selectors.lessors import confirmation_from_token
from ..services import lessors as services

PROVEN_KEY = "lessor_phone_proven"  # {confirmation pk: the nonce of the link proven}


def _no_referrer(response):
    # the token must not leak to another site through the Referer header (as the rating link)
    response["Referrer-Policy"] = "same-origin"
    return response


def _spent(request, exc):
    response = render(request, "permits/lessors/link_spent.html", {"reason": str(exc)})
    response.status_code = 410
    return _no_referrer(response)


@never_cache
def lessor_confirm(request, token):
    try:
        confirmation = confirmation_from_token(token)
    except NotAllowed:
        raise Http404 from None
    except WrongState as exc:
        return _spent(request, exc)
    proven = request.session.get(PROVEN_KEY, {})
    is_proven = proven.get(str(confirmation.pk)) == confirmation.link_nonce
    code_form = LessorCodeForm()
    decision_form = LessorDecisionForm()
    code_sent = False
    refusal = ""
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "send_code":
            services.send_code(token=token, client_ip=client_ip(request))
            code_sent = True
        elif action == "prove":
            code_form = LessorCodeForm(request.POST)
            code_sent = True
            if code_form.is_valid():
                try:
                    services.prove_phone(
                        token=token,
                        code=code_form.cleaned_data["code"],
                        client_ip=client_ip(request),
                    )
                except ServiceError as exc:
                    add_service_errors(code_form, exc)
                else:
                    proven = {**proven, str(confirmation.pk): confirmation.link_nonce}
                    request.session[PROVEN_KEY] = proven
                    is_proven = True
        elif action in ("confirm", "decline") and is_proven:
            decision_form = LessorDecisionForm(request.POST)
            if decision_form.is_valid():
                try:
                    confirmation = services.decide(
                        token=token,
                        phone_proven_for=proven.get(str(confirmation.pk), ""),
                        confirm=action == "confirm",
                        lessor_name=decision_form.cleaned_data["lessor_name"],
                    )
                except ServiceError as exc:
                    add_service_errors(decision_form, exc)
                else:
                    return _no_referrer(
                        render(request, "permits/lessors/done.html", {"confirmation": confirmation})
                    )
    except WrongState as exc:
        return _spent(request, exc)
    except ServiceError as exc:  # a refused code request (too many, too soon)
        refusal = str(exc)
    context = {
        "refusal": refusal,
        "confirmation": confirmation,
        "tenant": mask_name(confirmation.registration.person.full_name),
        "is_proven": is_proven,
        "code_sent": code_sent,
        "code_form": code_form,
        "form": decision_form if is_proven else code_form,
        "decision_form": decision_form,
    }
    return _no_referrer(render(request, "permits/lessors/confirm.html", context))


def _ask(request, registration, back):
    form = LessorPhoneForm(request.POST)
    if form.is_valid():
        try:
            services.request_confirmation(
                user=request.user,
                registration=registration,
                lessor_phone=form.cleaned_data["lessor_phone"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The link was sent to your lessor by SMS. You see the answer on this page."),
            )
            return redirect(back)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(back)


@login_required
@require_POST
def registration_ask_lessor(request, pk: int):
    registration = get_object_or_404(
        ResidenceRegistration.objects.select_related("person", "house"),
        pk=pk,
        person__account=request.user,
    )
    return _ask(request, registration, reverse("permits:registration_detail", args=[pk]))


@login_required
@require_POST
def application_ask_lessor(request, pk: int, code: str):
    """From a draft's lease step (an address change, a new permit): the lessor of the house
    the draft is filed under."""
    application = get_object_or_404(
        PermitApplication.objects.select_related("registration__person", "registration__house"),
        pk=pk,
        filed_by=request.user,
    )
    if application.registration is None or code not in application.service_type.lessor_confirmable(
        application
    ):
        raise Http404
    back = reverse("permits:application_step_material", args=[pk, code])
    return _ask(request, application.registration, back)
