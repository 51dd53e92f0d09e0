"""Window appointments (issue 17): a station's pickup windows (weekday, time range, capacity
per 30-minute slot), its one-off closures (the holiday calendar closes the rest), and the
bookings of window pickups. A slot's bookings are counted in ``AppointmentSlot`` (one row per
station, day and slot) whose conditional increment keeps the capacity under concurrency."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import page_cache

from .applications import PermitApplication
from .page_accounts import application_accounts
from .places import Station

SLOT_MINUTES = 30


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class PickupWindow(models.Model):
    """Opening hours of a station's pickup window on one weekday, cut into 30-minute slots of
    ``capacity`` bookings each."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="pickup_windows"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("bookings per 30-minute slot"), default=4)

    class Meta:
        verbose_name = _("pickup window")
        verbose_name_plural = _("pickup windows")
        ordering = ["station", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pickup_window_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="pickup_window_capacity"),
        ]

    def __str__(self) -> str:
        hours = f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
        return f"{self.station} {self.get_weekday_display()} {hours}"


class StationClosure(models.Model):
    """A one-off day the station's window is closed (public holidays close it anyway)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="closures"
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("window closure")
        verbose_name_plural = _("window closures")
        ordering = ["station", "day"]
        constraints = [
            models.UniqueConstraint(fields=["station", "day"], name="closure_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.day}"


class AppointmentSlot(models.Model):
    """How many bookings one slot holds; ``booked`` only moves by conditional UPDATEs."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    starts_at = models.TimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [
            models.UniqueConstraint(fields=["station", "day", "starts_at"], name="slot_once"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_never_over_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M} ({self.booked}/{self.capacity})"


@page_cache.watch
class Appointment(models.Model):
    """One booking of a window pickup. Moving or rebooking ends the current booking
    (``active`` false, ``ended_at`` set) and books another; at most one is active per case."""

    application = models.ForeignKey(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("time"))
    active = models.BooleanField(_("active"), default=True)
    booked_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("moved or cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pickup appointment")
        verbose_name_plural = _("pickup appointments")
        ordering = ["day", "starts_at", "pk"]
        indexes = [models.Index(fields=["station", "day", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(active=True), name="appointment_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.day} {self.starts_at:%H:%M}"

    def page_accounts(self):
        return application_accounts(self)
