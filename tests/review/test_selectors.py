"""The work queues' reads (``review.selectors``), moved here from ``permits.selectors.queues``."""

import datetime

import pytest
from django.utils import timezone

from review import selectors
from tests.factories import StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_station_queue_is_scoped_and_ordered_by_deadline():
    today = timezone.localdate()
    late = ApplicationFactory(accepted=True, deadline=today + datetime.timedelta(days=9))
    soon = ApplicationFactory(
        accepted=True,
        deadline=today + datetime.timedelta(days=2),
        registration__house__station=late.station,
    )
    elsewhere = ApplicationFactory(accepted=True)
    officer = StaffFactory(officer=True, station=late.station)
    assert list(selectors.station_queue(officer, "to_decide")) == [soon, late]
    supervisor = StaffFactory(supervisor=True)
    assert elsewhere in selectors.station_queue(supervisor, "to_decide")
    assert (
        not selectors.station_queue(
            StaffFactory(officer=True, station=StationFactory()), "to_decide"
        )
        .filter(pk=late.pk)
        .exists()
    )
    assert list(selectors.overdue_applications(officer, today=today + datetime.timedelta(10))) == [
        soon,
        late,
    ]
