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


def case_steps(person, staff, app, *, extend: bool = False) -> list:
    """Every act on a submitted case of ``person`` up to the card collected at the window, each
    a callable, in order: a one-time notice for the photo, the photo uploaded again (a watched
    row, no transition), resubmitted, accepted, (with ``extend``: the deadline extended by a
    supervisor,) approved, produced, pickup chosen, collected. ``staff``: ``staff_for``'s."""
    steps = [
        lambda: svc.request_supplement(
            user=staff["officer"], application=app, items=[{"code": "photo", "reason": "unclear"}]
        ),
        lambda: svc.upload_material(
            user=person.account, application=app, requirement_code="photo", file=png()
        ),
        lambda: svc.resubmit(user=person.account, application=app, password=PASSWORD),
        lambda: svc.accept(user=staff["officer"], application=app),
    ]
    if extend:
        steps.append(
            lambda: svc.extend_deadline(
                user=staff["supervisor"], application=app, days=3, reason="特殊情况"
            )
        )
    return [
        *steps,
        lambda: svc.approve(user=staff["officer"], application=app),
        lambda: svc.mark_produced(user=staff["clerk"], application=app),
        lambda: svc.choose_pickup(user=person.account, application=app),
        lambda: svc.record_collected(
            user=staff["clerk"], application=app, collector_id_number=person.id_number
        ),
    ]
