"""The display values worked out once for many rows (issue 18) equal what the template or the
model would show."""

import datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from core.display import ChoiceLabels, pk_url, ymd
from permits.constants import ApplicationState
from permits.models import PermitApplication


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_labels_are_get_display(language):
    labels = ChoiceLabels(PermitApplication, "state")
    with translation.override(language):
        for value in [*ApplicationState.values, "no-such-state"]:
            expected = PermitApplication(state=value).get_state_display()
            assert ChoiceLabels(PermitApplication, "state")(value) == expected
        assert labels(ApplicationState.ACCEPTED) == str(ApplicationState.ACCEPTED.label)


def test_pk_url_is_reverse():
    url = pk_url("permits:application_detail")
    for pk in (1, 42, 987654321):
        assert url(pk) == reverse("permits:application_detail", args=[pk])


def test_ymd_is_the_date_filter():
    template = engines["django"].from_string('{{ value|date:"Y-m-d" }}')
    moments = [
        datetime.date(2026, 1, 2),
        datetime.datetime(2026, 1, 1, 17, 30, tzinfo=datetime.UTC),  # the next day in Shanghai
        timezone.now(),
    ]
    for value in moments:
        assert ymd(value) == template.render({"value": value})
    assert ymd(None) == ""
