"""Shared steps for the review admin tests."""

import re

from django.urls import reverse

from tests.factories import StationFactory
from tests.permits.helpers import registered_person, staff_for, submitted
from tests.service_codes import Service


def change_url(app):
    return reverse("admin:permits_permitapplication_change", args=[app.pk])


def act_url(app, act):
    return reverse("admin:review_application_act", args=[app.pk, act])


def version_in(response) -> str:
    match = re.search(rb'name="version" value="([^"]+)"', response.content)
    assert match, response.content[:2000]
    return match.group(1).decode()


def act(client, app, name, **data):
    """Open the act's form (as the officer would) and confirm it."""
    page = client.get(act_url(app, name))
    assert page.status_code == 200, page.status_code
    return client.post(act_url(app, name), {"version": version_in(page), **data})


def station_with_application(service=Service.NEW):
    station = StationFactory()
    from tests.factories import HouseFactory

    house = HouseFactory(station=station)
    person = registered_person(months=12, house=house)
    app = submitted(person, service)
    return station, app, staff_for(station)
