"""The public pages in a real browser: phone size, both languages, accessible."""

import re

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "html_lang", "heading"),
    [
        pytest.param("zh-hans", "zh-Hans", "居住证", id="zh-hans"),
        pytest.param("en", "en", "Residence permit services online", id="en"),
    ],
)
def test_home_page_at_phone_size_is_accessible(new_page, shot, language, html_lang, heading):
    page = new_page(viewport=PHONE, language=language)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == html_lang
    assert heading in page.locator("h1").inner_text()
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"home-{language}")
    assert_accessible(page, f"home page ({language}, phone)")


def test_home_page_on_desktop_is_accessible(new_page, shot):
    page = new_page(viewport=DESKTOP, language="zh-hans")
    page.goto("/")
    shot(page, "home-desktop")
    assert_accessible(page, "home page (zh-hans, desktop)")


def test_skip_link_is_first_and_moves_focus_to_main(phone_page):
    phone_page.goto("/")
    phone_page.keyboard.press("Tab")
    focused = phone_page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "#main"
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("() => document.activeElement.id") == "main"


def test_language_button_switches_to_english_and_back(new_page, shot):
    page = new_page(viewport=PHONE, language="zh-hans")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    shot(page, "chinese")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Residence permit services online" in page.locator("h1").inner_text()
    shot(page, "english")
    assert_accessible(page, "home page after switching to English")

    # The choice sticks on the next visit (language cookie), then switches back.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert re.search("居住证", page.locator("h1").inner_text())
    shot(page, "chinese-again")
