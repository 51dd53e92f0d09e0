"""Where things happen: police stations, their staff and the houses (门牌) they cover."""

import uuid

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import page_cache


def _case_accounts(*, applications=None, registrations=None, permits=None) -> list:
    """The accounts of the cases at a place, as subqueries (one UPDATE bumps them all), as each
    model declares them (``page_accounts_of``): who filed each application and the person's
    own, the registered person's, the holder's."""
    accounts = []
    for rows in (applications, registrations, permits):
        if rows is not None:
            accounts += rows.model.page_accounts_of(rows)
    return accounts


@page_cache.watch(edits_only=True)
class Station(models.Model):
    """A police station (派出所): it reviews the registrations and applications of its houses."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    short_code = models.CharField(
        _("short code on papers"),
        max_length=8,
        blank=True,
        help_text=_(
            "The station's own short code printed in the numbers of its papers, e.g. 0105; "
            "empty: its number in the portal, four digits."
        ),
    )
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    window_hours = models.CharField(
        _("window hours"), max_length=200, help_text=_("e.g. Mon-Fri 9:00-12:00, 14:00-17:30")
    )
    offers_mail = models.BooleanField(_("offers mail delivery"), default=True)

    class Meta:
        verbose_name = _("police station (派出所)")
        verbose_name_plural = _("police stations (派出所)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def page_accounts(self):
        """Everyone with a case here: its name is on their pages (core.page_cache)."""
        return _case_accounts(
            applications=self.applications.all(),
            registrations=self.registrations.all(),
            permits=self.permits.all(),
        )

    @property
    def paper_code(self) -> str:
        """What the numbers of the station's papers start with (never a pinyin slug)."""
        return self.short_code or f"{self.pk:04d}"


@page_cache.watch(edits_only=True)
class Agency(models.Model):
    """A community service agency the public security organ entrusted (seed 004 quoting Art. 9
    of the Provisional Regulations; seed 003): it receives and accepts applications for its
    station; approval, production and the permit stay with the station's officers."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    window_hours = models.CharField(_("window hours"), max_length=200, blank=True)
    accepts_applications = models.BooleanField(
        _("the station lets it receive applications"),
        default=True,
        help_text=_("Applicants may choose to apply here."),
    )
    hands_over_cards = models.BooleanField(
        _("the station lets it hand over cards"),
        default=False,
        help_text=_("Applicants who applied here may collect the card here."),
    )

    class Meta:
        verbose_name = _("community service agency")
        verbose_name_plural = _("community service agencies")
        ordering = ["station__name", "name"]

    def __str__(self) -> str:
        return self.name

    def page_accounts(self):
        """Everyone who filed here: its name is on their cases' pages (core.page_cache)."""
        return _case_accounts(applications=self.applications.all())


class StaffAssignment(models.Model):
    """A staff account's station. Officers and clerks have one; supervisors need none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        related_name="staff_assignment",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("community service agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Agency staff: only this agency's applications (the agency's station)."),
    )

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency or self.station}"

    def save(self, *args, **kwargs):
        if self.agency_id is not None:
            self.station_id = self.agency.station_id  # an agency works for its own station
        super().save(*args, **kwargs)


def new_house_code() -> str:
    return uuid.uuid4().hex[:12].upper()


@page_cache.watch(edits_only=True)
class House(models.Model):
    """An address in the city with its house code (门牌码, seed 004) and its station."""

    code = models.CharField(
        _("house code"), max_length=32, unique=True, default=new_house_code, editable=True
    )
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=60, blank=True)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="houses"
    )

    class Meta:
        verbose_name = _("house (门牌)")
        verbose_name_plural = _("houses (门牌)")
        ordering = ["address"]

    def __str__(self) -> str:
        return f"{self.address} [{self.code}]"

    def page_accounts(self):
        """Everyone registered here: its address is on their pages (core.page_cache)."""
        applications = apps.get_model("permits", "PermitApplication").objects
        return _case_accounts(
            applications=applications.filter(registration__house=self),
            registrations=self.registrations.all(),
            permits=self.permits.all(),
        )
