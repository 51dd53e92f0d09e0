"""SMS and daily jobs run on their own queues, so a long daily run never delays a sign-up code
(issue 19): a worker per queue, as docker-compose runs them, with a real Celery worker each."""

import subprocess
import sys
import time

import pytest

from applicants import services as applicant_services
from config import celery as celery_config
from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from tests.services.conftest import ROOT, worker_base_env

pytestmark = pytest.mark.services

SLOW_SECONDS = 20
PHONE = "+8613712340019"


def start_worker(queue: str, log_path, env, *extra) -> tuple[subprocess.Popen, object]:
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
            "-Q", queue, "-n", f"{queue}@%h", *extra,
        ],
        cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return proc, log_path


def wait_ready(proc, log_path) -> None:
    deadline = time.monotonic() + 40
    while "ready." not in log_path.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)


@pytest.fixture
def queues(transactional_db, tmp_path):
    """A worker on the real `sms` queue and one on the real `daily` queue (the routing the
    workers themselves use when a task enqueues another), as docker-compose runs them."""
    sms_queue, daily_queue = celery_config.SMS_QUEUE, celery_config.DAILY_QUEUE
    env = worker_base_env(tmp_path)
    workers = [
        start_worker(sms_queue, tmp_path / "worker-sms.log", env),
        start_worker(
            daily_queue, tmp_path / "worker-daily.log", env, "-I", "tests.services.slow_tasks"
        ),
    ]
    for proc, log_path in workers:
        wait_ready(proc, log_path)
    try:
        yield daily_queue
    finally:
        for proc, _log in workers:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def test_a_code_arrives_in_seconds_while_a_long_daily_job_runs(queues, tmp_path):
    marker = str(tmp_path / "slow")
    celery_config.app.send_task("tests.slow_daily_job", args=(marker, SLOW_SECONDS), queue=queues)
    deadline = time.monotonic() + 20
    while not (tmp_path / "slow.started").exists():
        assert time.monotonic() < deadline, "the daily worker never started the slow job"
        time.sleep(0.2)

    asked = time.monotonic()
    applicant_services.request_phone_code(phone=PHONE, purpose="sign_up")
    sent = None
    while time.monotonic() - asked < 10:
        sent = SmsMessage.objects.filter(recipient_phone=PHONE, status=SmsStatus.SENT).first()
        if sent:
            break
        time.sleep(0.2)
    took = time.monotonic() - asked
    print(f"code sent {took:.1f} s after the request, the daily job still running")
    assert sent is not None, "the code did not arrive while the daily job ran"
    assert not (tmp_path / "slow.finished").exists()
    assert took < SLOW_SECONDS / 2
