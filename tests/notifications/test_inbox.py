import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.constants import NotificationKind
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX = "/my-affairs/"


def make_notifications(user, count, *, start=0):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="application_accepted",
            event_key=f"test:{user.pk}:{start + i}",
            title=f"Notice {start + i}",
            body=f"Body {start + i}",
            created_at=now,
        )
        for i in range(count)
    )
    # created_at is auto_now_add: spread the times so that the order is meaningful
    for i, pk in enumerate(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("pk", flat=True)
    ):
        Notification.objects.filter(pk=pk).update(
            created_at=now - datetime.timedelta(minutes=10_000 - i)
        )


def test_inbox_url_is_named_and_needs_login(client):
    assert reverse("notifications:inbox") == INBOX
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/my-affairs/1/").status_code == 302


def test_inbox_lists_own_notifications_newest_first_with_unread_marks(client):
    user = UserFactory(language="en")
    make_notifications(user, 3)
    Notification.objects.filter(title="Notice 0").update(read_at=timezone.now())
    stranger = UserFactory()
    make_notifications(stranger, 1, start=100)
    client.force_login(user)
    html = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index("Notice 2") < html.index("Notice 1") < html.index("Notice 0")
    assert "Notice 100" not in html
    assert html.count("notification unread") == 2
    assert '<span class="badge"' in html  # unread badge in the header


def test_inbox_is_paginated(client):
    user = UserFactory()
    make_notifications(user, 45)
    client.force_login(user)
    first = client.get(INBOX).content.decode()
    assert "Notice 44" in first and "Notice 25" in first and "Notice 24" not in first
    assert 'rel="next"' in first
    third = client.get(INBOX + "?page=3").content.decode()
    assert "Notice 4" in third and "Notice 0" in third and "Notice 5" not in third
    assert client.get(INBOX + "?page=999").status_code == 200  # last page, no error


def test_opening_a_notification_marks_it_read(client):
    user = UserFactory(language="en")
    make_notifications(user, 2)
    notification = Notification.objects.get(title="Notice 1")
    client.force_login(user)
    response = client.get(f"/my-affairs/{notification.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Body 1" in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None
    first_read = notification.read_at
    client.get(f"/my-affairs/{notification.pk}/")
    notification.refresh_from_db()
    assert notification.read_at == first_read
    assert client.get(INBOX).context["unread_notifications"] == 1


def test_anyone_else_gets_404(client):
    owner = UserFactory()
    make_notifications(owner, 1)
    notification = Notification.objects.get()
    client.force_login(UserFactory())
    assert client.get(f"/my-affairs/{notification.pk}/").status_code == 404
    # not even staff see it in the applicant's inbox
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/my-affairs/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_is_a_post_and_only_touches_own_notifications(client):
    user = UserFactory()
    other = UserFactory()
    make_notifications(user, 3)
    make_notifications(other, 2, start=10)
    client.force_login(user)
    assert client.get("/my-affairs/read-all/").status_code == 405
    assert client.post("/my-affairs/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 2


def test_body_is_escaped_on_the_page(client):
    user = UserFactory()
    Notification.objects.create(
        recipient=user,
        kind="application_rejected",
        event_key="x",
        title="<b>t</b>",
        body="<script>alert(1)</script>",
    )
    client.force_login(user)
    html = client.get(f"/my-affairs/{Notification.objects.get().pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# session, user, the page of notifications with the counts of all and of the unread ones beside
# them (issue 18; the context processor's lazy unread count is never evaluated on this page)
INBOX_QUERIES = 3


def _inbox(count):
    """``count`` notifications of every kind in turn, every other one read."""
    user = UserFactory(language="en")
    kinds = NotificationKind.values
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kinds[i % len(kinds)],
            event_key=f"test:{user.pk}:{i}",
            title=f"Notice {i}",
            body=f"Body {i}",
            read_at=timezone.now() if i % 2 else None,
        )
        for i in range(count)
    )
    return user


@pytest.mark.parametrize("count", [1, 100])
def test_inbox_query_count_does_not_grow_with_the_inbox(
    client, count, django_assert_max_num_queries
):
    client.force_login(_inbox(count))
    with django_assert_max_num_queries(INBOX_QUERIES):
        response = client.get(INBOX)
    assert response.status_code == 200
    assert response.content.decode().count('class="notification') == min(count, 20)


def test_inbox_costs_the_same_for_1_or_100_notifications(client):
    counts = []
    for user in (_inbox(1), _inbox(100)):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_inbox_page_renders_in_both_languages(client, language):
    user = UserFactory()
    make_notifications(user, 1)
    client.force_login(user)
    response = client.get(INBOX, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert "Notice 0" in response.content.decode()


def test_unread_badge_shows_on_every_page(client):
    user = UserFactory(language="en")
    make_notifications(user, 3)
    Notification.objects.filter(title="Notice 0").update(read_at=timezone.now())
    client.force_login(user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'aria-label="2 unread">2</span>' in html
    assert 'href="/my-affairs/"' in html
    client.post("/my-affairs/read-all/")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "unread" not in html
