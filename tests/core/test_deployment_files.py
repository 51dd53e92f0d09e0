"""docker-compose.yml and the Dockerfile stay the deployment on one host and match the project
and the production smoke suite (issue 19): every service's command, queue and variable exists."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from config.celery import ALL_QUEUES
from tests.production import conftest as production

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = {name: s for name, s in SERVICES.items() if s.get("build") == "."}
SETTINGS = (ROOT / "config" / "settings.py").read_text()
# Variables the project reads: env.<cast>("NAME"...) / env("NAME"...) in the one settings module
READ = set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z0-9_]+)["']""", SETTINGS))
READ |= {"WEB_CONCURRENCY"}  # gunicorn reads it itself


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_the_app_services_are_the_processes_of_the_deployment():
    commands = {name: s["command"] for name, s in APP_SERVICES.items()}
    kinds = {name: (c[0], c[3] if c[0] == "celery" else c[1]) for name, c in commands.items()}
    assert sorted(kinds.values()) == sorted(
        [
            ("python", "manage.py"),
            ("gunicorn", "config.wsgi:application"),
            ("celery", "worker"),
            ("celery", "worker"),
            ("celery", "worker"),
            ("celery", "beat"),
        ]
    )
    assert [k for k in kinds.values() if k == ("celery", "beat")] == [("celery", "beat")]
    for command in commands.values():
        if command[0] == "celery":
            assert option(command, "-A") == "config" and (ROOT / "config" / "celery.py").exists()
        if command[0] == "python":
            assert (ROOT / command[1]).exists()


def test_the_workers_serve_every_queue_and_only_known_ones():
    queues = [
        option(s["command"], "-Q")
        for s in APP_SERVICES.values()
        if s["command"][:4] == ["celery", "-A", "config", "worker"]
    ]
    served = {q for spec in queues for q in spec.split(",")}
    assert served == set(ALL_QUEUES)


def test_every_variable_compose_sets_for_the_app_is_read_by_the_settings():
    names = set()
    for service in APP_SERVICES.values():
        names |= set(service.get("environment", {}))
    unknown = sorted(names - READ)
    assert unknown == [], f"set in docker-compose.yml but never read: {unknown}"


def test_the_dockerfile_builds_every_app_and_runs_the_web_command_of_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("config", "core", "applicants", "permits", "review", "notifications"):
        assert f"COPY {package} ./{package}" in dockerfile
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    assert yaml.safe_load(cmd) == SERVICES["web"]["command"]


@pytest.mark.parametrize(
    "compose_service, suite_command",
    [("web", production.GUNICORN), ("worker", production.WORKER), ("beat", production.BEAT)],
)
def test_the_smoke_suite_starts_what_compose_runs(compose_service, suite_command):
    compose = SERVICES[compose_service]["command"]
    suite = shlex.split(" ".join(suite_command))
    assert suite[0] == "-m"  # python -m <program>: the same program as compose runs
    program, rest = suite[1], suite[2:]
    assert program == compose[0]
    shared = [token for token in rest if not token.startswith("--concurrency")]
    assert all(token in compose for token in shared), (shared, compose)
