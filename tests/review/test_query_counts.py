"""The review queue and every review changelist cost a fixed number of queries, whatever the
number of rows (5 or 100)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.constants import ApplicationState
from tests.factories import RegistrationFactory, StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("admin:index", {}),
    ("admin:index", {"q": "1", "due": "soon"}),
    ("admin:permits_permitapplication_changelist", {}),
    ("admin:permits_permitapplication_changelist", {"q": "HK", "desk": "to_decide"}),
    ("admin:permits_residencepermit_changelist", {}),
    ("admin:permits_residenceregistration_changelist", {}),
    ("admin:permits_applicationtransition_changelist", {}),
    ("admin:permits_permittransition_changelist", {}),
    ("admin:applicants_identity_changelist", {}),
    ("admin:permits_house_changelist", {}),
    ("admin:permits_station_changelist", {}),
]
# The landing queue adds a fixed four for its two other kinds (identities to verify and
# registrations to register: a count and one page each).
MAX_QUERIES = 18


def seed(station, n):
    for i in range(n):
        app = ApplicationFactory(accepted=True, registration__house__station=station)
        app.record_transition(name="accept", source="submitted", target="accepted")
        permit = PermitFactory(house__station=station)
        permit.record_transition(name="issue", source="", target="active")
        RegistrationFactory(house__station=station)
        if i % 3 == 0:
            ApplicationFactory(submitted=True, registration__house__station=station)


def count(client, name, params):
    client.get(reverse(name), params)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_queue_and_changelists_cost_the_same_for_5_and_100_rows(client, role):
    station = StationFactory()
    user = StaffFactory(**{role: True}, station=station)
    client.force_login(user)
    seed(station, 5)
    small = {page: count(client, *page) for page in [(n, tuple(p.items())) for n, p in PAGES]}
    seed(station, 95)
    assert (
        ApplicationFactory._meta.model.objects.filter(state=ApplicationState.ACCEPTED).count()
        == 100
    )
    for (name, params), queries in small.items():
        large = count(client, name, dict(params))
        assert large == queries, (name, params, queries, large)
        assert large <= MAX_QUERIES, (name, params, large)


def test_queue_rows_stand_out_when_overdue_or_nearly_due(client):
    import datetime

    from django.utils import timezone

    station = StationFactory()
    officer = StaffFactory(officer=True, station=station)
    today = timezone.localdate()
    late = ApplicationFactory(
        accepted=True,
        registration__house__station=station,
        deadline=today - datetime.timedelta(days=1),
    )
    soon = ApplicationFactory(
        accepted=True,
        registration__house__station=station,
        deadline=today + datetime.timedelta(days=2),
    )
    later = ApplicationFactory(
        accepted=True,
        registration__house__station=station,
        deadline=today + datetime.timedelta(days=10),
    )
    ApplicationFactory(accepted=True)  # another station
    client.force_login(officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert html.index(late.reference) < html.index(soon.reference) < html.index(later.reference)
    assert f'<tr class="overdue" data-reference="{late.reference}"' in html
    assert f'<tr class="due-soon" data-reference="{soon.reference}"' in html
    assert f'<tr class="" data-reference="{later.reference}"' in html
    assert html.count("data-reference=") == 3
    overdue = client.get(reverse("admin:index"), {"due": "overdue"}).content.decode()
    assert overdue.count("data-reference=") == 1
    by_digits = client.get(
        reverse("admin:index"), {"q": later.person.id_number[-4:]}
    ).content.decode()
    assert later.reference in by_digits
    by_name = client.get(reverse("admin:index"), {"q": soon.person.full_name}).content.decode()
    assert soon.reference in by_name


def test_landing_page_links_each_role_to_its_desk(client):
    station = StationFactory()
    submitted = ApplicationFactory(submitted=True, registration__house__station=station)
    approved = ApplicationFactory(approved=True, registration__house__station=station)
    client.force_login(StaffFactory(clerk=True, station=station))
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:review_handover") in html
    assert "desk=to_produce" in html
    assert reverse("admin:review_report") not in html
    assert approved.reference in html and submitted.reference not in html  # the clerk's states
    client.force_login(StaffFactory(officer=True, station=station))
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:review_handover") not in html
    assert submitted.reference in html and approved.reference not in html
    client.force_login(StaffFactory(supervisor=True))
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:review_report") in html
    assert submitted.reference in html and approved.reference in html
