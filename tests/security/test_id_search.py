"""Issue 11, point 5: a full ID number never reaches a URL (and so the access log) when staff
search the admin by it. The search box POSTs; the changelist gets a session token, never the
number; a ``?q=<ID number>`` link is not searched. Names and references still work by GET."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from permits.admin.id_search import IdNumberSearchMixin
from tests.factories import HouseFactory, StaffFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import registered_person, submitted
from tests.review.helpers import change_url, station_with_application

pytestmark = pytest.mark.django_db

APPLICATIONS = "admin:permits_permitapplication_changelist"
APPLICATION_SEARCH = "admin:permits_permitapplication_search"
PERMITS = "admin:permits_residencepermit_changelist"
PERMIT_SEARCH = "admin:permits_residencepermit_search"
URL_IN_PAGE = re.compile(r'(?:href|src|action)="([^"]*)"')


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def desk():
    """An officer's station with two applications (two people) and a permit."""
    station, app, staff = station_with_application()
    house = app.registration.house
    other = submitted(registered_person(months=12, house=house, full_name="欧阳娜娜"), "new")
    permit = PermitFactory(house=HouseFactory(station=station))
    return {"officer": staff["officer"], "app": app, "other": other, "permit": permit}


def urls_in(response) -> list[str]:
    return URL_IN_PAGE.findall(response.content.decode())


def permit_url(permit):
    return reverse("admin:permits_residencepermit_change", args=[permit.pk])


def test_posting_a_full_id_number_finds_the_application_without_a_url_carrying_it(client, desk):
    app, other = desk["app"], desk["other"]
    id_number = app.person.id_number
    client.force_login(desk["officer"])

    response = client.post(reverse(APPLICATION_SEARCH), {"q": id_number, "desk": "to_accept"})

    assert response.status_code == 302
    location = response["Location"]
    assert id_number not in location
    assert location.startswith(reverse(APPLICATIONS) + "?")
    assert "q_token=" in location and "desk=to_accept" in location
    page = client.get(location)
    assert page.status_code == 200
    assert change_url(app).encode() in page.content
    assert change_url(other).encode() not in page.content
    # Not in any link, form action or the search box: shown masked only.
    assert id_number not in page.content.decode()
    assert app.person.masked_id_number in page.content.decode()
    links = urls_in(page)
    assert links and not [url for url in links if id_number in url]
    # Sorting and filter links keep the search by its token.
    assert any("q_token=" in url for url in links)


def test_posting_a_full_id_number_finds_the_permit(client, desk):
    permit = desk["permit"]
    id_number = permit.holder.id_number
    client.force_login(desk["officer"])

    response = client.post(reverse(PERMIT_SEARCH), {"q": id_number})

    assert response.status_code == 302
    assert id_number not in response["Location"]
    page = client.get(response["Location"])
    assert permit_url(permit).encode() in page.content
    assert id_number not in page.content.decode()


@pytest.mark.parametrize("changelist", [APPLICATIONS, PERMITS])
def test_a_full_id_number_in_the_url_is_not_searched(client, desk, changelist):
    holder = desk["permit"].holder if changelist == PERMITS else desk["app"].person
    id_number = holder.id_number
    client.force_login(desk["officer"])

    response = client.get(reverse(changelist), {"q": id_number, "o": "1"})

    assert response.status_code == 302
    assert id_number not in response["Location"]
    assert "q=" not in response["Location"] and "o=1" in response["Location"]
    assert id_number not in response.content.decode()
    page = client.get(response["Location"])
    assert id_number not in page.content.decode()
    assert "Search by ID number with the search box" in page.content.decode()
    # A longer piece of the number than the masked one shows is refused too.
    response = client.get(reverse(changelist), {"q": id_number[-8:]})
    assert response.status_code == 302 and id_number[-8:] not in response["Location"]
    response = client.get(reverse(changelist), {"q": f"ID {id_number}"})
    assert response.status_code == 302


def test_a_search_token_works_only_in_the_session_that_made_it(client, desk):
    app = desk["app"]
    client.force_login(desk["officer"])
    location = client.post(reverse(APPLICATION_SEARCH), {"q": app.person.id_number})["Location"]

    colleague = Client(HTTP_ACCEPT_LANGUAGE="en")
    colleague.force_login(StaffFactory(officer=True, station=app.station))
    response = colleague.get(location)

    assert response.status_code == 302
    assert "q_token" not in response["Location"]
    page = colleague.get(response["Location"])
    assert "This search has expired" in page.content.decode()


def test_a_name_reference_or_last_digits_search_by_get_still_works(client, desk):
    app, other = desk["app"], desk["other"]
    client.force_login(desk["officer"])

    by_name = client.get(reverse(APPLICATIONS), {"q": "欧阳娜娜"})
    assert by_name.status_code == 200
    assert change_url(other).encode() in by_name.content
    assert change_url(app).encode() not in by_name.content

    by_reference = client.get(reverse(APPLICATIONS), {"q": app.reference})
    assert by_reference.status_code == 200
    assert change_url(app).encode() in by_reference.content
    assert change_url(other).encode() not in by_reference.content

    by_digits = client.get(reverse(APPLICATIONS), {"q": app.person.id_number[-4:]})
    assert by_digits.status_code == 200
    assert change_url(app).encode() in by_digits.content

    permit = desk["permit"]
    by_number = client.get(reverse(PERMITS), {"q": permit.number})
    assert by_number.status_code == 200
    assert permit_url(permit).encode() in by_number.content


@pytest.mark.parametrize(
    ("changelist", "search"), [(APPLICATIONS, APPLICATION_SEARCH), (PERMITS, PERMIT_SEARCH)]
)
def test_the_changelist_search_form_posts_with_a_csrf_token(client, desk, changelist, search):
    client.force_login(desk["officer"])
    html = client.get(reverse(changelist)).content.decode()
    form = re.search(r'<form id="changelist-search"[^>]*>', html).group(0)
    assert 'method="post"' in form
    assert f'action="{reverse(search)}"' in form
    assert 'name="csrfmiddlewaretoken"' in html[html.index(form) :]
    # The search URL takes a POST only, and a CSRF-protected one.
    assert client.get(reverse(search), {"q": "x"}).status_code == 405
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(desk["officer"])
    assert strict.post(reverse(search), {"q": "x"}).status_code == 403


def test_every_admin_searching_id_numbers_uses_the_post_search():
    from django.contrib import admin

    from permits.models import PermitApplication, ResidencePermit

    for model in (PermitApplication, ResidencePermit):
        assert isinstance(admin.site._registry[model], IdNumberSearchMixin)
    for model_admin in admin.site._registry.values():
        if any("id_number" in field for field in model_admin.search_fields):
            assert isinstance(model_admin, IdNumberSearchMixin), model_admin


def test_the_officer_queue_searches_a_full_id_number_without_a_url_carrying_it(client, desk):
    """The queue on the admin's landing page posts its filters; the number stays server-side."""
    app, other = desk["app"], desk["other"]
    id_number = app.person.id_number
    client.force_login(desk["officer"])

    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="review-queue-filters"' in page
    assert re.search(r'<form method="post"[^>]*id="review-queue-filters"', page)

    response = client.post(reverse("admin:review_queue_search"), {"q": id_number, "due": ""})
    assert response.status_code == 302
    assert id_number not in response["Location"]
    found = client.get(response["Location"])
    body = found.content.decode()
    assert app.reference in body
    assert other.reference not in body
    assert id_number not in body
    assert all(id_number not in url for url in urls_in(found))

    # A link carrying the number is not searched, nor echoed.
    leaked = client.get(reverse("admin:index"), {"q": id_number}).content.decode()
    assert id_number not in leaked
    assert other.reference in leaked  # the unfiltered queue

    # The token works only in the session that made it.
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_login(desk["officer"])
    assert other.reference in stranger.get(response["Location"]).content.decode()


def test_the_queue_search_is_post_only(client, desk):
    client.force_login(desk["officer"])
    assert client.get(reverse("admin:review_queue_search"), {"q": "1"}).status_code == 405
