from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffGroup(models.TextChoices):
    """Django auth groups (created by a data migration) that give staff their permissions."""

    OFFICER = "officer", _("Police officer")
    CLERK = "clerk", _("Station clerk")
    SUPERVISOR = "supervisor", _("Supervisor")
