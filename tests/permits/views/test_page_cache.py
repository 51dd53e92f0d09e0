"""Issue 29, point 1: a person's pages are cached under the account's page generation, and a
change of any kind shows on the NEXT page view, through the real views.

Each case warms the cache for the person's pages (personal center, My applications, the
application's page, My Affairs: each answered from the cache before the change), makes one
change the way the portal makes it (a service, the runner, a daily job), then reads the pages
again with the cache on and compares them with the same pages drawn with the cache off: they
must be equal (never a stale page), and the change must show on at least one of them (else the
case proves nothing).
"""

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from applicants.constants import IdentityRejectionReason
from applicants.services import identities as identity_services
from core import clock
from notifications.constants import NotificationKind
from notifications.models import Notification
from notifications.services import mark_all_read, mark_read, notify
from permits.constants import ApplicationState, PermitStatus
from permits.models import PermitApplication, ResidencePermit
from permits.services import applications as svc
from permits.services import registrations as registration_services
from permits.services.permits import (
    cancel_permit,
    deem_overdue_submissions_accepted,
    suspend_overdue_permits,
)
from tests.cache_support import normal_page
from tests.factories import PASSWORD, IdentityFactory, RegistrationFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import (
    case_steps,
    draft_ready,
    png,
    registered_person,
    staff_for,
    submitted,
)
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


class Pages:
    """The person's pages through the test client, signed in as ``account``."""

    def __init__(self, client, account, *extra):
        client.force_login(account)
        self.client = client
        self.paths = [
            reverse("applicants:me"),
            reverse("permits:application_list"),
            reverse("notifications:inbox"),
            *extra,
        ]

    def get(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, path
        return response

    def warm(self) -> dict[str, str]:
        """Every page kept, then answered from the cache; their content."""
        seen = {}
        for path in self.paths:
            for _ in range(3):  # the first answer sets the CSRF cookie, the second is kept
                response = self.get(path)
            assert response["X-Page-Cache"] == "hit", path
            seen[path] = normal_page(response)
        return seen

    def read(self) -> dict[str, str]:
        return {path: normal_page(self.get(path)) for path in self.paths}

    def check(self, change):
        before = self.warm()
        change()
        shown = self.read()
        with override_settings(PAGE_CACHE_SECONDS=0):
            truth = self.read()
        for path in self.paths:
            assert shown[path] == truth[path], f"{path} served stale after the change"
        assert any(before[p] != truth[p] for p in self.paths), "the change shows on no page"


def _detail(app):
    return reverse("permits:application_detail", args=[app.pk])


# --- the application's machine: every transition a case goes through -------------------------
def test_application_transitions_show_on_the_next_page(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    app = draft_ready(person, Service.NEW)
    pages = Pages(client, person.account, _detail(app))
    steps = [
        lambda: svc.submit(user=person.account, application=app, password=PASSWORD),
        *case_steps(person, staff, app),
    ]
    for step in steps:
        pages.check(step)
        app.refresh_from_db()
    assert app.state == ApplicationState.COLLECTED


def test_rejection_and_withdrawal_show_on_the_next_page(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    first = submitted(person, Service.NEW)
    pages = Pages(client, person.account, _detail(first))
    pages.check(lambda: svc.accept(user=staff["officer"], application=first))
    first.refresh_from_db()
    pages.check(
        lambda: svc.reject(
            user=staff["officer"], application=first, reason="not_eligible", note="no"
        )
    )
    second = submitted(person, Service.NEW)
    pages = Pages(client, person.account, _detail(second))
    pages.check(lambda: svc.withdraw(user=person.account, application=second))


def test_deadline_extension_and_the_mail_route_show_on_the_next_page(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    app = submitted(person, Service.NEW)
    svc.accept(user=staff["officer"], application=app)
    app.refresh_from_db()
    pages = Pages(client, person.account, _detail(app))
    steps = [
        lambda: svc.extend_deadline(
            user=staff["supervisor"], application=app, days=3, reason="特殊情况"
        ),
        lambda: svc.approve(user=staff["officer"], application=app),
        lambda: svc.mark_produced(user=staff["clerk"], application=app),
        lambda: svc.choose_mail(
            user=person.account,
            application=app,
            recipient_name="张三",
            address="海口市美兰区人民大道 58 号",
            phone="13900001111",
        ),
        lambda: svc.record_mailed(
            user=staff["clerk"], application=app, tracking_number="SF100200300"
        ),
        lambda: svc.record_delivered(user=staff["clerk"], application=app),
    ]
    for step in steps:
        pages.check(step)
        app.refresh_from_db()
    assert app.state == ApplicationState.DELIVERED


# --- identity, registration, permit -----------------------------------------------------------
def test_identity_transitions_show_on_the_next_page(client):
    identity = IdentityFactory(pending=True)
    officer = staff_for(RegistrationFactory().station)["officer"]
    pages = Pages(client, identity.account)
    pages.check(
        lambda: identity_services.reject_identity(
            identity=identity, by=officer, reason=IdentityRejectionReason.values[0], note="x"
        )
    )
    identity.refresh_from_db()
    pages.check(lambda: identity_services.save_and_submit(identity, by=identity.account))
    identity.refresh_from_db()
    pages.check(lambda: identity_services.verify_identity(identity=identity, by=officer))


def test_registration_transitions_show_on_the_next_page(client):
    registration = RegistrationFactory()
    person = registration.person
    staff = staff_for(registration.station)
    pages = Pages(client, person.account)
    pages.check(
        lambda: registration_services.register_residence(
            registration=registration, by=staff["officer"]
        )
    )
    registration.refresh_from_db()
    pages.check(
        lambda: registration_services.cancel_registration(
            registration=registration, by=person.account
        )
    )
    refused = RegistrationFactory(person=person, house=registration.house)
    pages.check(
        lambda: registration_services.reject_registration(
            registration=refused, by=staff["officer"], note="地址不符"
        )
    )


def test_the_lessors_confirmation_shows_on_the_tenants_next_page(client):
    from permits.services import lessors

    registration = RegistrationFactory()
    person = registration.person
    asked = lessors.request_confirmation(
        user=person.account, registration=registration, lessor_phone="13912345678"
    )
    pages = Pages(client, person.account)
    pages.check(
        lambda: lessors.decide(
            token=lessors.make_token(asked),
            phone_proven_for=asked.link_nonce,
            confirm=True,
            lessor_name="李四",
        )
    )


def test_permit_transition_and_daily_suspension_show_on_the_next_page(client):
    person = registered_person(months=14)
    station = person.registrations.get().station
    staff = staff_for(station)
    today = clock.today()
    overdue = PermitFactory(
        holder=person, station=station, valid_until=today - datetime.timedelta(days=1)
    )
    pages = Pages(client, person.account)
    pages.check(lambda: suspend_overdue_permits(today=today))  # the daily job, set-based
    assert ResidencePermit.objects.get(pk=overdue.pk).status == PermitStatus.SUSPENDED
    pages.check(
        lambda: cancel_permit(
            user=staff["officer"],
            permit=ResidencePermit.objects.get(pk=overdue.pk),
            moved_on=today,
        )
    )


def test_daily_deemed_acceptance_shows_on_the_next_page(client):
    person = registered_person(months=7)
    app = submitted(person, Service.NEW)
    pages = Pages(client, person.account, _detail(app))
    later = clock.today() + datetime.timedelta(days=30)
    pages.check(lambda: deem_overdue_submissions_accepted(today=later))
    assert PermitApplication.objects.get(pk=app.pk).state == ApplicationState.ACCEPTED


# --- what is no transition: a notification, reading it, an upload, the account ---------------
def test_notifications_and_their_reading_show_on_the_next_page(client):
    person = registered_person()
    account = person.account
    pages = Pages(client, account)

    def one(n):
        return notify(
            account,
            NotificationKind.IDENTITY_VERIFIED,
            {"name": person.full_name},
            event_key=f"page-cache-{n}",
        )

    pages.check(lambda: one(1))
    pages.check(lambda: one(2))
    pages.check(
        lambda: mark_read(
            user=account, notification=Notification.objects.filter(recipient=account).first()
        )
    )
    pages.check(lambda: mark_all_read(user=account))


def test_an_upload_shows_on_the_next_page(client):
    person = registered_person(months=7)
    app = svc.start_application(
        user=person.account,
        person=person,
        service=Service.NEW,
        basis="residence",
        answers={"household_region": "110105"},
    )
    pages = Pages(client, person.account, _detail(app))
    code = next(r.code for r in app.requirements() if r.required)
    pages.check(
        lambda: svc.upload_material(
            user=person.account, application=app, requirement_code=code, file=png()
        )
    )


# --- never shared, never bumped by another account ---------------------------------------------
def test_another_accounts_change_leaves_my_generation_and_pages(client):
    mine = registered_person(months=7)
    theirs = registered_person(months=7)
    staff = staff_for(theirs.registrations.get().station)
    their_app = submitted(theirs, Service.NEW)
    pages = Pages(client, mine.account)
    pages.warm()
    my_generation = type(mine.account).objects.get(pk=mine.account.pk).page_generation
    their_generation = type(theirs.account).objects.get(pk=theirs.account.pk).page_generation
    svc.accept(user=staff["officer"], application=their_app)
    assert type(mine.account).objects.get(pk=mine.account.pk).page_generation == my_generation
    assert type(theirs.account).objects.get(pk=theirs.account.pk).page_generation > their_generation
    for path in pages.paths:  # still answered from the cache: nothing of mine changed
        assert pages.get(path)["X-Page-Cache"] == "hit"


def test_pages_are_never_shared_between_accounts_or_languages(client):
    first = registered_person(months=7, full_name="First Person")
    second = registered_person(months=7, full_name="Second Person")
    path = reverse("applicants:me")
    Pages(client, first.account).warm()
    # another account, same generation number, same CSRF cookie: its own page
    client.force_login(second.account)
    response = client.get(path)
    assert response["X-Page-Cache"] != "hit"
    assert "Second Person" in response.content.decode()
    assert "First Person" not in response.content.decode()
    # the same account in another language: its own page
    client.force_login(first.account)
    for _ in range(3):
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Page-Cache"] == "hit"
    assert english["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese["X-Page-Cache"] == "miss"
    assert chinese["Content-Language"] == "zh-hans"
    assert "个人中心" in chinese.content.decode()


def test_pending_messages_errors_and_staff_are_never_kept(rf):
    """A page with pending django.contrib.messages, an answer other than 200 and a staff
    account's page are drawn every time, never kept."""
    from django.contrib.messages import add_message, constants
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from core.page_cache import page_key, person_page

    drawn = []

    @person_page
    def view(request, status=200):
        drawn.append(request)
        return HttpResponse("page", status=status)

    def request_for(user, *, message=False):
        request = rf.get("/accounts/me/")
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        request.META["CSRF_COOKIE"] = "a" * 32
        if message:
            add_message(request, constants.SUCCESS, "Saved.")
        return request

    person = registered_person().account
    assert page_key(request_for(person)) is not None
    assert page_key(request_for(person, message=True)) is None
    assert page_key(request_for(staff_for(RegistrationFactory().station)["officer"])) is None
    for _ in range(2):
        view(request_for(person, message=True))
    for _ in range(2):
        view(request_for(person), status=404)
    assert len(drawn) == 4  # none of them served from the cache
    view(request_for(person))
    view(request_for(person))
    assert len(drawn) == 5  # a plain 200 is kept


def test_daily_retention_bumps_the_accounts_of_the_rows_it_empties():
    """The retention job empties a closed case's files set-based (an UPDATE, no save()): the
    accounts concerned are bumped by it (what the pages show of the files is drawn anew)."""
    from permits.models import Material
    from permits.services.retention import delete_expired_files

    person = registered_person(months=7)
    other = registered_person(months=7)
    app = submitted(person, Service.NEW)
    svc.withdraw(user=person.account, application=app)
    account = type(person.account)
    before = account.objects.get(pk=person.account.pk).page_generation
    others = account.objects.get(pk=other.account.pk).page_generation
    later = timezone.now() + datetime.timedelta(days=3 * 365)
    totals = delete_expired_files(now=later)
    assert totals["application_materials"]["rows"] > 0
    assert not Material.objects.filter(application=app).exclude(file="").exists()
    assert account.objects.get(pk=person.account.pk).page_generation > before
    assert account.objects.get(pk=other.account.pk).page_generation == others


def test_a_kept_page_costs_the_session_and_the_account_only(client, django_assert_num_queries):
    """Answered from the cache: the session's row and the account's (with its generation),
    nothing else, whatever the page shows (1 or 100 applications)."""
    person = registered_person(months=7)
    app = submitted(person, Service.NEW)
    pages = Pages(client, person.account, _detail(app))
    pages.warm()
    for path in pages.paths:
        with django_assert_num_queries(2):
            assert pages.get(path)["X-Page-Cache"] == "hit"


def test_every_state_machine_declares_whom_it_concerns():
    """The runner bumps the accounts a row declares: every model with a state machine declares
    them (``page_accounts``) and is watched for its other saves (creation, edits)."""
    from django.apps import apps
    from django.db.models.signals import post_save
    from django_fsm import FSMField

    machines = [
        model
        for model in apps.get_models()
        if any(isinstance(field, FSMField) for field in model._meta.get_fields())
    ]
    assert {m._meta.label for m in machines} >= {
        "applicants.Identity",
        "permits.ResidenceRegistration",
        "permits.ResidencePermit",
        "permits.PermitApplication",
        "permits.LessorConfirmation",
    }
    for model in machines:
        assert callable(getattr(model, "page_accounts", None)), model
        assert post_save.has_listeners(model), model


def test_a_rating_and_the_stations_answer_show_on_the_next_page(client):
    """A case rated badly, then the supervisor's answer (a follow-up row of its own): each shows
    on the rated case's page at the next view."""
    from permits.models import RatingFollowUp
    from permits.services import ratings as rating_services
    from tests.factories import StaffFactory
    from tests.permits.factories import ApplicationFactory

    app = ApplicationFactory(awaiting_pickup=True)
    staff = staff_for(app.station)
    svc.record_collected(
        user=staff["clerk"], application=app, collector_id_number=app.person.id_number
    )
    pages = Pages(client, app.filed_by, _detail(app))
    pages.check(
        lambda: rating_services.rate(
            rating=app.rating, score=2, comment="Waited two hours.", user=app.filed_by
        )
    )
    follow_up = RatingFollowUp.objects.get(rating__application=app)
    pages.check(
        lambda: rating_services.answer_follow_up(
            user=StaffFactory(supervisor=True),
            follow_up=follow_up,
            answer="We added a second window at noon.",
        )
    )
    assert "second window" in pages.get(_detail(app)).content.decode()


def test_a_renamed_station_and_an_edited_address_show_on_the_next_page(client):
    """A place many people's pages name: its edit bumps everyone with a case there, nobody
    else (a new place concerns nobody: its creation bumps nothing)."""
    from applicants.models import User

    person = registered_person(months=7)
    app = submitted(person, Service.NEW)
    stranger = registered_person(months=7)
    pages = Pages(client, person.account, _detail(app))
    station = app.station
    house = app.registration.house

    def rename():
        station.name = "龙华派出所（新址）"
        station.save()

    pages.check(rename)
    assert "龙华派出所（新址）" in pages.get(_detail(app)).content.decode()

    def readdress():
        house.address = "海口市龙华区滨海大道 1 号"
        house.save()

    before = User.objects.get(pk=stranger.account.pk).page_generation
    pages.check(readdress)
    if stranger.registrations.get().house_id != house.pk:
        assert User.objects.get(pk=stranger.account.pk).page_generation == before
