"""Booking a window pickup time (issue 17): the applicant who chose window pickup books, moves
or cancels a 30-minute slot; a missed slot can be rebooked. Thin: ``services.appointments``."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.errors import ServiceError, add_service_errors

from ..constants import ApplicationState
from ..selectors import appointments as selectors
from ..services import appointments as services
from .applications import owned_applications

# The same words as the service's refusal (``services.appointments.book``): a slot that filled
# between the page being drawn and the choice being sent is "just filled", never "not a valid
# choice" (issue 30).
JUST_FILLED = gettext_lazy("This time has just been fully booked. Choose another time.")
NEXT_FREE_SHOWN = 3


class SlotField(forms.ChoiceField):
    """A choice of the free slots; a slot offered but full now is refused as just filled."""

    full: frozenset[str] = frozenset()

    def validate(self, value):
        if value in self.full:
            raise ValidationError(JUST_FILLED, code="slot_full")
        super().validate(value)


class SlotForm(forms.Form):
    slot = SlotField(
        label=gettext_lazy("Choose a day and time"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a day and time.")},
    )

    def __init__(self, *args, days=(), one_day=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices, full = [], set()
        for offered in days:
            label_day = formats.date_format(offered["day"], "Y-m-d l")
            for slot in offered["slots"]:
                value = f"{offered['day']:%Y-%m-%d}T{slot['starts_at']:%H:%M}"
                if slot["left"] <= 0:
                    full.add(value)
                    continue
                if one_day:  # the day is chosen already: the time only
                    label = _("%(time)s · %(left)s left") % {
                        "time": slot["starts_at"].strftime("%H:%M"),
                        "left": slot["left"],
                    }
                else:
                    label = _("%(day)s %(time)s (%(left)s left)") % {
                        "day": label_day,
                        "time": slot["starts_at"].strftime("%H:%M"),
                        "left": slot["left"],
                    }
                choices.append((value, label))
        self.fields["slot"].choices = choices
        self.fields["slot"].full = frozenset(full)

    def just_filled(self) -> bool:
        return any(error.code == "slot_full" for error in self.errors.as_data().get("slot", ()))

    def next_free(self) -> list[str]:
        """The labels of the first free slots, offered with the "just filled" refusal."""
        return [label for _value, label in self.fields["slot"].choices[:NEXT_FREE_SHOWN]]

    def chosen(self) -> tuple[datetime.date, datetime.time]:
        moment = datetime.datetime.strptime(self.cleaned_data["slot"], "%Y-%m-%dT%H:%M")
        return moment.date(), moment.time()


@login_required
def appointment(request, pk):
    application = get_object_or_404(owned_applications(request.user), pk=pk, filed_by=request.user)
    if application.state != ApplicationState.AWAITING_PICKUP:
        return redirect("permits:application_detail", application.pk)
    today = clock.today()
    current = selectors.current_appointment(application)
    days = selectors.open_days(application.station, today=today)
    # A day, then a time (issue 27, point 3): the days as a short list, the chosen day's times.
    day_options = [
        {
            "day": offered["day"],
            "value": f"{offered['day']:%Y-%m-%d}",
            "free": sum(max(slot["left"], 0) for slot in offered["slots"]),
        }
        for offered in days
    ]
    day_options = [option for option in day_options if option["free"]]
    chosen_day = next(
        (option for option in day_options if option["value"] == request.GET.get("day")), None
    )
    if request.method == "POST":
        form = SlotForm(request.POST, days=days)
    else:
        form = SlotForm(
            days=[d for d in days if chosen_day and d["day"] == chosen_day["day"]], one_day=True
        )
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.cancel(user=request.user, application=application)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your booking is cancelled."))
        return redirect("permits:application_appointment", application.pk)
    if request.method == "POST" and form.is_valid():
        day, starts_at = form.chosen()
        try:
            booked = services.book(
                user=request.user, application=application, day=day, starts_at=starts_at
            )
        except ServiceError as exc:
            if exc.code == "slot_full":  # lost the race: offer what is free now
                form = SlotForm(
                    request.POST, days=selectors.open_days(application.station, today=today)
                )
                form.is_valid()
                if not form.just_filled():
                    form.add_error("slot", ValidationError(JUST_FILLED, code="slot_full"))
            else:
                add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Booked: %(day)s at %(time)s.")
                % {"day": booked.day.isoformat(), "time": booked.starts_at.strftime("%H:%M")},
            )
            # back on the booked day: its other times are one tap away to move it
            return redirect(
                reverse("permits:application_appointment", args=[application.pk])
                + f"?day={booked.day:%Y-%m-%d}"
            )
    context = {
        "application": application,
        "current": current,
        "missed": current is not None and current.day < today,
        "form": form,
        "next_free": form.next_free() if form.is_bound and form.just_filled() else [],
        "day_options": day_options,
        "chosen_day": chosen_day,
        "has_windows": bool(days) or selectors.station_takes_appointments(application.station),
    }
    return render(request, "permits/appointments/book.html", context)
