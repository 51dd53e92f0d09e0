"""Officers and clerks see their own station's rows only, in every changelist, change view and
search; another station's URL answers 404; supervisors see all. Per review model."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from permits.models import (
    ApplicationTransition,
    Material,
    PermitApplication,
    PermitTransition,
    ResidencePermit,
    ResidenceRegistration,
)
from permits.services import applications as svc
from tests.factories import RegistrationFactory, StaffFactory
from tests.permits.factories import PermitFactory
from tests.review.helpers import station_with_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stations():
    here_station, here_app, here_staff = station_with_application()
    there_station, there_app, _ = station_with_application()
    svc.accept(user=here_staff["officer"], application=here_app)
    there_officer = StaffFactory(officer=True, station=there_station)
    svc.accept(user=there_officer, application=there_app)
    here_permit = PermitFactory(house__station=here_station)
    there_permit = PermitFactory(house__station=there_station)
    here_registration = RegistrationFactory(house__station=here_station)
    there_registration = RegistrationFactory(house__station=there_station)
    objects = {
        PermitApplication: (here_app, there_app, "reference"),
        ResidencePermit: (here_permit, there_permit, "number"),
        ResidenceRegistration: (here_registration, there_registration, None),
        ApplicationTransition: (
            here_app.transitions.first(),
            there_app.transitions.first(),
            None,
        ),
        PermitTransition: (
            here_permit.record_transition(name="issue", source="", target="active"),
            there_permit.record_transition(name="issue", source="", target="active"),
            None,
        ),
    }
    return {"staff": here_staff, "objects": objects}


MODELS = [
    PermitApplication,
    ResidencePermit,
    ResidenceRegistration,
    ApplicationTransition,
    PermitTransition,
]


def _urls(model, obj):
    info = (model._meta.app_label, model._meta.model_name)
    return (
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
    )


@pytest.mark.parametrize("role", ["officer", "clerk"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_station_staff_see_only_their_station(client, two_stations, role, model):
    here, there, search_field = two_stations["objects"][model]
    client.force_login(two_stations["staff"][role])
    changelist, here_url = _urls(model, here)
    _, there_url = _urls(model, there)
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert here_url.encode() in listing.content
    assert there_url.encode() not in listing.content
    assert client.get(here_url).status_code == 200
    assert client.get(there_url).status_code == 404
    if search_field:
        term = getattr(there, search_field)
        found = client.get(changelist, {"q": term})
        assert there_url.encode() not in found.content
        found = client.get(changelist, {"q": getattr(here, search_field)})
        assert here_url.encode() in found.content


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_supervisor_sees_every_station(client, two_stations, model):
    here, there, _ = two_stations["objects"][model]
    client.force_login(two_stations["staff"]["supervisor"])
    changelist, here_url = _urls(model, here)
    _, there_url = _urls(model, there)
    listing = client.get(changelist)
    assert here_url.encode() in listing.content and there_url.encode() in listing.content
    assert client.get(there_url).status_code == 200


def test_unassigned_staff_see_nothing(client, two_stations):
    here, _, _ = two_stations["objects"][PermitApplication]
    nobody = StaffFactory(is_staff=True)
    nobody.user_permissions.add(Permission.objects.get(codename="view_permitapplication"))
    client.force_login(nobody)
    _, url = _urls(PermitApplication, here)
    assert client.get(url).status_code == 404


def test_materials_are_not_an_admin_of_their_own():
    """Materials are reached only through their application (scoped staff file view)."""
    assert Material not in admin.site._registry
