"""A Content-Security-Policy on every page (issue 14 point 7): django-csp, no 'unsafe-inline', and
no inline script, style element or style attribute left in our templates, our admin code or the
pages Django admin draws for our models."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from review.models import AuditEvent
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
        assert directives[name] == ["'self'"]


def test_an_applicant_page_has_the_policy(client):
    client.force_login(UserFactory())
    response = client.get(reverse("applicants:identity"))
    assert response.status_code == 200
    assert_strict(response)
    assert_strict(client.get("/"))


def test_admin_pages_have_the_policy(client):
    client.force_login(StaffFactory(supervisor=True))
    AuditEvent.objects.create(event="login")
    for url in (reverse("admin:index"), reverse("admin:review_auditevent_changelist")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def inline_code(html: str) -> list[str]:
    found = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=\"|\son[a-z]+=\"", html)
    return found


def test_every_admin_list_and_form_has_no_inline_code(client):
    """Every model's list, add and change page, as a superuser: no inline script, no <style>
    element, no style attribute, no on...= handler (Django admin's own templates included)."""
    from django.contrib import admin

    from tests.permits.factories import ApplicationFactory

    application = ApplicationFactory(submitted=True)
    AuditEvent.objects.create(event="login")
    client.force_login(StaffFactory(is_superuser=True))
    offenders, seen = {}, []
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        row = model.objects.order_by("pk").first()
        if row is not None:
            urls.append(reverse(f"{name}_change", args=[row.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            seen.append(url)
            found = inline_code(response.content.decode())
            if found:
                offenders[url] = found[:3]
    assert reverse("admin:permits_permitapplication_change", args=[application.pk]) in seen
    assert len(seen) > 20, seen
    assert not offenders, offenders
    assert not inline_code(client.get(reverse("admin:index")).content.decode())


def test_the_api_docs_page_has_the_policy_and_no_inline_code(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert_strict(response)
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script has a src
    assert "<style" not in html and "style=" not in html
    script = re.search(r'<script src="([^"]*\?script[^"]*)"', html).group(1)
    assert client.get(script.replace("&amp;", "&")).status_code == 200
    # Redoc (styled-components) needs inline styles: that page alone allows them, never scripts
    redoc = client.get(reverse("api-redoc"))
    directives = policy(redoc)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", redoc.content.decode())


def test_protected_uploads_keep_their_own_sandbox_policy(client):
    """The file responses set a stricter policy of their own; the middleware leaves it."""
    from core.uploads import PROTECTED_FILE_CSP
    from tests.factories import IdentityFactory

    identity = IdentityFactory()
    client.force_login(identity.account)
    response = client.get(reverse("applicants:identity_file", args=[identity.pk, "front"]))
    if response.status_code == 200:
        assert response["Content-Security-Policy"] == PROTECTED_FILE_CSP


# Django's templates and the Jinja2 ones (the staff queue and desk, core.jinja2)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/jinja2")]
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style[\s>]|\son[a-z]+=|javascript:", re.I
)
# Rendered to PDF by WeasyPrint (never served as a page, so no CSP applies).
NOT_PAGES = ("permits/templates/permits/documents/",)


def test_no_template_has_inline_script_or_style():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            relative = str(path.relative_to(ROOT))
            if relative.startswith(NOT_PAGES):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if INLINE.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()[:80]}")
    assert not offenders, "\n".join(offenders)


def test_no_python_html_has_inline_styles():
    offenders = []
    for app in ("applicants", "permits", "review", "notifications", "core", "config"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            if re.search(r"""['"][^'"]*\sstyle=""", text) or "<script>" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


# --- the policy built once (issue 18, core.csp) -------------------------------------------------
def test_the_header_is_the_one_django_csp_builds(client):
    """The site-wide policy, built once and reused, is the string django-csp itself builds, on
    every request, and a report-only policy comes along when one is set."""
    from csp.utils import build_policy

    first, second = client.get("/"), client.get("/")
    assert first["Content-Security-Policy"] == build_policy()
    assert second["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in first


def test_a_changed_setting_changes_the_header(client, settings):
    from csp.utils import build_policy

    client.get("/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = client.get("/")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    report_only = response["Content-Security-Policy-Report-Only"]
    assert "img-src 'self'" in report_only
    assert report_only == build_policy(report_only=True)


def test_a_page_with_its_own_policy_keeps_it(client):
    """Redoc widens style-src with django-csp's decorator: that response is built by django-csp,
    not given the site's string, and the next page has the strict one again."""
    assert_strict(client.get("/"))
    response = client.get(reverse("api-redoc"))
    assert response.status_code == 200
    directives = policy(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "blob:" in directives["worker-src"]
    assert_strict(client.get("/"))


def test_excluded_prefixes_and_exempt_views_get_no_header(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }
    assert "Content-Security-Policy" not in client.get("/healthz")
    assert "Content-Security-Policy" in client.get("/")


def test_the_site_policy_is_built_once(client, monkeypatch):
    """Built on the first request, then reused: no policy is built for the next ones (django-csp
    alone builds two per response)."""
    import csp.middleware

    import core.csp

    built = []

    def counting(real):
        def build(*args, **kwargs):
            built.append(kwargs.get("report_only", False))
            return real(*args, **kwargs)

        return build

    for module in (csp.middleware, core.csp):
        monkeypatch.setattr(module, "build_policy", counting(module.build_policy))
    client.get("/")
    built.clear()
    for _ in range(3):
        assert_strict(client.get("/"))
    assert built == []
