"""Issue 18: the personal center draws a card's verification QR once (it is cached) and counts
the unread notifications once per request, however many sections are rendered."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import core.qr
from notifications.constants import NotificationKind
from notifications.models import Notification
from tests.permits.factories import PermitFactory
from tests.permits.helpers import registered_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client):
    person = registered_person(months=30)
    today = timezone.localdate()
    permit = PermitFactory(
        holder=person,
        house=person.registrations.get().house,
        issued_on=today - datetime.timedelta(days=200),
        continuous_since=today - datetime.timedelta(days=800),
        valid_until=today + datetime.timedelta(days=100),
    )
    client.force_login(person.account)
    return permit


def test_the_verification_qr_is_drawn_once_for_two_renders(client, holder, monkeypatch):
    caches["pages"].clear()
    calls = []
    real_make = core.qr.segno.make

    def counting_make(*args, **kwargs):
        calls.append(args[0])
        return real_make(*args, **kwargs)

    monkeypatch.setattr(core.qr.segno, "make", counting_make)
    first = client.get("/accounts/me/")
    second = client.get("/accounts/me/")
    assert first.status_code == second.status_code == 200
    assert len(calls) == 1
    assert "/verify/" in calls[0]
    assert "<svg" in first.content.decode()
    svg = first.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg in second.content.decode()  # the same drawing, from the cache


def test_a_replaced_card_gets_a_new_qr(holder):
    from permits.verification import verification_qr_svg

    caches["pages"].clear()
    before = verification_qr_svg(holder)
    holder.card_serial = holder.card_serial + "9"
    assert verification_qr_svg(holder) != before


def _unread_count_queries(queries):
    return [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper()
        and "notifications_notification" in q["sql"]
        and "read_at" in q["sql"]
    ]


def test_the_unread_count_runs_once_per_page(client, holder):
    for n in range(3):
        Notification.objects.create(
            recipient=holder.holder.account,
            kind=NotificationKind.values[0],
            event_key=f"test-{n}",
            title="Hello",
            body="Unread",
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/me/")
    assert response.status_code == 200
    assert len(_unread_count_queries(queries.captured_queries)) == 1
    assert re.search(r'class="badge"[^>]*>3</span>', response.content.decode())
