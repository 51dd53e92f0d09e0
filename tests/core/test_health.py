import pytest
from django.db import connection

from tests.cache_support import unreachable_caches

pytestmark = pytest.mark.django_db


def test_healthz_ok_in_embedded_default(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "cache", "broker")} == {
        "database": "ok",
        "cache": "ok",
        "broker": "eager",
    }
    assert "down" not in body


def test_healthz_names_the_cache_when_it_is_down(client, settings):
    settings.CACHES = unreachable_caches(timeout=0.5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["cache"] == "down"
    assert body["down"] == ["cache"]
    assert "Traceback" not in response.content.decode()


def test_healthz_names_the_broker_when_it_is_down(client, settings):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["down"] == ["broker"]
    assert app is not None


def test_healthz_names_the_database_when_it_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_reports_the_oldest_queued_sms_and_stale_daily_jobs(client, settings):
    """Reported, not failing: a web node stays in service while a worker is looked at."""
    import datetime

    from django.utils import timezone

    from config.celery import scheduled_daily_jobs
    from core.jobs import record_success
    from notifications.models import SmsMessage

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    jobs = scheduled_daily_jobs()
    assert jobs, "beat schedules daily jobs"
    now = timezone.now()
    for name in jobs:
        record_success(name, at=now - datetime.timedelta(hours=30))
    record_success(jobs[0], at=now - datetime.timedelta(days=2, minutes=1))
    sms = SmsMessage.objects.create(recipient_phone="+8613800138000", body="x")
    SmsMessage.objects.filter(pk=sms.pk).update(
        status="queued", created_at=now - datetime.timedelta(minutes=5)
    )

    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["daily_jobs"] == {"not_run_for_two_days": [jobs[0]]}
    assert 290 <= body["sms_oldest_queued_seconds"] <= 400

    record_success(jobs[0])
    assert client.get("/healthz").json()["daily_jobs"] == "ok"


def test_a_daily_job_records_its_success_and_a_failed_one_does_not(settings):
    """The Celery signal writes core.JobRun for tasks on the daily queue only."""
    from celery import shared_task

    from config.celery import DAILY_QUEUE, TASK_QUEUES
    from core.models import JobRun

    @shared_task(name="tests.daily_ok")
    def daily_ok():
        return 1

    @shared_task(name="tests.daily_fails")
    def daily_fails():
        raise RuntimeError("boom")

    @shared_task(name="tests.not_daily")
    def not_daily():
        return 1

    TASK_QUEUES.update({"tests.daily_ok": DAILY_QUEUE, "tests.daily_fails": DAILY_QUEUE})
    try:
        daily_ok.apply()
        with pytest.raises(RuntimeError):
            daily_fails.apply(throw=True)
        not_daily.apply()
    finally:
        TASK_QUEUES.pop("tests.daily_ok")
        TASK_QUEUES.pop("tests.daily_fails")
    assert set(JobRun.objects.values_list("name", flat=True)) == {"tests.daily_ok"}
