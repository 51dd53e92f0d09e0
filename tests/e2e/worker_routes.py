"""Imported by the browser suite's Celery worker (``celery worker -I tests.e2e.worker_routes``):
every task that worker enqueues (the SMS a phone-code task creates, say) goes to the test's own
queue, as the test process routes its own (see ``celery_tasks`` in conftest.py)."""

import os

from config.celery import TASK_QUEUES, app

_queue = os.environ.get("TEST_WORKER_QUEUE")
if _queue:
    TASK_QUEUES.clear()
    app.conf.task_default_queue = _queue
