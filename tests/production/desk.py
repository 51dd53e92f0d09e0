"""The station's side of the production journey, run in the stack's environment by
``manage.py shell -c`` (the same services the admin desk calls; the applicant's side goes over
HTTP). Each function prints one JSON line for the test to read."""

from __future__ import annotations

import datetime
import json

from django.contrib.auth.models import Group

from applicants import services as applicant_services
from applicants.models import Identity, User
from core import clock
from permits.constants import StaffGroup
from permits.models import (
    House,
    PermitApplication,
    ResidencePermit,
    ResidenceRegistration,
    StaffAssignment,
    Station,
)
from permits.services import applications as application_services
from permits.services.registrations import register_residence

STATION_CODE = "smoke"
HOUSE_CODE = "SM0000000001"


def _staff(phone: str, role: str, station: Station) -> User:
    user, created = User.objects.get_or_create(phone=phone, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=role))
    StaffAssignment.objects.update_or_create(user=user, defaults={"station": station})
    return user


def station() -> None:
    here, _ = Station.objects.update_or_create(
        code=STATION_CODE,
        defaults={"name": "冒烟测试派出所", "address": "测试路 1 号", "phone": "0898-00000000"},
    )
    House.objects.update_or_create(
        code=HOUSE_CODE, defaults={"address": "测试路 1 号 1 栋 101", "station": here}
    )
    _staff("+8613800009001", StaffGroup.OFFICER, here)
    _staff("+8613800009002", StaffGroup.CLERK, here)
    print(json.dumps({"house_code": HOUSE_CODE}))


def officer() -> User:
    return User.objects.get(phone="+8613800009001")


def verify_identity(identity_id: int) -> None:
    identity = applicant_services.verify_identity(
        identity=Identity.objects.get(pk=identity_id), by=officer()
    )
    print(json.dumps({"state": identity.state}))


def register(registration_id: int) -> None:
    registration = register_residence(
        registration=ResidenceRegistration.objects.get(pk=registration_id), by=officer()
    )
    # the smoke journey's history: recorded on the move-in day it typed (residence counts from
    # the station's recording, issue 25)
    ResidenceRegistration.objects.filter(pk=registration.pk).update(
        registered_at=datetime.datetime.combine(
            registration.since, datetime.time(10), tzinfo=datetime.UTC
        )
    )
    print(json.dumps({"state": registration.state}))


def accept_approve_produce(application_id: int) -> None:
    application = PermitApplication.objects.get(pk=application_id)
    application_services.accept(user=officer(), application=application)
    application_services.approve(user=officer(), application=application)
    clerk = User.objects.get(phone="+8613800009002")
    application_services.mark_produced(user=clerk, application=application)
    print(json.dumps({"state": application.state}))


def open_renewal_window(application_id: int) -> None:
    """Time passes (the WeChat journey, issue 26): the produced card is collected at the window,
    and its year is nearly over, so the holder may renew."""
    application = PermitApplication.objects.get(pk=application_id)
    application_services.choose_pickup(user=application.filed_by, application=application)
    clerk = User.objects.get(phone="+8613800009002")
    application_services.record_collected(
        user=clerk, application=application, collector_id_number=application.person.id_number
    )
    today = clock.today()
    ResidencePermit.objects.filter(pk=application.permit_id).update(
        issued_on=today - datetime.timedelta(days=355),
        valid_until=today + datetime.timedelta(days=10),
    )
    print(json.dumps({"state": application.state}))
