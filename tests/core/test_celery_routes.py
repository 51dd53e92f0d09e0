"""Queues that do not block each other: SMS on `sms`, the daily jobs on `daily`, the rest on
the default queue (config/celery.py)."""

import pytest

from config.celery import DAILY_QUEUE, DEFAULT_QUEUE, SMS_QUEUE, app, crontab


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name, args=(), kwargs={})
    return route["queue"].name


def test_sms_task_goes_to_the_sms_queue():
    assert queue_of("notifications.send_sms") == SMS_QUEUE


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule))
def test_each_beat_job_goes_to_its_queue(entry):
    task = app.conf.beat_schedule[entry]["task"]
    schedule = app.conf.beat_schedule[entry]["schedule"]
    if task.startswith(("notifications.", "wechat.")):  # the SMS and WeChat sweeps, every minute
        assert queue_of(task) == SMS_QUEUE
    else:  # a daily job: once a day at a fixed hour
        assert isinstance(schedule, crontab)
        assert len(schedule.hour) == 1 and len(schedule.minute) == 1
        assert queue_of(task) == DAILY_QUEUE


def test_daily_follow_up_and_other_tasks():
    assert queue_of("permits.notify_suspended_holders") == DAILY_QUEUE
    assert queue_of("applicants.run_identity_verifier") == DEFAULT_QUEUE
    assert app.conf.task_default_queue == DEFAULT_QUEUE
