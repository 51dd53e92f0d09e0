"""GET /metrics: only with the bearer token or from a configured address; 404 otherwise."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = "scrape-token-123"
    settings.METRICS_ALLOWED_IPS = ["10.1.2.3", "192.168.50.0/24"]
    return settings


def test_the_right_token_gets_prometheus_text_with_the_portal_gauges(client, metrics_settings):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "django_http_requests_total_by_method_total" in body
    for gauge in (
        "portal_sms_oldest_queued_age_seconds",
        "portal_identities_waiting",
        "portal_applications_waiting",
        "portal_sms_messages",
    ):
        assert f"# TYPE {gauge} gauge" in body


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": "scrape-token-123"},
        {"HTTP_AUTHORIZATION": "Basic scrape-token-123"},
        {"REMOTE_ADDR": "10.1.2.4"},
        {"REMOTE_ADDR": "192.168.51.1"},
        {"HTTP_X_FORWARDED_FOR": "10.1.2.3"},  # a header anyone can send counts for nothing
    ],
)
def test_anyone_else_gets_404(client, metrics_settings, headers):
    assert client.get("/metrics", **headers).status_code == 404


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.50.77"])
def test_a_configured_address_gets_it_without_a_token(client, metrics_settings, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


def test_nothing_configured_means_nobody(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics").status_code == 404


def test_a_staff_session_is_not_enough(client, metrics_settings):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=True))
    assert client.get("/metrics").status_code == 404


def test_registering_the_gauges_asks_the_database_nothing(django_assert_num_queries):
    """prometheus_client asks ``describe()`` at registration: a process starting before its
    database is migrated (manage.py check, migrate) must not query it."""
    from review.metrics import PortalCollector

    with django_assert_num_queries(0):
        names = {family.name for family in PortalCollector().describe()}
    assert "portal_sms_messages" in names


def test_the_last_success_of_each_daily_job_is_a_gauge(client, metrics_settings):
    import datetime

    from django.utils import timezone

    from config.celery import scheduled_daily_jobs
    from core.jobs import record_success

    jobs = scheduled_daily_jobs()
    when = timezone.now() - datetime.timedelta(hours=3)
    record_success(jobs[0], at=when)
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123").content.decode()
    line = f'portal_daily_job_last_success_timestamp_seconds{{job="{jobs[0]}"}}'
    value = next(row for row in body.splitlines() if row.startswith(line)).split()[-1]
    assert abs(float(value) - when.timestamp()) < 1
    never = f'portal_daily_job_last_success_timestamp_seconds{{job="{jobs[-1]}"}} 0.0'
    assert len(jobs) == 1 or never in body


def test_applications_waiting_counts_open_cases_only(client, metrics_settings):
    """Finished cases (collected, completed cancellations, ...) wait for nobody."""
    from tests.permits.factories import ApplicationFactory

    open_case = ApplicationFactory(submitted=True)
    for state in ("collected", "completed", "rejected", "withdrawn"):
        ApplicationFactory(**{state: True}, station=open_case.station)
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123").content.decode()
    rows = [r for r in body.splitlines() if r.startswith("portal_applications_waiting{")]
    assert rows == [
        f'portal_applications_waiting{{state="submitted",station="{open_case.station_id}"}} 1.0'
    ]
