"""The SMS code limits hold across processes when the cache is Redis (the `services` suite)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from applicants import services
from applicants.constants import PhoneCodePurpose
from core.errors import RateLimited

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+8613712349999"


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.services
def test_hourly_limit_is_shared_by_web_processes(transactional_db, settings):
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 0
    settings.PHONE_CODE_MAX_PER_HOUR = 3
    script = (
        "import django; django.setup()\n"
        "from applicants import services\n"
        "for _ in range(3):\n"
        f"    services.request_phone_code(phone={PHONE!r}, purpose='reset_password')\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PHONE_CODE_MIN_INTERVAL_SECONDS": "0",
        "PHONE_CODE_MAX_PER_HOUR": "3",
    }
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)  # noqa: S603
    # This process has asked for nothing yet, but the other one used up the hour.
    with pytest.raises(RateLimited) as err:
        services.request_phone_code(phone=PHONE, purpose=PhoneCodePurpose.RESET_PASSWORD)
    assert err.value.code == "rate_limited"
