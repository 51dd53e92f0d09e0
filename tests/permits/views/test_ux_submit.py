"""Issue 15 point 1: a double tap on 提交 submits once and both taps land on the confirmation;
the embedded SQLite default makes concurrent writers wait instead of failing."""

import sqlite3
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from core.errors import StaleState
from permits.constants import ApplicationState
from permits.models import PermitApplication
from tests.factories import PASSWORD
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def _draft(person):
    return draft_ready(person, Service.NEW, answers={"household_region": "110101"})


def _post_submit(client, application):
    return client.post(
        url("application_submit", application.pk), {"password": PASSWORD, "seen_state": "draft"}
    )


def test_a_second_tap_lands_on_the_confirmation_not_an_error(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)

    first = _post_submit(client, application)
    second = _post_submit(client, application)

    assert first.status_code == 302
    assert second.status_code == 302
    assert second.url == first.url == url("application_submitted", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.transitions.filter(to_state=ApplicationState.SUBMITTED).count() == 1
    assert application.reference in text(client.get(second.url))


def test_a_second_tap_with_the_password_field_left_empty_also_lands_there(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)
    _post_submit(client, application)

    again = client.post(url("application_submit", application.pk), {"seen_state": "draft"})

    assert again.status_code == 302
    assert again.url == url("application_submitted", application.pk)


def test_the_tap_that_lost_a_race_lands_on_the_confirmation(client):
    """Both taps read the draft; the other one's transition was saved first."""
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)

    def the_other_tap_won(*, user, application, password, request=None):
        PermitApplication.objects.filter(pk=application.pk).update(
            state=ApplicationState.SUBMITTED, submitted_at=application.created_at
        )
        raise StaleState()

    with mock.patch(
        "permits.views.applications.submission.services.submit", side_effect=the_other_tap_won
    ):
        response = _post_submit(client, application)

    assert response.status_code == 302
    assert response.url == url("application_submitted", application.pk)


def test_someone_elses_submitted_application_is_still_a_404(client):
    owner = registered_person(months=7)
    application = _draft(owner)
    _post_submit(login(client, owner) and client, application)
    client.logout()
    login(client, registered_person(months=7))

    assert _post_submit(client, application).status_code == 404


def test_the_submit_button_disables_itself_from_a_static_script(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)

    html = text(client.get(url("application_submit", application.pk)))

    assert "data-submit-once" in html
    assert "js/portal.js" in html
    assert "<script>" not in html  # no inline script (strict CSP)
    script = (settings.BASE_DIR / "static" / "js" / "portal.js").read_text()
    assert "data-submit-once" in script and "disabled = true" in script


def test_sqlite_waits_for_the_write_lock_instead_of_failing(tmp_path):
    """Two writers that both read first: with deferred transactions the second fails at once
    with "database is locked" (the upgrade to a write lock cannot wait); with immediate
    transactions and a busy timeout it waits for the first and succeeds."""
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5

    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("create table log (id integer primary key, note text)")

    def wrapper():
        return DatabaseWrapper(
            {
                **settings.DATABASES["default"],
                "NAME": str(path),
                "OPTIONS": dict(options),
                "TEST": {},
                "TIME_ZONE": None,
                "AUTOCOMMIT": True,
            },
            alias="concurrent",
        )

    errors = []
    first_has_begun = threading.Event()

    def writer(note, hold):
        db = wrapper()
        try:
            db.ensure_connection()
            db._start_transaction_under_autocommit()  # what atomic() does: BEGIN <mode>
            with db.cursor() as cursor:
                cursor.execute("select count(*) from log")
                if hold:
                    first_has_begun.set()
                    time.sleep(0.2)  # the second has read too
                cursor.execute("insert into log (note) values (%s)", [note])
                if hold:
                    time.sleep(0.3)
                cursor.execute("commit")
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            errors.append(exc)
        finally:
            db.close()

    first = threading.Thread(target=writer, args=("first", True))
    first.start()
    first_has_begun.wait(5)
    second = threading.Thread(target=writer, args=("second", False))
    second.start()
    first.join(10)
    second.join(10)

    assert errors == []
    with sqlite3.connect(path) as check:
        assert check.execute("select count(*) from log").fetchone()[0] == 2
