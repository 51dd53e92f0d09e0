"""`make run` on another port prints links and QR codes to that port (issue 15, point 2)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_url(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_site_url_follows_host_and_port_when_unset():
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url(HOST="0.0.0.0", PORT="9000") == "http://0.0.0.0:9000"


def test_an_explicit_site_url_wins():
    assert site_url(PORT="8123", SITE_URL="https://portal.example.gov.cn") == (
        "https://portal.example.gov.cn"
    )


def test_make_run_passes_host_and_port_to_the_server():
    makefile = (ROOT / "Makefile").read_text()
    assert "HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver" in makefile
