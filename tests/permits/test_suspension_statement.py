"""Issue 18: on PostgreSQL the daily suspension is ONE statement, ``WITH suspended AS (UPDATE …
RETURNING id) INSERT INTO <log> SELECT … FROM suspended``: the permits and their transition log
in one pass, as the bare SQL UPDATE the bench compares it with; elsewhere (SQLite) the UPDATE and
one ``INSERT … SELECT``. Every suspension is logged either way."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from permits.constants import PermitStatus
from permits.models import PermitTransition
from permits.services.permits import suspend_overdue_permits
from tests.factories import RegistrationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_the_suspension_and_its_log_are_one_statement_on_postgresql():
    today = timezone.localdate()
    issued = today - datetime.timedelta(days=400)
    overdue = [
        PermitFactory(issued_on=issued, valid_until=today - datetime.timedelta(days=d))
        for d in (1, 30)
    ]
    still_valid = PermitFactory(issued_on=issued, valid_until=today)
    renewing = PermitFactory(issued_on=issued, valid_until=today - datetime.timedelta(days=2))
    RegistrationFactory(person=renewing.holder, house=renewing.house, registered=True)
    ApplicationFactory(
        service=Service.RENEWAL,
        person=renewing.holder,
        registration=renewing.holder.registrations.get(),
        permit=renewing,
        accepted=True,
        submitted_at=timezone.now() - datetime.timedelta(days=5),  # filed on time
    )
    with CaptureQueriesContext(connection) as queries:
        assert suspend_overdue_permits(today=today) == 2
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["WITH"]  # the holders' page generations too (issue 29)
    else:
        # the UPDATE, its log, the holders' page generations, in one transaction
        assert [s for s in statements if s in {"UPDATE", "INSERT"}] == [
            "UPDATE",
            "INSERT",
            "UPDATE",
        ]

    for permit in overdue:
        permit.refresh_from_db()
        assert (permit.status, permit.suspended_on) == (PermitStatus.SUSPENDED, today)
        log = PermitTransition.objects.get(permit=permit)
        assert (log.transition, log.from_state, log.to_state, log.actor) == (
            "suspend",
            "active",
            "suspended",
            None,
        )
        assert log.created_at == permit.updated_at
    for permit in (still_valid, renewing):
        permit.refresh_from_db()
        assert permit.status == PermitStatus.ACTIVE
        assert not PermitTransition.objects.filter(permit=permit).exists()
    assert PermitTransition.objects.count() == 2
    with CaptureQueriesContext(connection):
        assert suspend_overdue_permits(today=today) == 0  # a second run finds nothing
    assert PermitTransition.objects.count() == 2
