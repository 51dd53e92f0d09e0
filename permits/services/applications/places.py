"""Where the applicant hands the case in (issue 31; seed 004 quoting Art. 9): the station, or a
community service agency of that station which the station lets receive applications. The
agency's staff then receive, check, send the one-time notice and accept; the station's officers
decide, produce and issue as for any case."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import page_cache
from core.errors import InvalidInput, WrongState
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.selectors.places import agencies_for

from .common import require_filer

NOT_HERE = _("This place does not receive applications for your station: choose another.")


def check_place(application: PermitApplication, agency_id) -> None:
    """Refuse an agency that is not one of the application's station's (InvalidInput)."""
    if agency_id is None:
        return
    if agency_id not in {a.pk for a in agencies_for(application.station_id)}:
        raise InvalidInput(code="place_not_allowed", fields={"agency": NOT_HERE})


def choose_place(*, user, application: PermitApplication, agency_id: int | None):
    """The draft's place of application: ``None`` for the station, or one of its agencies."""
    require_filer(user, application)
    if application.state != ApplicationState.DRAFT:
        raise WrongState(params={"state": application.get_state_display()})
    check_place(application, agency_id)
    with transaction.atomic():
        PermitApplication.objects.filter(pk=application.pk, state=ApplicationState.DRAFT).update(
            agency_id=agency_id
        )
        page_cache.bump_for(application)  # an UPDATE sends no post_save: the draft shows it
    application.agency_id = agency_id
    return application
