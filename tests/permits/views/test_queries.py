"""My applications and the application page cost a fixed number of queries, for 1 or 100
applications, timeline rows and uploaded versions (issue 18)."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.models import ApplicationTransition, Material, MaterialRequirement
from tests.factories import tiny_png
from tests.permits.factories import ApplicationFactory
from tests.permits.views.helpers import login, registered_person, url

pytestmark = pytest.mark.django_db

# session, user, page of applications (rows, the person joined, the count beside them), unread
# count
LIST_QUERIES = 4
# session, user, application, requirements (the requested items name them), materials (the
# re-uploaded codes too), timeline (the officer's note too), documents, unread count; the
# rating only once the case has ended (then no items are requested)
DETAIL_QUERIES = 8
FINISHED = ("withdrawn", "rejected", "collected")


def _applications(person, count):
    """``count`` finished applications (one person has one open application at most)."""
    registration = person.registrations.get()
    return [
        ApplicationFactory(
            person=person,
            registration=registration,
            filed_by=person.account,
            **{FINISHED[n % len(FINISHED)]: True},
        )
        for n in range(count)
    ]


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [1, 100])
def test_my_applications_is_bounded(client, django_assert_max_num_queries, count):
    person = registered_person(months=8)
    _applications(person, count)
    login(client, person)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(url("application_list"))
    assert response.status_code == 200
    assert response.content.decode().count("/applications/") >= min(count, 20)  # a page: 20


def test_my_applications_costs_the_same_for_1_or_100(client):
    few, many = registered_person(months=8), registered_person(months=8)
    _applications(few, 1)
    _applications(many, 100)
    login(client, few)
    one = _count(client, url("application_list"))
    client.logout()
    login(client, many)
    assert _count(client, url("application_list")) == one


def _application_with_history(rows: int):
    """``rows`` timeline entries and ``rows`` uploaded versions of the residence proof."""
    application = ApplicationFactory(supplement_requested=True)
    ApplicationTransition.objects.bulk_create(
        ApplicationTransition(
            application=application,
            transition="request_supplement",
            from_state="submitted",
            to_state="supplement_requested",
            items=[{"code": "residence_proof", "reason": "unclear", "note": f"#{n}"}],
        )
        for n in range(rows)
    )
    for code in ("id_card", "photo", "residence_proof"):
        requirement = MaterialRequirement.objects.get(service="new", basis="", code=code)
        versions = rows if code == "residence_proof" else 1
        for version in range(1, versions + 1):
            Material.objects.create(
                application=application,
                requirement=requirement,
                version=version,
                superseded=version < versions,
                file=ContentFile(tiny_png(), name="x.png"),
                uploaded_by=application.filed_by,
            )
    return application


@pytest.mark.parametrize("rows", [1, 100])
def test_application_page_is_bounded(client, django_assert_max_num_queries, rows):
    application = _application_with_history(rows)
    login(client, application.person)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(url("application_detail", application.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("#") >= rows
    assert html.count(f"/applications/{application.pk}/materials/") >= rows + 2  # every version


def test_application_page_costs_the_same_for_1_or_100_rows(client):
    small, large = _application_with_history(1), _application_with_history(100)
    login(client, small.person)
    one = _count(client, url("application_detail", small.pk))
    client.logout()
    login(client, large.person)
    assert _count(client, url("application_detail", large.pk)) == one


@pytest.mark.parametrize("name", ["application_check", "application_step_identity"])
def test_draft_pages_are_bounded(client, django_assert_max_num_queries, name):
    from tests.permits.helpers import draft_ready
    from tests.service_codes import Service

    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)
    login(client, person)
    with django_assert_max_num_queries(20):
        assert client.get(url(name, application.pk)).status_code == 200


@pytest.mark.parametrize("rows", [1, 100])
def test_an_ended_case_shows_its_rating_within_the_bound(
    client, django_assert_max_num_queries, rows
):
    """An ended case reads its rating (a case in progress has none to read)."""
    from permits.models import Rating

    application = ApplicationFactory(collected=True)
    ApplicationTransition.objects.bulk_create(
        ApplicationTransition(
            application=application, transition="note", from_state="", to_state="collected"
        )
        for _ in range(rows)
    )
    Rating.objects.create(application=application)
    login(client, application.person)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(url("application_detail", application.pk))
    assert response.status_code == 200
    assert 'id="rating"' in response.content.decode()
    assert url("application_rate", application.pk) in response.content.decode()
