"""Issue 15, point 8: a lost card is not photographed; a damaged one still may be."""

import pytest
from django.utils import translation

from tests.permits.factories import PermitFactory
from tests.permits.views.helpers import follow_steps, login, start_via_pages, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _replacement(client, reason):
    permit = PermitFactory()
    person = permit.holder
    from tests.factories import RegistrationFactory

    RegistrationFactory(registered=True, person=person, house=permit.house)
    login(client, person)
    application = start_via_pages(client, person, Service.REPLACEMENT)
    follow_steps(client, application, details={"reason": reason}, files={"damaged_card": None})
    return application


def test_a_lost_card_replacement_asks_for_no_photo_of_the_card(client):
    application = _replacement(client, "lost")

    check = text(client.get(url("application_check", application.pk), HTTP_ACCEPT_LANGUAGE="en"))
    step = client.get(url("application_step_material", application.pk, "damaged_card"))

    assert "Photo of the damaged card" not in check
    assert step.status_code == 404


def test_a_damaged_card_replacement_still_offers_the_photo(client):
    application = _replacement(client, "damaged")

    check = text(client.get(url("application_check", application.pk), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Photo of the damaged card" in check
