"""The Celery app. Tasks are thin: they take a primary key, re-fetch, and call a service.

Settings come from Django settings (CELERY_* names). The beat schedule lives here, in code.
"""

import logging
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_success

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

# A task whose worker dies is redelivered once the visibility timeout passes; tasks are written
# to be idempotent, so acks_late + reject_on_worker_lost never loses work and never doubles it.
VISIBILITY_TIMEOUT = 60 * 60  # seconds; longer than any task's hard time limit
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=120,
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # A request must never hang because Redis is down: publishing retries briefly, then
        # fails; the periodic sweep picks up whatever was saved but not enqueued.
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    task_publish_retry=True,
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    result_backend=None,
    task_ignore_result=True,
    timezone=os.environ.get("TIME_ZONE", "Asia/Shanghai"),
    # One schedule memory for every beat, in the database (django-celery-beat), read only by the
    # beat holding the lock (config/beat.py, issue 30).
    beat_scheduler="config.beat:SingleDatabaseScheduler",
    beat_schedule={
        # SMS left `queued` (Redis down at commit, lost task) are re-enqueued; never sent twice.
        "notifications-sweep-queued-sms": {
            "task": "notifications.sweep_queued_sms",
            "schedule": 60.0,
        },
        # WeChat notices left `queued` likewise (issue 26)
        "wechat-sweep-queued-notices": {"task": "wechat.sweep_queued_notices", "schedule": 60.0},
        # permits: suspension just after midnight, reminders in the morning (never SMS at night)
        "permits-suspend-overdue": {
            "task": "permits.suspend_overdue_permits",
            "schedule": crontab(hour=0, minute=30),
        },
        "permits-endorsement-reminders": {
            "task": "permits.send_endorsement_reminders",
            "schedule": crontab(hour=9, minute=0),
        },
        # issue 17: reminders nobody else sends (each once, by event key)
        "permits-uncollected-card-reminders": {
            "task": "permits.send_uncollected_card_reminders",
            "schedule": crontab(hour=9, minute=10),
        },
        "permits-change-due-reminders": {
            "task": "permits.send_change_due_reminders",
            "schedule": crontab(hour=9, minute=20),
        },
        "permits-turned-16-notices": {
            "task": "permits.send_turned_16_notices",
            "schedule": crontab(hour=9, minute=30),
        },
        "permits-appointment-reminders": {
            "task": "permits.send_appointment_reminders",
            "schedule": crontab(hour=9, minute=40),
        },
        # Administrative Licensing Law Art. 32: unanswered submissions deemed accepted
        "permits-deem-submissions-accepted": {
            "task": "permits.deem_submissions_accepted",
            "schedule": crontab(hour=0, minute=45),
        },
        # retention: personal files past their period, then old audit records (README)
        "permits-delete-expired-files": {
            "task": "permits.delete_expired_files",
            "schedule": crontab(hour=2, minute=15),
        },
        "review-delete-old-audit-events": {
            "task": "review.delete_old_audit_events",
            "schedule": crontab(hour=2, minute=45),
        },
    },
)
app.autodiscover_tasks()

# --- Queues -------------------------------------------------------------------------------------
# Three queues so that one kind of work never waits behind another: SMS (codes must arrive within
# seconds, whatever else is running), the daily jobs (a suspension run over a million permits may
# take minutes) and the default queue for the rest (identity checks, ...). Production runs a
# worker per queue (docker-compose.yml: worker-sms, worker-daily, worker); one worker may also
# serve several (`-Q default,sms,daily`, as `make worker` and the production smoke suite do).
DEFAULT_QUEUE = "default"
SMS_QUEUE = "sms"
DAILY_QUEUE = "daily"
ALL_QUEUES = (DEFAULT_QUEUE, SMS_QUEUE, DAILY_QUEUE)
TASK_QUEUES = {
    "notifications.send_sms": SMS_QUEUE,
    "notifications.reconcile_sms": SMS_QUEUE,
    # the SMS work of a phone-code request (issue 14: same request work for every number)
    "applicants.deliver_phone_code": SMS_QUEUE,
    # every minute; re-enqueues SMS, so it must not wait behind a long daily job
    "notifications.sweep_queued_sms": SMS_QUEUE,
    # results by WeChat travel with the SMS (issue 26)
    "wechat.send_notice": SMS_QUEUE,
    "wechat.sweep_queued_notices": SMS_QUEUE,
    "permits.suspend_overdue_permits": DAILY_QUEUE,
    "permits.notify_suspended_holders": DAILY_QUEUE,
    "permits.send_endorsement_reminders": DAILY_QUEUE,
    "permits.send_uncollected_card_reminders": DAILY_QUEUE,
    "permits.send_change_due_reminders": DAILY_QUEUE,
    "permits.send_turned_16_notices": DAILY_QUEUE,
    "permits.send_appointment_reminders": DAILY_QUEUE,
    "permits.notify_endorsement_due": DAILY_QUEUE,
    "permits.deem_submissions_accepted": DAILY_QUEUE,
    "permits.notify_deemed_accepted": DAILY_QUEUE,
    "permits.delete_expired_files": DAILY_QUEUE,
    "review.delete_old_audit_events": DAILY_QUEUE,
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the queue named in TASK_QUEUES, else the default queue. A function (not a
    static table) so that a test may route everything to a queue of its own by clearing
    TASK_QUEUES for its duration."""
    queue = TASK_QUEUES.get(name)
    return {"queue": queue} if queue else None


app.conf.task_default_queue = DEFAULT_QUEUE
app.conf.task_routes = (route_task,)


def add_periodic(name: str, task: str, schedule) -> None:
    """Register a beat entry (called from each app's tasks module at import)."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}


def scheduled_daily_jobs() -> list[str]:
    """The task names beat runs on the daily queue (what /healthz and /metrics watch)."""
    return sorted(
        {
            entry["task"]
            for entry in app.conf.beat_schedule.values()
            if TASK_QUEUES.get(entry["task"]) == DAILY_QUEUE
        }
    )


@task_success.connect(dispatch_uid="portal_record_daily_job_success")
def _record_daily_job_success(sender=None, **kwargs) -> None:
    """A daily job that finished without an error records when (core.JobRun)."""
    name = getattr(sender, "name", "")
    if TASK_QUEUES.get(name) != DAILY_QUEUE:
        return
    from core.jobs import record_success, was_skipped

    if was_skipped(sender):  # another run was doing the work: not this run's success
        return

    try:
        record_success(name)
    except Exception:  # the job did its work; a failed bookkeeping write must not fail it
        logging.getLogger(__name__).exception("could not record the run of %s", name)


from django.db.models.signals import post_migrate  # noqa: E402

from .beat import sync_schedule  # noqa: E402  (one beat at a time, one schedule memory)


def _sync_schedule_after_migrate(sender=None, **kwargs) -> None:
    """The schedule above written into the database after `migrate` (config/beat.py)."""
    if getattr(sender, "name", "") == "django_celery_beat":
        sync_schedule(app)


post_migrate.connect(_sync_schedule_after_migrate, dispatch_uid="portal_sync_beat_schedule")

__all__ = [
    "ALL_QUEUES",
    "DAILY_QUEUE",
    "DEFAULT_QUEUE",
    "SMS_QUEUE",
    "TASK_QUEUES",
    "VISIBILITY_TIMEOUT",
    "add_periodic",
    "app",
    "crontab",
    "route_task",
    "scheduled_daily_jobs",
]
