"""Issue 27, the applicant's pages through the real views: the home page offers every service
(注销 too) with its login link beside the button; check-answers hides the screen-reader words
and writes sizes and asides with the page's punctuation; a refused case shows the remedies,
not a pointer to itself."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready, registered_person
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def zh(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def test_the_home_page_offers_cancellation_and_keeps_the_login_link_whole():
    """Point 9."""
    html = zh().get(reverse("home")).content.decode()
    assert f"{reverse('permits:application_start')}?service=cancellation" in html
    assert 'class="home-login"' in html  # kept on one line (white-space: nowrap)


def test_check_answers_hides_the_screen_reader_words_and_uses_full_width_asides():
    """Point 8: "修改 居住条件" is read, not shown; "（10.9 KB）", not "(10.9 KB)"."""
    person = registered_person(months=7)
    application = draft_ready(person, Service.NEW, answers={"household_region": "110101"})
    html = (
        zh(person.account)
        .get(reverse("permits:application_check", args=[application.pk]))
        .content.decode()
    )
    assert '<span class="visually-hidden"> ' in html
    assert "<span> " not in html
    assert re.search(r"</a>（[\d.]+\s?\S+）", html)  # the file's size, in full-width brackets
    assert not re.search(r"</a> \([\d.]+", html)


def test_a_refused_case_shows_the_remedies_not_a_pointer_to_itself():
    """Point 7."""
    application = ApplicationFactory(rejected=True)
    html = (
        zh(application.filed_by)
        .get(reverse("permits:application_detail", args=[application.pk]))
        .content.decode()
    )
    assert "请在申请页面查看原因" not in html
    assert 'id="remedies"' in html and "行政复议" in html and "行政诉讼" in html


def test_a_refused_case_names_the_station_that_decided_as_the_refusal_notice_does():
    """Review of issues 25/27: the page's remedies name who decided as the refusal notice does
    (the station that signs it, issue 25 point 4), never the city bureau."""
    from django.conf import settings

    application = ApplicationFactory(rejected=True)
    html = (
        zh(application.filed_by)
        .get(reverse("permits:application_detail", args=[application.pk]))
        .content.decode()
    )
    remedies = html[html.index('id="remedies"') :]
    assert application.station.name in remedies
    assert settings.ISSUING_AUTHORITY not in remedies
