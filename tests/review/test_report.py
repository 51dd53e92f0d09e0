"""The supervisors' report: per station and period, received, accepted, approved, rejected,
median and 90th-percentile days from acceptance to production, overdue now, first-time
approval rate."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permits import rules
from review.selectors import percentile, station_report
from tests.factories import StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_percentile_interpolates():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_station_report_figures():
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    here, there = StationFactory(), StationFactory()
    on = {"registration__house__station": here}
    # produced 2, 4, 6 and 10 days after acceptance; one of them after a supplement request
    for days, supplement in [(2, False), (4, False), (6, True), (10, False)]:
        accepted = today - datetime.timedelta(days=20)
        ApplicationFactory(
            produced=True,
            submitted_at=at(accepted),
            accepted_at=at(accepted),
            decided_at=at(accepted + datetime.timedelta(days=1)),
            produced_at=at(accepted + datetime.timedelta(days=days)),
            supplement_requested_at=at(accepted) if supplement else None,
            **on,
        )
    ApplicationFactory(rejected=True, submitted_at=at(today), decided_at=at(today), **on)
    ApplicationFactory(
        accepted=True,
        submitted_at=at(today),
        accepted_at=at(today),
        deadline=today - datetime.timedelta(days=1),
        **on,
    )
    # outside the period, and another station
    old = today - datetime.timedelta(days=90)
    ApplicationFactory(rejected=True, submitted_at=at(old), decided_at=at(old), **on)
    ApplicationFactory(submitted=True, registration__house__station=there)

    rows = {row["station"]: row for row in station_report(start=start, end=today)}
    row = rows[here]
    assert row["received"] == 6
    assert row["accepted"] == 5
    assert row["approved"] == 4
    assert row["rejected"] == 1
    assert row["produced"] == 4
    # in the statutory days the deadline counts (working days by default), not calendar days
    accepted = today - datetime.timedelta(days=20)
    mode = rules.configured_day_mode()
    days = sorted(
        rules.count_days(accepted, accepted + datetime.timedelta(days=n), mode=mode)
        for n in (2, 4, 6, 10)
    )
    assert row["median_days"] == round(percentile(days, 0.5), 1)
    assert row["p90_days"] == pytest.approx(round(percentile(days, 0.9), 1))
    assert row["overdue"] == 1
    assert row["first_time_rate"] == 60  # 3 of 5 decisions
    assert rows[there]["received"] == 1 and rows[there]["first_time_rate"] is None


def test_report_page_is_for_supervisors(client):
    station = StationFactory()
    ApplicationFactory(submitted=True, registration__house__station=station)
    url = reverse("admin:review_report")
    client.force_login(StaffFactory(officer=True, station=station))
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory(supervisor=True))
    response = client.get(url)
    assert response.status_code == 200
    assert f'data-station="{station.code}"' in response.content.decode()
    today = timezone.localdate()
    bad = client.get(url, {"start": today.isoformat(), "end": "2000-01-01"})
    assert "must start before" in bad.content.decode()


def test_report_period_inputs_are_iso_dates():
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")  # a browser's date input needs ISO
    client.force_login(StaffFactory(supervisor=True))
    html = client.get(reverse("admin:review_report")).content.decode()
    first = timezone.localdate().replace(day=1).isoformat()
    assert f'value="{first}"' in html
