"""One desk mechanism for identities and residence registrations: the act forms on the row's
page post the version shown; an act on a changed row is refused with the reload message and
nothing is applied. One history table, states by their labels, times in local time."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants.constants import IdentityState
from applicants.models import IdentityTransition
from core.fsm import run_transition
from notifications.models import Notification
from permits.constants import RegistrationState
from permits.models import RegistrationTransition
from tests.factories import IdentityFactory, RegistrationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def officer_client(**kwargs):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(StaffFactory(officer=True, **kwargs))
    return client


def shown_form(client, page, action):
    """The fields of the act form posting to ``action`` on ``page`` (as the browser sends)."""
    html = client.get(page).content.decode()
    match = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert match, action
    return dict(re.findall(r'name="(version)" value="([^"]*)"', match.group(0)))


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_identity_two_officers_the_second_is_told_to_reload():
    identity = IdentityFactory(pending=True)
    page = reverse("admin:applicants_identity_change", args=[identity.pk])
    verify = reverse("admin:applicants_identity_verify", args=[identity.pk])
    reject = reverse("admin:applicants_identity_reject", args=[identity.pk])
    first, second = officer_client(), officer_client()
    first_form = shown_form(first, page, verify)
    second_form = shown_form(second, page, reject)
    assert first_form["version"] == second_form["version"]

    first.post(verify, first_form)
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED

    response = second.post(
        reject, {**second_form, "reason": "face_mismatch", "note": "x"}, follow=True
    )
    assert "This identity changed since you opened it" in " ".join(messages_of(response))
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED
    assert IdentityTransition.objects.filter(identity=identity).count() == 1
    assert Notification.objects.filter(recipient=identity.account).count() == 1


def test_identity_resubmitted_meanwhile_is_not_verified_unseen():
    """Officer B opened the page; A rejected it and the applicant corrected and resubmitted:
    the state is "pending" again, but B's page showed the earlier data."""
    identity = IdentityFactory(pending=True)
    page = reverse("admin:applicants_identity_change", args=[identity.pk])
    verify = reverse("admin:applicants_identity_verify", args=[identity.pk])
    reject = reverse("admin:applicants_identity_reject", args=[identity.pk])
    first, second = officer_client(), officer_client()
    stale = shown_form(second, page, verify)
    first.post(reject, {**shown_form(first, page, reject), "reason": "face_mismatch"})
    identity.refresh_from_db()
    run_transition(identity, "submit", user=identity.account)

    response = second.post(verify, stale, follow=True)
    assert "This identity changed since you opened it" in " ".join(messages_of(response))
    identity.refresh_from_db()
    assert identity.state == IdentityState.PENDING


def test_registration_two_officers_the_second_is_told_to_reload():
    registration = RegistrationFactory()
    page = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    register = reverse("admin:permits_residenceregistration_register", args=[registration.pk])
    reject = reverse("admin:permits_residenceregistration_reject", args=[registration.pk])
    first = officer_client(station=registration.station)
    second = officer_client(station=registration.station)
    first_form = shown_form(first, page, reject)
    second_form = shown_form(second, page, register)

    first.post(reject, {**first_form, "note": "证明不清楚"})
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REJECTED

    response = second.post(register, second_form, follow=True)
    assert "This registration changed since you opened it" in " ".join(messages_of(response))
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REJECTED
    assert RegistrationTransition.objects.filter(registration=registration).count() == 1


def test_history_shows_state_labels_and_local_time(settings):
    registration = RegistrationFactory()
    client = officer_client(station=registration.station)
    page = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    register = reverse("admin:permits_residenceregistration_register", args=[registration.pk])
    client.post(register, {**shown_form(client, page, register), "note": "核对无误"})
    log = RegistrationTransition.objects.get(registration=registration)
    html = client.get(page).content.decode()
    history = html[html.index('id="registration-history"') :]
    assert "Submitted → Registered" in history
    assert "核对无误" in history
    local = timezone.localtime(log.created_at)
    assert local.utcoffset() != datetime.timedelta(0)  # the portal's zone is not UTC
    assert local.strftime("%Y-%m-%d %H:%M") in history


def test_identity_history_uses_labels_and_no_act_once_decided():
    identity = IdentityFactory(pending=True)
    client = officer_client()
    page = reverse("admin:applicants_identity_change", args=[identity.pk])
    verify = reverse("admin:applicants_identity_verify", args=[identity.pk])
    client.post(verify, shown_form(client, page, verify))
    html = client.get(page).content.decode()
    assert "Waiting for verification → Verified" in html
    assert verify not in html  # nothing left to decide
