import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from applicants.models import User
from permits.constants import RegistrationState

pytestmark = pytest.mark.django_db


def test_demo_applicant_is_verified_and_registered_a_year_ago(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    applicant = User.objects.get(phone="+8613900000001")
    identity = applicant.own_identity
    assert identity.is_verified
    registration = identity.registrations.get()
    assert registration.state == RegistrationState.REGISTERED
    assert registration.house.code == "LH0000000001"
    assert registration.since == timezone.localdate() - datetime.timedelta(days=365)
