"""6. Pickup at the window or delivery by mail, once the certificate is produced."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError

from ...constants import (
    ApplicationState,
    DeliveryMethod,
)
from ...forms.applications import (
    DeliveryChoiceForm,
    MailForm,
    PickupPlaceField,
)
from ...selectors.appointments import station_takes_appointments
from ...services import applications as services
from .common import (
    add_service_error,
    get_application,
    posted,
)

# --- 6. pickup or mail -------------------------------------------------------------------------


def _can_choose_delivery(application) -> bool:
    return application.state == ApplicationState.PRODUCED and not application.delivery_method


@login_required
def delivery(request, pk):
    application = get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = DeliveryChoiceForm(posted(request), application=application)
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
    application = get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    form = DeliveryChoiceForm(
        posted(request),
        application=application,
        initial={"method": DeliveryMethod.WINDOW},
    )
    form.fields["method"].widget = form.fields["method"].hidden_widget()
    # issue 31: filed at an agency that hands over cards: collect there or at the station
    offer_agency_pickup = bool(application.agency_id and application.agency.hands_over_cards)
    if offer_agency_pickup:
        form.fields["at_agency"] = PickupPlaceField(application)
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_pickup(
                user=request.user,
                application=application,
                at_agency=form.cleaned_data.get("at_agency") == "agency",
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if station_takes_appointments(application.station):  # book a time at once
                # (the pickup code is shown on the application's page, not on the booking's)
                messages.success(request, _("Window pickup chosen. Now book a time."))
                return redirect("permits:application_appointment", application.pk)
            messages.success(
                request, _("Window pickup chosen. Show the pickup code at the station window.")
            )
            return redirect("permits:application_detail", application.pk)
    return render(
        request,
        "permits/applications/delivery_window.html",
        {"application": application, "form": form, "offer_agency_pickup": offer_agency_pickup},
    )


def _as_typed(phone: str) -> str:
    """+8613800138000 -> 13800138000: the form the page's hint shows."""
    return phone[3:] if phone and phone.startswith("+86") else phone or ""


@login_required
def delivery_mail(request, pk):
    application = get_application(request, pk)
    if not _can_choose_delivery(application) and request.method != "POST":
        return redirect("permits:application_detail", application.pk)
    initial = {
        "recipient_name": application.person.full_name,
        # the address of the registered residence, the phone as the hint writes it (11 digits)
        "address": application.registration.house.address if application.registration else "",
        "phone": _as_typed(request.user.phone),
    }
    form = MailForm(posted(request), application=application, initial=initial)
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
