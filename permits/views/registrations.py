"""Residence registration pages (居住登记): register at a house code, see one's registrations,
cancel on moving away, and the proof file (owner or the station's staff only).

Thin: forms validate, ``permits.services.registrations`` acts. Another person's registration
answers 404, its proof included.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock, pending_uploads
from core.errors import ServiceError, add_service_errors
from core.uploads import protected_file_response
from permits.scoping import is_supervisor, station_id_of

from ..constants import HELD_PERMIT_STATUSES, RegistrationState
from ..forms.lessors import LessorPhoneForm
from ..forms.registrations import CancelRegistrationForm, RegistrationForm
from ..models import House, ResidencePermit, ResidenceRegistration
from ..selectors import lessors as lessor_selectors
from ..selectors import registrations as selectors
from ..services import registrations as services


def _own_registration(request, pk) -> ResidenceRegistration:
    return get_object_or_404(
        ResidenceRegistration.objects.select_related("person", "house", "station"),
        pk=pk,
        person__account=request.user,
    )


def _mark_permit_holders(registrations) -> None:
    """``holds_permit`` on each registration whose person already holds a permit: the next step
    is then not "apply for one" (one query for all)."""
    holders = set(
        ResidencePermit.objects.filter(
            holder_id__in={r.person_id for r in registrations}, status__in=HELD_PERMIT_STATUSES
        ).values_list("holder_id", flat=True)
    )
    for registration in registrations:
        registration.holds_permit = registration.person_id in holders


@login_required
def registration_list(request):
    registrations = list(selectors.registrations_of(request.user))
    _mark_permit_holders(registrations)
    return render(request, "permits/registrations/list.html", {"registrations": registrations})


REGISTRATION_FORM = "registration"


@login_required
def registration_new(request):
    account = request.user
    if request.method == "POST":
        files = pending_uploads.restore(request, REGISTRATION_FORM, request.FILES)
        form = RegistrationForm(request.POST, files, account=account)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.submit_registration(
                    account=account,
                    person=data["person"],
                    house_code=data["house_code"],
                    since=data["since"],
                    basis=data["basis"],
                    proof=data["proof"],
                    lessor_phone=data["lessor_phone"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                pending_uploads.clear(request, REGISTRATION_FORM)
                messages.success(
                    request,
                    _("Submitted to %(station)s. You get an SMS when it is reviewed.")
                    % {"station": registration.station.name},
                )
                return redirect("permits:registration_detail", pk=registration.pk)
        # the proof already chosen stays chosen (issue 15, point 9)
        pending_uploads.mark_kept(
            form, pending_uploads.keep(request, REGISTRATION_FORM, form, ["proof"])
        )
    else:
        # A scanned QR code opens this page with ?house=CODE: the code is filled in.
        form = RegistrationForm(
            account=account, initial={"house_code": request.GET.get("house", "")[:64]}
        )
        pending_uploads.mark_kept(form, pending_uploads.kept(request, REGISTRATION_FORM))
    house = form.house if form.is_bound else None
    if not form.is_bound and form.initial.get("house_code"):
        code = selectors.normalize_house_code(form.initial["house_code"])
        house = House.objects.select_related("station").filter(code=code).first()
    no_person = not form.fields["person"].queryset.exists()
    return render(
        request,
        "permits/registrations/new.html",
        {"form": form, "house": house, "no_verified_identity": no_person},
    )


@login_required
def registration_detail(request, pk: int):
    registration = _own_registration(request, pk)
    facts = None
    if registration.state == RegistrationState.REGISTERED:
        facts = selectors.residence_facts(registration.person)
    registration.facts = facts
    _mark_permit_holders([registration])
    return render(
        request,
        "permits/registrations/detail.html",
        {
            "registration": registration,
            "facts": facts,
            "cancel_form": CancelRegistrationForm(initial={"moved_on": clock.today()}),
            # Moving away with a permit: the cancellation service instead (seed 001 proc. 3).
            "offer_cancellation": registration.state == RegistrationState.REGISTERED
            and selectors.holds_permit(registration.person),
            "history": registration.transitions.order_by("created_at", "pk")[:50],
            # the lessor's confirmation of a rented house (issue 31)
            "lessor_confirmation": lessor_selectors.latest_for(registration),
            "lessor_form": LessorPhoneForm(),
            "lessor_action": reverse("permits:registration_ask_lessor", args=[registration.pk]),
            "may_ask_lessor": registration.state
            in (RegistrationState.SUBMITTED, RegistrationState.REGISTERED),
        },
    )


@login_required
@require_POST
def registration_cancel(request, pk: int):
    registration = _own_registration(request, pk)
    form = CancelRegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_registration(
                registration=registration, by=request.user, moved_on=form.cleaned_data["moved_on"]
            )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The registration is cancelled."))
    else:
        messages.error(request, _("Enter the date you moved away."))
    return redirect("permits:registration_detail", pk=registration.pk)


def can_view_registration_files(user, registration) -> bool:
    """The account that filed it, or staff of the registration's station (supervisors: all)."""

    if not (user.is_authenticated and user.is_active):
        return False
    if registration.person.account_id == user.pk:
        return True
    if not (user.is_staff and user.has_perm("permits.view_residenceregistration")):
        return False
    return is_supervisor(user) or station_id_of(user) == registration.station_id


@login_required
def registration_proof(request, pk: int):
    registration = get_object_or_404(ResidenceRegistration.objects.select_related("person"), pk=pk)
    if not can_view_registration_files(request.user, registration):
        raise Http404
    return protected_file_response(registration.proof, download_name="proof")
