"""docker-compose.yml and the Dockerfile stay the deployment on one host and match the project
and the production smoke suite (issue 19): every service's command, queue and variable exists.
Every app (any top-level package, found on disk) is installed by pyproject's package discovery,
with its templates, and copied into the image before `pip install .`."""

import re
import shlex
import tomllib
from glob import glob
from pathlib import Path

import pytest
import yaml
from setuptools import find_namespace_packages, find_packages

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
            ("python", "manage.py"),  # migrate
            ("python", "manage.py"),  # collectstatic, into the volume nginx serves
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


# Every top-level package of the project (config and the apps), found on disk, not listed here
PACKAGES = sorted(
    p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"
)
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").is_file())


def test_the_apps_are_found_on_disk():
    assert "kiosk" in APPS and set(APPS) <= set(PACKAGES)


def shipped_files(package: str) -> list[Path]:
    """The package's modules and its data (templates, static), as the image and wheel need."""
    files = [p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts]
    for data in ("templates", "static"):
        files += [p for p in (ROOT / package / data).rglob("*") if p.is_file()]
    return files


def test_pyproject_installs_every_app_with_its_templates_and_no_tests():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    find = setuptools["packages"]["find"]
    finder = find_namespace_packages if find.get("namespaces", True) else find_packages
    found = finder(
        where=str(ROOT / find.get("where", ["."])[0]),
        include=find.get("include", ["*"]),
        exclude=find.get("exclude", []),
    )
    missing = sorted(set(PACKAGES) - set(found))
    assert missing == [], f"not installed by pyproject's package discovery: {missing}"
    assert not [p for p in found if p == "tests" or p.startswith("tests.")]
    assert not [p for p in found if "." not in p and p not in PACKAGES]  # no stray top-level dirs

    data = setuptools.get("package-data", {})
    for package in PACKAGES:
        patterns = data.get("*", []) + data.get(package, [])
        matched = {
            ROOT / package / name
            for pattern in patterns
            for name in glob(pattern, root_dir=ROOT / package, recursive=True)
        }
        modules = {p for p in shipped_files(package) if p.suffix == ".py"}
        unshipped = sorted(str(p.relative_to(ROOT)) for p in set(shipped_files(package)) - modules)
        unshipped = [name for name in unshipped if ROOT / name not in matched]
        assert unshipped == [], f"{package}: data files left out of the wheel: {unshipped[:5]}"


def dockerignore_pattern(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go's filepath.Match from the context's root, plus **) as a
    regular expression over a relative path."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            regex, i = regex + pattern[i : end + 1].replace("[!", "[^"), end + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.compile(regex)


def dockerignored(path: str) -> bool:
    """Whether the build context leaves ``path`` out: the last pattern matching it, or one of its
    parent directories, decides, and ``!`` brings a path back."""
    ignore = ROOT / ".dockerignore"
    lines = ignore.read_text().splitlines() if ignore.exists() else []
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = dockerignore_pattern(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def test_the_dockerfile_copies_every_app_before_installing_the_project():
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = []  # sources of the COPY lines before `pip install .`
    for line in dockerfile.splitlines():
        if re.match(r"RUN pip install \.(\s|$)", line):
            break
        if line.startswith("COPY ") and "--from" not in line:
            copied += [source.rstrip("/") for source in line.split()[1:-1]]
    else:
        pytest.fail("the Dockerfile never runs `pip install .`")
    for package in PACKAGES:
        for path in shipped_files(package):
            name = str(path.relative_to(ROOT))
            by = [s for s in copied if s == "." or name == s or name.startswith(f"{s}/")]
            assert by and not dockerignored(name), f"not in the image: {name}"


def test_the_dockerignore_keeps_local_files_out():
    for local in (".git/HEAD", ".venv/bin/python", "node_modules/x/index.js", "var/db.sqlite3"):
        assert dockerignored(local), local
    assert dockerignored("permits/__pycache__/models.cpython-311.pyc")
    assert not dockerignored(".env.example") and not dockerignored("kiosk/apps.py")


def test_the_dockerfile_runs_the_web_command_of_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
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
