"""Acceptance 4: the web flow in zh-hans and English.

- Every page renders in both languages (the page says which).
- Every string of the web flow's templates and Python modules is in the zh-hans message
  catalogue with a translation (locale/ is filled by the translator: a new string fails this
  test, listing what is missing, until it is translated).
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
TEMPLATES = [
    *sorted((ROOT / "permits/templates/permits/applications").rglob("*.html")),
    ROOT / "permits/templates/permits/includes/error_summary.html",
    ROOT / "permits/templates/permits/includes/personal_center_permits.html",
    ROOT / "permits/templates/permits/includes/personal_center_applications.html",
]
PYTHON = [
    *sorted((ROOT / "permits/views/applications").glob("*.py")),
    ROOT / "permits/forms/applications.py",
    ROOT / "permits/personal_center.py",
]
GETTEXT_CALL = re.compile(
    r"\b(?:gettext|gettext_lazy|_)\(u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
)


def template_strings(path: Path) -> set[str]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {ast.literal_eval(m.group(1)) for m in GETTEXT_CALL.finditer(code)}


def python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "gettext", "gettext_lazy"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def web_flow_strings() -> set[str]:
    strings = set()
    for path in TEMPLATES:
        strings |= template_strings(path)
    for path in PYTHON:
        strings |= python_strings(path)
    return strings


def test_the_extraction_finds_the_strings():
    strings = web_flow_strings()
    assert "Check your answers before sending" in strings
    assert "Step %(number)s of %(total)s" in strings
    assert "Choose window pickup or mail" in strings
    assert "Confirm that the name and ID number are correct." in strings
    assert len(strings) > 150


def test_every_web_flow_string_is_translated_into_chinese():
    catalogue = polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))
    translated = {e.msgid for e in catalogue if e.msgstr and "fuzzy" not in e.flags}
    translated |= {e.msgid for e in catalogue if e.msgstr_plural and "fuzzy" not in e.flags}
    missing = sorted(web_flow_strings() - translated)
    assert not missing, f"{len(missing)} strings without a zh-hans translation:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(client, language):
    person = registered_person(months=8)
    draft = draft_ready(person, Service.NEW)
    produced = ApplicationFactory(produced=True)
    material = draft.materials.first()
    login(client, person)
    pages = [
        url("application_list"),
        url("application_start"),
        url("application_detail", draft.pk),
        url("application_step_identity", draft.pk),
        url("application_step_basis", draft.pk),
        url("application_step_material", draft.pk, material.requirement.code),
        url("application_check", draft.pk),
        url("application_submit", draft.pk),
        url("application_withdraw", draft.pk),
        "/accounts/me/",
    ]
    expected = 'lang="zh-Hans"' if language == "zh-hans" else 'lang="en"'
    for page in pages:
        response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, page
        assert expected in response.content.decode(), page
    client.logout()
    login(client, produced.person)
    for page in (
        url("application_delivery", produced.pk),
        url("application_delivery_window", produced.pk),
        url("application_delivery_mail", produced.pk),
    ):
        response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, page
        assert expected in response.content.decode(), page


@pytest.fixture
def fresh_catalogue(settings, tmp_path):
    """The pages in Chinese from the .po as it is now (the .mo is a build product)."""
    from django.utils.translation import trans_real

    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalogue = polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))
    catalogue.save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]

    def reset():
        trans_real._translations = {}
        trans_real._default = None

    reset()
    yield catalogue
    settings.LOCALE_PATHS = [ROOT / "locale"]
    reset()


def test_chinese_pages_show_no_english_source_strings(client, fresh_catalogue):
    from django.utils.html import escape

    translated = {e.msgid: e.msgstr for e in fresh_catalogue if e.msgstr}
    english = [
        s
        for s in web_flow_strings()
        if len(s) >= 12 and "%(" not in s and translated.get(s, s) != s
    ]
    person = registered_person(months=8)
    draft = draft_ready(person, Service.NEW)
    produced = ApplicationFactory(produced=True)
    login(client, person)
    pages = [
        url("application_list"),
        url("application_start"),
        url("application_detail", draft.pk),
        url("application_step_identity", draft.pk),
        url("application_step_basis", draft.pk),
        url("application_step_material", draft.pk, "id_card"),
        url("application_check", draft.pk),
        url("application_submit", draft.pk),
        url("application_withdraw", draft.pk),
        "/accounts/me/",
    ]
    html = "".join(client.get(p, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode() for p in pages)
    client.logout()
    login(client, produced.person)
    for page in (
        url("application_delivery", produced.pk),
        url("application_delivery_window", produced.pk),
        url("application_delivery_mail", produced.pk),
    ):
        html += client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    leaks = sorted(s for s in english if s in html or escape(s) in html)
    assert not leaks, leaks
    assert "核对" in html or "申请" in html
