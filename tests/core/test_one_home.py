"""One fact, one home (issue 24, acceptance 2): what a service is lives in its module of
``permits.service_types``, what a paper is in its module of ``permits.papers``. Outside them no
code or template branches on a particular service or kind of paper; everything else asks the
declaration (``application.service_type.rewrites_card``, ``papers.get(kind).title``)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "core", "notifications", "applicants", "permits", "kiosk", "review", "templates")
SERVICE_HOMES = (
    ROOT / "permits" / "service_types",
    ROOT / "permits" / "templates" / "permits" / "service_types",
)
PAPER_HOMES = (ROOT / "permits" / "papers",)

SERVICE_CODES = "new|renewal|change|replacement|cancellation"
# Python: a member of a service enum, or a service compared with a literal code
SERVICE_BRANCH_PY = re.compile(
    rf"\bService\.[A-Z]+\b|service\w*\s*(==|!=|in)\s*[(\[]?\s*[\"']({SERVICE_CODES})[\"']"
)
# Templates: {% if application.service == "renewal" %} and the like
SERVICE_BRANCH_HTML = re.compile(rf"service\s*(==|!=|in)\s*[\"']({SERVICE_CODES})[\"']")
# Papers: a chain on the kind of a paper
PAPER_CODES = "acceptance|supplement|refusal|handover|residence_certificate"
PAPER_BRANCH = re.compile(
    rf"\bkind\s*(==|!=)\s*(DocumentKind\.|[\"']({PAPER_CODES})[\"'])|DocumentKind\.\w+\s*:\s*_\("
)


def _files(suffixes, homes):
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in suffixes or "migrations" in path.parts:
                continue
            if any(path.is_relative_to(home) for home in homes):
                continue
            yield path


def _hits(pattern, suffixes, homes):
    found = []
    for path in _files(suffixes, homes):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_code_outside_the_service_modules_branches_on_a_service():
    assert _hits(SERVICE_BRANCH_PY, {".py"}, SERVICE_HOMES) == []


def test_no_template_outside_the_service_modules_branches_on_a_service():
    assert _hits(SERVICE_BRANCH_HTML, {".html", ".txt"}, SERVICE_HOMES) == []


def test_no_chain_on_the_kind_of_a_paper_outside_the_paper_modules():
    assert _hits(PAPER_BRANCH, {".py"}, PAPER_HOMES) == []


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("if application.service in (Service.RENEWAL, Service.CHANGE):", SERVICE_BRANCH_PY),
        ('    if app.service == "cancellation":', SERVICE_BRANCH_PY),
        ('{% elif application.service == "renewal" %}', SERVICE_BRANCH_HTML),
        ("    if kind == DocumentKind.ACCEPTANCE:", PAPER_BRANCH),
        ('    DocumentKind.HANDOVER: _("Receipt of handover"),', PAPER_BRANCH),
    ],
)
def test_the_checker_sees_a_branch(line, pattern):
    assert pattern.search(line)


def test_the_checker_lets_the_declarations_be():
    assert not SERVICE_BRANCH_PY.search("if application.service_type.rewrites_card:")
    assert not SERVICE_BRANCH_HTML.search("{% if application.service_type.returns_card %}")
