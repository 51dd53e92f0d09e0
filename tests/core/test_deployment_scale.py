"""The scale-out deployment files (issue 28): nginx's template is complete and valid, compose runs
web nodes that only nginx reaches, the edge's body limit is the app's, PgBouncer pools by
transaction and Django is told so."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.production import conftest as production

ROOT = Path(__file__).resolve().parents[2]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
TEMPLATE = (ROOT / "deploy" / "nginx" / "portal.conf.template").read_text()
VARIABLES = set(re.findall(r"\$\{([A-Z_]+)\}", TEMPLATE))


def test_web_nodes_have_no_host_port_so_they_scale_and_only_nginx_reaches_them():
    assert "ports" not in SERVICES["web"] and SERVICES["web"]["expose"] == ["8000"]
    assert SERVICES["nginx"]["ports"] == ["80:80", "443:443"]
    assert "server web:8000" in SERVICES["nginx"]["environment"]["PORTAL_UPSTREAM"]


def test_compose_fills_every_variable_of_the_nginx_template():
    assert set(SERVICES["nginx"]["environment"]) == VARIABLES, VARIABLES


def test_the_edge_body_limit_is_the_apps_request_limit_plus_a_mebibyte():
    given = SERVICES["nginx"]["environment"]["PORTAL_MAX_BODY"]
    assert given.endswith("m")
    assert int(given[:-1]) * 1024 * 1024 == settings.UPLOAD_MAX_REQUEST_BYTES + 1024 * 1024


def test_the_app_is_told_about_the_pooler_the_replica_and_nginx():
    app = SERVICES["web"]["environment"]
    assert "@pgbouncer:6432/" in app["DATABASE_URL"] and app["DB_TRANSACTION_POOLING"] == "1"
    assert "@db-replica:5432/" in app["DATABASE_REPLICA_URL"]
    assert app["PROXY_COUNT"] == "1" and app["PROTECTED_FILES_ACCEL_PREFIX"] == "/_protected/"
    pool = (ROOT / "deploy" / "pgbouncer" / "pool.ini").read_text()
    assert re.search(r"^pool_mode = transaction$", pool, re.M)
    assert not re.search(r"^\[", pool, re.M)  # inside that section: a header would reset it
    compose_ini = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text().splitlines()
    assert compose_ini[-1] == "%include /etc/pgbouncer/pool.ini"


@pytest.mark.skipif(not shutil.which("nginx"), reason="no nginx here (.ci/run installs it)")
def test_the_nginx_configuration_is_valid(tmp_path):
    conf, *_ = production.render_nginx(
        tmp_path, nodes=[8001, 8002], static_root=tmp_path, s3_url="http://127.0.0.1:9000"
    )
    result = subprocess.run(  # noqa: S603
        [production.NGINX, "-t", "-c", str(conf), "-p", str(conf.parent), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("nginx"), reason="no nginx here (.ci/run installs it)")
def test_static_files_sent_by_nginx_refuse_framing(tmp_path):
    """Review of issues 28 and 30.4: behind nginx the static files are nginx's answers, not
    WhiteNoise's; they keep the one framing policy (X-Frame-Options DENY, frame-ancestors)."""
    import tempfile

    import requests

    with tempfile.TemporaryDirectory() as static:  # readable by nginx's workers
        Path(static).chmod(0o755)
        (Path(static) / "portal.css").write_text("body{}")
        (Path(static) / "portal.css").chmod(0o644)
        conf, _cert, _https, http_port = production.render_nginx(
            tmp_path, nodes=[9], static_root=Path(static), s3_url="http://127.0.0.1:9"
        )
        nginx = subprocess.Popen(  # noqa: S603
            [production.NGINX, "-c", str(conf), "-p", str(conf.parent), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{http_port}/static/portal.css"

            def up():
                try:
                    return requests.get(url, timeout=2).status_code == 200
                except requests.ConnectionError:
                    return False

            production.wait_until(up, timeout=15, what="nginx")
            response = requests.get(url, timeout=5)
        finally:
            nginx.terminate()
            nginx.wait(timeout=15)
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")
    assert "immutable" in response.headers["Cache-Control"]
