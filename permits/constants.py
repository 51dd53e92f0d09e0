from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """The condition a person meets (seed 003, Regulations Art. 2)."""

    EMPLOYMENT = "employment", _("Legally stable employment")
    RESIDENCE = "residence", _("Legally stable residence")
    STUDY = "study", _("Continuous study")


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled (moved away)")
