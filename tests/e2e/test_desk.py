"""The police desk in a real browser: two officers acting on the same application at once."""

import pytest

from permits.constants import ApplicationState
from tests.e2e import journey
from tests.e2e.helpers import DESKTOP
from tests.factories import HouseFactory, StaffFactory, StationFactory
from tests.permits.helpers import registered_person, submitted
from tests.service_codes import Service

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_second_officer_is_told_to_reload_and_nothing_is_applied_twice(new_page, shot):
    station = StationFactory()
    person = registered_person(months=8, house=HouseFactory(station=station))
    application = submitted(person, Service.NEW)
    first, second = (StaffFactory(officer=True, station=station) for _ in range(2))
    first_page = new_page(viewport=DESKTOP, language="en")
    second_page = new_page(viewport=DESKTOP, language="en")

    # Both open the "accept" form of the same application.
    for officer, page in ((first, first_page), (second, second_page)):
        journey.ensure_admin_login(page, officer)
        page.goto(journey.APPLICATION_URL.format(pk=application.pk))
        with page.expect_navigation():
            page.locator("#act-accept").click()
    shot(second_page, "second-officer-form-open")

    with first_page.expect_navigation():
        first_page.locator("#act-form input[name=_confirm]").click()
    assert first_page.locator(".messagelist .success").count() == 1

    with second_page.expect_navigation():
        second_page.locator("#act-form input[name=_confirm]").click()
    shot(second_page, "second-officer-told-to-reload")
    message = second_page.locator(".messagelist .error").inner_text()
    assert "changed since you opened it" in message and "reload" in message

    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED
    accepted = application.transitions.filter(to_state=ApplicationState.ACCEPTED)
    assert accepted.count() == 1
    assert accepted.get().actor == first
