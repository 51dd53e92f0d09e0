"""Issue 30: a daily job takes a lock, so two runs at once never do the same work (two retention
runs both deleted the same 26 files). Through the real Celery tasks, in-process; two worker
processes running it at once, and one killed mid-run: tests/services/test_retention_overlap.py."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from config.celery import app, scheduled_daily_jobs
from core.jobs import lease, release_lease, take_lease
from core.models import JobLock
from permits import tasks
from permits.services import retention
from review import tasks as review_tasks  # noqa: F401  (registers the audit job)
from tests.permits.test_retention import closed_application

FILES = 3


def expired_cases(settings):
    """FILES withdrawn cases, closed long ago: their identity photos are due for deletion."""
    settings.RETENTION_IDENTITY_PHOTOS_DAYS = 1
    names = []
    for _ in range(FILES):
        application, _material = closed_application(withdrawn=True)
        names.append(application.person.id_card_front.name)
    assert all(default_storage.exists(name) for name in names)
    return names


def counting_deletes(monkeypatch, during_first=None):
    """Count every file the retention job deletes; ``during_first`` runs inside the first."""
    deleted = []
    real = retention._delete_stored

    def delete(field_file):
        if field_file and during_first and not deleted:
            deleted.append("…")  # mark the first call, then let the overlap happen
            during_first()
            deleted.pop()
        done = real(field_file)
        if done:
            deleted.append(field_file.name)
        return done

    monkeypatch.setattr(retention, "_delete_stored", delete)
    return deleted


@pytest.mark.django_db
def test_a_second_run_during_the_first_deletes_nothing(settings, monkeypatch):
    names = expired_cases(settings)
    second = {}

    def second_run():
        second["result"] = tasks.delete_expired_files.apply().result

    deleted = counting_deletes(monkeypatch, during_first=second_run)
    first = tasks.delete_expired_files.apply().result
    assert second["result"] is None  # it found the job running and did nothing
    assert first["identity_photos"]["files"] >= FILES
    assert len(deleted) == len(set(deleted))  # no file deleted twice
    assert not any(default_storage.exists(name) for name in names)
    # the lease is free again: the next day's run runs
    assert tasks.delete_expired_files.apply().result is not None


@pytest.mark.django_db
def test_every_daily_job_takes_the_lock():
    jobs = scheduled_daily_jobs()
    assert "permits.delete_expired_files" in jobs and len(jobs) >= 9
    for name in jobs:
        assert getattr(app.tasks[name].run, "single_run", None), name


@pytest.mark.django_db
def test_a_lease_left_by_a_killed_run_expires():
    token = take_lease("job")
    assert token and take_lease("job") is None
    JobLock.objects.filter(name="job").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )  # its run was killed: nobody released it, the lease ran out
    fresh = take_lease("job")
    assert fresh
    release_lease("job", token)  # the killed run's late release frees nothing of the new one
    assert take_lease("job") is None
    release_lease("job", fresh)
    with lease("job") as held:
        assert held


@pytest.mark.django_db
def test_a_skipped_run_is_not_recorded_as_the_jobs_success():
    """A run that found the job running elsewhere did nothing: monitoring (JobRun, the
    /metrics gauge and /healthz's stale jobs) must not count it as the job's success while
    the run doing the work may still fail. The run that does the work is recorded."""
    from core.jobs import last_successes

    name = "permits.delete_expired_files"
    holder = take_lease(f"{tasks.delete_expired_files.run.__module__}.delete_expired_files")
    assert holder
    assert tasks.delete_expired_files.apply().result is None  # skipped: the lease is held
    assert last_successes([name])[name] is None
    release_lease(f"{tasks.delete_expired_files.run.__module__}.delete_expired_files", holder)
    assert tasks.delete_expired_files.apply().result is not None
    assert last_successes([name])[name] is not None
