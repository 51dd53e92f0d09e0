"""The people of `make loadtest` (tests/perf/loadtest.py), made in the stack's environment by
``manage.py shell -c`` with the test factories: one station and its officer (second factor
passed: a real session row), applicants who hold an active permit (their sign-ins, pages and the
public verification of their cards), applicants ready to file (verified, registered a year ago)
and submitted applications for the officer's desk acts. Prints one JSON line."""

from __future__ import annotations

import json

from django.contrib.auth.hashers import make_password

from permits.verification import verification_code
from tests.factories import (
    PASSWORD,
    HouseFactory,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    StationFactory,
)
from tests.perf.pages import _session
from tests.permits.factories import ApplicationFactory, PermitFactory


def seed(*, holders: int, filers: int, submitted: int) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applicants.models import User

    station = StationFactory(code="load")
    house = HouseFactory(station=station, code="LOAD00000001")
    officer = StaffFactory(officer=True, station=station, phone="+8613800007001")
    device = TOTPDevice.objects.create(user=officer, name="load", confirmed=True)
    people, codes, ready, queue = [], [], [], []
    for _ in range(holders):
        permit = PermitFactory(house=house)
        people.append(permit.holder.account.phone)
        codes.append(verification_code(permit))
    for _ in range(filers):
        identity = IdentityFactory(verified=True)
        RegistrationFactory(registered=True, person=identity, house=house)
        ready.append(identity.account.phone)
    for _ in range(submitted):
        queue.append(ApplicationFactory(submitted=True, registration__house=house).pk)
    # One Argon2 hash for everybody (the sign-ins check it for real, at its real cost).
    User.objects.filter(phone__in=people + ready).update(password=make_password(PASSWORD))
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "holders": people,
                "codes": codes,
                "filers": ready,
                "house": house.code,
                "officer_session": _session(officer, staff_device=device),
                "submitted": queue,
            }
        )
    )
