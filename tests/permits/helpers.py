"""Shared steps for the permits tests: a person ready to apply, a draft with every upload."""

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notifications.models import Notification
from permits.services import applications as svc
from tests.applicants.helpers import pdf_bytes
from tests.factories import PASSWORD, RegistrationFactory, StaffFactory, tiny_png
from tests.service_codes import Service


def png(name="proof.png"):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def registered_person(*, months=12, house=None, **identity):
    """A verified person registered ``months`` ago (at ``house`` if given)."""
    since = timezone.localdate() - relativedelta(months=months, days=1)
    kwargs = {"registered": True, "since": since}
    if house is not None:
        kwargs["house"] = house
    for key, value in identity.items():
        kwargs[f"person__{key}"] = value
    return RegistrationFactory(**kwargs).person


def draft_ready(person, service, *, basis="residence", answers=None, user=None):
    """A draft with every required material uploaded."""
    user = user or person.account
    if service == Service.NEW and answers is None:
        answers = {"household_region": "110105"}  # household registered outside the city
    app = svc.start_application(
        user=user, person=person, service=service, basis=basis, answers=answers
    )
    for requirement in app.requirements():
        if requirement.required:
            svc.upload_material(
                user=user, application=app, requirement_code=requirement.code, file=png()
            )
    return app


def submitted(person, service, **kwargs):
    app = draft_ready(person, service, **kwargs)
    return svc.submit(user=app.filed_by, application=app, password=PASSWORD)


def staff_for(station):
    return {
        "officer": StaffFactory(officer=True, station=station),
        "clerk": StaffFactory(clerk=True, station=station),
        "supervisor": StaffFactory(supervisor=True),
    }


def kinds(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )
