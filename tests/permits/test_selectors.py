import datetime

import pytest
from django.utils import timezone

from permits.selectors import applications as application_reads
from permits.selectors import queues as selectors
from tests.factories import StaffFactory
from tests.permits.factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db


def test_applications_of_an_account_and_expiring_permits():
    app = ApplicationFactory()
    ApplicationFactory()
    assert list(application_reads.applications_of(app.filed_by)) == [app]
    permit = PermitFactory(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    PermitFactory()
    officer = StaffFactory(officer=True, station=permit.station)
    assert list(selectors.permits_expiring(officer)) == [permit]
