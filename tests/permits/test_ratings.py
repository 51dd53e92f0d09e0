"""Ratings of every case (好差评): invited when a case ends, in My Affairs and the final SMS;
rated once, without login from the signed single-use expiring link or signed in from the case
page; a bad rating opens a follow-up on the supervisor's queue, answered in the admin, the
answer in the applicant's My Affairs; the report shows satisfaction."""

import datetime
import re
import time

import pytest
from django.core import signing
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, SmsMessage
from permits import rules
from permits.models import Rating, RatingFollowUp
from permits.services import applications as svc
from permits.services import ratings as rating_services
from review.selectors import station_report
from tests.factories import StaffFactory
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import registered_person, staff_for

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/permits/rate/(\S+)/")


def en_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def collected_case():
    app = ApplicationFactory(awaiting_pickup=True)
    staff = staff_for(app.station)
    svc.record_collected(
        user=staff["clerk"], application=app, collector_id_number=app.person.id_number
    )
    return app, staff


def link_path(app) -> str:
    sms = SmsMessage.objects.get(notification__kind="certificate_collected")
    assert sms.recipient_phone == app.filed_by.phone
    match = LINK.search(sms.body)
    assert match, sms.body
    return reverse("permits:rate_by_link", args=[match.group(1)])


def test_collected_case_invites_in_the_final_sms_and_my_affairs():
    app, _staff = collected_case()
    rating = Rating.objects.get(application=app)
    assert not rating.is_rated
    path = link_path(app)
    notice = Notification.objects.get(kind="certificate_collected")
    assert path in notice.body
    assert not Notification.objects.filter(kind="rating_invited").exists()  # no extra notice


def test_rating_from_the_link_without_login_works_once():
    app, _staff = collected_case()
    path = link_path(app)
    client = en_client()
    page = client.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"
    assert app.reference in page.content.decode()

    bad = client.post(path, {"score": "9", "comment": "x"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    done = client.post(path, {"score": "5", "comment": "Quick and kind."})
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    rating = Rating.objects.get(application=app)
    assert (rating.score, rating.comment) == (5, "Quick and kind.")
    assert rating.link_used_at is not None
    assert not RatingFollowUp.objects.exists()

    again = client.post(path, {"score": "1"})
    assert again.status_code == 410
    assert "already been rated" in again.content.decode()
    assert Rating.objects.get(application=app).score == 5
    assert client.get(path).status_code == 410


def test_the_link_expires_and_a_forged_link_is_not_found(settings, monkeypatch):
    app, _staff = collected_case()
    rating = Rating.objects.get(application=app)
    settings.RATING_LINK_MAX_AGE_DAYS = 30
    real = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: real - 31 * 86400)
    old = rating_services.make_token(rating)
    monkeypatch.undo()
    client = en_client()
    expired = client.get(reverse("permits:rate_by_link", args=[old]))
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    assert client.post(reverse("permits:rate_by_link", args=[old]), {"score": 5}).status_code == 410

    forged = signing.dumps(rating.pk, salt="another")
    assert client.get(reverse("permits:rate_by_link", args=[forged])).status_code == 404
    assert not Rating.objects.get(pk=rating.pk).is_rated


def test_signed_in_rating_from_the_case_page_once_and_only_by_the_filer():
    app, _staff = collected_case()
    url = reverse("permits:application_rate", args=[app.pk])
    detail = reverse("permits:application_detail", args=[app.pk])

    stranger = en_client()
    stranger.force_login(registered_person().account)
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"score": "1"}).status_code == 404

    client = en_client()
    client.force_login(app.filed_by)
    assert url in client.get(detail).content.decode()
    response = client.post(url, {"score": "4"})
    assert response.status_code == 302 and response["Location"] == detail
    assert Rating.objects.get(application=app).score == 4
    page = client.get(detail).content.decode()
    assert "Satisfied" in page and url not in page

    # one rating per case: the page, the link and the service all refuse a second
    assert client.post(url, {"score": "1"}).status_code == 302
    assert Rating.objects.get(application=app).score == 4
    assert en_client().get(link_path(app)).status_code == 410


def test_a_case_still_running_has_nothing_to_rate():
    app = ApplicationFactory(accepted=True)
    client = en_client()
    client.force_login(app.filed_by)
    assert client.get(reverse("permits:application_rate", args=[app.pk])).status_code == 404
    assert rating_services.invite(app) == {}


def test_bad_rating_opens_a_follow_up_on_the_supervisors_queue_and_the_answer_reaches_the_applicant(
    settings,
):
    settings.RATING_FOLLOW_UP_WORKING_DAYS = 5
    app, staff = collected_case()
    en_client().post(link_path(app), {"score": "2", "comment": "Waited two hours."})
    follow_up = RatingFollowUp.objects.get(rating__application=app)
    today = timezone.localdate()
    assert follow_up.due_on == rules.add_days(today, 5, mode=rules.DayMode.WORKING)
    assert follow_up.station == app.station

    supervisor = StaffFactory(supervisor=True)
    boss = en_client()
    boss.force_login(supervisor)
    response = boss.get(reverse("admin:index"))
    assert response.status_code == 200, response
    index = response.content.decode()
    assert f'data-kind="follow_up" data-pk="{follow_up.pk}"' in index
    officer = en_client()
    officer.force_login(staff["officer"])
    assert 'data-kind="follow_up"' not in officer.get(reverse("admin:index")).content.decode()
    change = reverse("admin:permits_ratingfollowup_change", args=[follow_up.pk])
    assert officer.get(change).status_code in (302, 403, 404)

    page = boss.get(change)
    assert page.status_code == 200 and "Waited two hours." in page.content.decode()
    response = boss.post(change, {"answer": "We added a second window at noon. Sorry."})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.answered_by == supervisor and not follow_up.is_open
    notice = Notification.objects.get(kind="rating_answered", recipient=app.filed_by)
    assert "second window" in notice.body
    assert not SmsMessage.objects.filter(notification=notice).exists()  # My Affairs only
    index = boss.get(reverse("admin:index")).content.decode()
    assert 'data-kind="follow_up"' not in index

    applicant = en_client()
    applicant.force_login(app.filed_by)
    detail = applicant.get(reverse("permits:application_detail", args=[app.pk]))
    assert "second window" in detail.content.decode()


def test_rejected_and_withdrawn_after_acceptance_are_invited_withdrawn_before_is_not():
    app = ApplicationFactory(submitted=True)
    staff = staff_for(app.station)
    svc.reject(user=staff["officer"], application=app, reason="other", note="Not here.")
    sms = SmsMessage.objects.get(notification__kind="application_rejected")
    assert LINK.search(sms.body)

    early = ApplicationFactory(submitted=True)
    svc.withdraw(user=early.filed_by, application=early)
    assert not Rating.objects.filter(application=early).exists()

    late = ApplicationFactory(accepted=True)
    svc.withdraw(user=late.filed_by, application=late)
    assert Rating.objects.filter(application=late).exists()
    invite = Notification.objects.get(kind="rating_invited", recipient=late.filed_by)
    assert LINK.search(invite.body) and LINK.search(invite.sms.body)


def test_report_shows_satisfaction_per_station_and_service_and_overdue_follow_ups(client):
    today = timezone.localdate()
    first = ApplicationFactory(collected=True)
    station = first.station
    for score, service in [(5, "new"), (4, "new"), (1, "renewal")]:
        app = first if service == "new" and score == 5 else None
        app = app or ApplicationFactory(
            collected=True, service=service, registration__house__station=station
        )
        rating = Rating.objects.create(application=app)
        rating_services.rate(rating=rating, score=score, user=app.filed_by)
    RatingFollowUp.objects.filter(station=station).update(due_on=today - datetime.timedelta(days=1))
    rows = {row["station"]: row for row in station_report(start=today, end=today)}
    row = rows[station]
    assert row["ratings"] == 3
    assert row["average_score"] == pytest.approx(3.3)
    assert row["satisfied_rate"] == 67
    assert row["follow_ups_overdue"] == 1
    by_service = {line["service"]: line for line in row["by_service"]}
    assert by_service["New permit"]["ratings"] == 2
    assert by_service["New permit"]["satisfied_rate"] == 100

    boss = en_client()
    boss.force_login(StaffFactory(supervisor=True))
    html = boss.get(reverse("admin:review_report")).content.decode()
    assert 'id="satisfaction-report"' in html and "67%" in html


def test_satisfaction_figures_cost_two_queries_whatever_the_ratings(
    django_assert_max_num_queries,
):
    today = timezone.localdate()
    for score in (5, 4, 2, 1, 3, 5):
        app = ApplicationFactory(collected=True)
        rating = Rating.objects.create(application=app)
        rating_services.rate(rating=rating, score=score, user=app.filed_by)
    from review.selectors import satisfaction_by_station

    with django_assert_max_num_queries(2):
        figures = satisfaction_by_station(Q(rated_at__date=today), today)
    assert sum(row["ratings"] for row in figures.values()) == 6
