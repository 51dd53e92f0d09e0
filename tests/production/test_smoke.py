"""One applicant's journey over HTTP, alternating between two gunicorn nodes, with every other
part real too (see conftest.py). Run alone: `pytest -m production -s tests/production`.

The checks run in order (one module-scoped stack); each logs one line.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.factories import make_id_number, tiny_png
from tests.production.conftest import BUCKET, ROOT, https_client, step, wait_until

pytestmark = pytest.mark.production

PASSWORD = "Prod-Smoke-2026!"
APPLICANT = "+8613900001001"
OTHER = "+8613900001002"
THIRD = "+8613900001003"
FOURTH = "+8613900001004"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def api(node: str, path: str) -> str:
    return f"{node}/api/v1/{path}"


def sms_to(stack, phone: str) -> list[str]:
    return [r["form"]["Body"] for r in stack.twilio.requests if r["form"].get("To") == phone]


def wait_for_sms(stack, phone: str, count: int) -> list[str]:
    return wait_until(
        lambda: len(sms_to(stack, phone)) >= count and sms_to(stack, phone),
        timeout=30,
        what=f"{count} SMS to {phone}\n{stack.logs()}",
    )


def ask_code(client, node: str, phone: str) -> requests.Response:
    return client.post(
        api(node, "auth/phone-code/"), json={"phone": phone, "purpose": "sign_up"}, timeout=10
    )


def sign_up(stack, client, node: str, phone: str, code: str) -> str:
    response = client.post(
        api(node, "auth/sign-up/"),
        json={"phone": phone, "code": code, "password": PASSWORD, "display_name": "Smoke"},
        timeout=20,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def web_login(node: str, phone: str) -> requests.Session:
    browser = https_client()
    page = browser.get(f"{node}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = CSRF.search(page.text).group(1)
    response = browser.post(
        f"{node}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": phone, "password": PASSWORD},
        headers={"Referer": f"https://{node.split('://')[1]}/accounts/login/"},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:2000]
    assert "sessionid" in browser.cookies
    return browser


def web_logout(browser: requests.Session, node: str) -> None:
    page = browser.get(f"{node}/accounts/me/", timeout=10)
    token = CSRF.search(page.text).group(1)
    response = browser.post(
        f"{node}/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"https://{node.split('://')[1]}/accounts/me/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:2000]


def signed_in(browser: requests.Session, node: str) -> bool:
    response = browser.get(f"{node}/accounts/me/", allow_redirects=False, timeout=10)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


@pytest.fixture(scope="module")
def journey(stack):
    """State carried from one check to the next."""
    return {"client": https_client()}


def test_production_settings_are_in_force(stack):
    a, b = stack.via_nginx
    plain = requests.get(f"{stack.edge_http}/accounts/login/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    secure = https_client().get(f"{b}/accounts/login/", timeout=10)
    assert secure.status_code == 200
    assert "Strict-Transport-Security" in secure.headers
    assert "Secure" in secure.headers.get("Set-Cookie", "")  # the CSRF cookie
    health = requests.get(f"{stack.edge_http}/healthz", timeout=10).json()
    assert {key: health[key] for key in ("database", "cache", "broker")} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }
    assert health["sms_oldest_queued_seconds"] >= 0
    unknown = requests.get(
        f"{a}/healthz", headers={"Host": "evil.example.com"}, allow_redirects=False, timeout=10
    )
    assert unknown.status_code == 400
    step("production settings: HTTP redirected to HTTPS, HSTS, secure cookies, host checked")

    # Static files come from nginx (the collected files, compressed beside them), not a node.
    href = re.search(r'href="(/static/css/portal\.[0-9a-f]+\.css)"', secure.text).group(1)
    served = requests.get(f"{stack.edge}{href}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    assert served.headers.get("Content-Encoding") == "gzip"  # gzip_static: the .gz beside it
    nodes_log = "".join(stack.processes[n].log() for n in ("web1", "web2"))
    assert href not in nodes_log
    step(f"static files are sent by nginx ({href}, gzip, immutable), never by a node")


def test_sms_code_limits_count_across_both_nodes(stack, journey):
    a, b = stack.via_nginx
    client = journey["client"]
    assert ask_code(client, a, APPLICANT).status_code == 202
    again = ask_code(client, b, APPLICANT)  # within the minute, on the other node
    assert again.status_code in (400, 429), again.text
    step("a second code within a minute is refused on the other node")

    # PHONE_CODE_MAX_PER_IP_PER_HOUR=3 for this stack: the applicant's, then two more.
    assert ask_code(client, b, OTHER).status_code == 202
    assert ask_code(client, a, THIRD).status_code == 202
    # A client claiming another address is not believed: nginx replaces X-Forwarded-For.
    client.headers["X-Forwarded-For"] = "203.0.113.7"
    try:
        fourth = ask_code(client, b, FOURTH)
    finally:
        del client.headers["X-Forwarded-For"]
    assert fourth.status_code in (400, 429), fourth.text
    step("the per-address hourly limit (3) counts requests on both nodes; a forged address fails")

    for phone in (APPLICANT, OTHER, THIRD):
        wait_for_sms(stack, phone, 1)
    time.sleep(1.0)  # nothing more arrives: each SMS once
    assert [len(sms_to(stack, p)) for p in (APPLICANT, OTHER, THIRD, FOURTH)] == [1, 1, 1, 0]
    assert all(r["path"].endswith("/Messages.json") for r in stack.twilio.requests)
    step("three SMS reached the Twilio stand-in, once each, through the worker's sms queue")


def test_sign_up_over_the_api_with_the_code_from_the_sms(stack, journey):
    a, b = stack.via_nginx
    client = journey["client"]
    code = CODE.search(sms_to(stack, APPLICANT)[0]).group(1)
    journey["token"] = sign_up(stack, client, b, APPLICANT, code)
    other_code = CODE.search(sms_to(stack, OTHER)[0]).group(1)
    journey["other_token"] = sign_up(stack, client, a, OTHER, other_code)
    step("two applicants signed up over the API (node B and node A) with their SMS codes")


def test_the_api_token_works_on_both_nodes_and_its_revocation_too(stack, journey):
    a, b = stack.via_nginx
    for node in (a, b):
        me = requests.get(
            api(node, "me/"),
            headers={"Authorization": f"Bearer {journey['token']}", "X-Forwarded-Proto": "https"},
            timeout=10,
        )
        assert me.status_code == 200, me.text
        assert me.json()["phone"] == APPLICANT
    step("the bearer token is accepted on both nodes")

    throwaway = requests.post(
        api(a, "auth/token/"),
        json={"phone": APPLICANT, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        timeout=20,
    )
    assert throwaway.status_code == 201, throwaway.text
    bearer = {"Authorization": f"Bearer {throwaway.json()['token']}", "X-Forwarded-Proto": "https"}
    assert requests.get(api(b, "me/"), headers=bearer, timeout=10).status_code == 200
    assert requests.delete(api(a, "auth/token/"), headers=bearer, timeout=10).status_code == 204
    assert requests.get(api(b, "me/"), headers=bearer, timeout=10).status_code == 401
    step("a token revoked on node A is refused on node B")


def test_the_web_session_works_on_both_nodes_and_logout_is_honoured(stack, journey):
    a, b = stack.via_nginx
    browser = web_login(a, APPLICANT)
    assert signed_in(browser, b) and signed_in(browser, a)
    step("a session from a login on node A is signed in on node B")
    web_logout(browser, b)
    assert not signed_in(browser, a)
    step("a logout on node B is honoured on node A")
    journey["browser"] = web_login(b, APPLICANT)


def test_identity_upload_lands_in_the_bucket_and_comes_back_only_through_the_view(stack, journey):
    a, b = stack.via_nginx
    photo = tiny_png()
    response = requests.post(
        api(a, "identity/"),
        data={"full_name": "张三", "id_number": make_id_number(7)},
        files={
            kind: (f"{kind}.png", photo, "image/png")
            for kind in ("id_card_front", "id_card_back", "face_photo")
        },
        headers={"Authorization": f"Bearer {journey['token']}", "X-Forwarded-Proto": "https"},
        timeout=20,
    )
    assert response.status_code == 201, response.text
    identity_id = response.json()["id"]
    journey["identity_id"] = identity_id
    assert response.json()["has_id_card_front"] is True

    keys = [o["Key"] for o in stack.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert len(keys) == 3 and all(k.startswith("private/identity/") for k in keys), keys
    stored = {k: stack.s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys}
    for key in keys:
        grants = stack.s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in str(g["Grantee"].get("URI", ""))]
    assert not [p for p in stack.media_root.rglob("*") if p.is_file()]
    step(f"the three identity photos are in the bucket ({keys[0]}, ...), private ACL")
    step("nothing was written under MEDIA_ROOT on the web node")

    path = f"/accounts/identities/{identity_id}/files/front/"
    download = journey["browser"].get(f"{a}{path}", allow_redirects=False, timeout=10)
    assert download.status_code == 200, download.status_code
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == 'inline; filename="front.png"'
    assert download.content in stored.values()  # sent by nginx, not a bucket redirect
    assert "X-Amz" not in download.text and "Location" not in download.headers
    assert "X-Accel-Redirect" not in download.headers
    step("the owner gets it through the permission-checking view (no bucket URL)")
    journey["front"] = (path, download.content)

    other = web_login(b, OTHER)
    assert other.get(f"{a}{path}", allow_redirects=False, timeout=10).status_code == 404
    assert other.get(f"{b}{path}", allow_redirects=False, timeout=10).status_code == 404
    anonymous = https_client().get(f"{b}{path}", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
    step("another applicant gets 404 on both nodes; an anonymous visitor is sent to log in")

    identity = requests.get(
        api(b, "identity/"),
        headers={"Authorization": f"Bearer {journey['token']}", "X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert identity.status_code == 200 and identity.json()["state"] == "pending", identity.text
    step("the identity is pending verification, seen from node B")


def test_a_protected_file_is_sent_by_nginx_only_after_the_access_check(stack, journey):
    """The web node answers the owner with an empty X-Accel-Redirect (it streams no bytes);
    nginx sends the file; the internal location asked for directly is 404, with or without the
    signature; a stranger and an anonymous visitor get nothing through nginx either."""
    path, content = journey["front"]
    owner = journey["browser"]
    for node in stack.nodes:  # around nginx, as only nginx may reach them in production
        answer = owner.get(f"{node}{path}", allow_redirects=False, timeout=10)
        assert answer.status_code == 200, answer.status_code
        target = answer.headers["X-Accel-Redirect"]
        assert target.startswith(f"/_protected/{BUCKET}/private/identity/"), target
        assert "Signature=" in target  # pre-signed, short-lived
        assert answer.content == b""  # the bytes never pass through Python
    step(f"each web node answers the owner with X-Accel-Redirect {target.split('?')[0]}?...")

    through = owner.get(f"{stack.edge}{path}", allow_redirects=False, timeout=10)
    assert through.status_code == 200 and through.content == content
    step("through nginx the owner gets the file's bytes (nginx fetched the signed URL)")

    for client in (owner, https_client()):
        for direct in (target, target.split("?")[0]):
            refused = client.get(f"{stack.edge}{direct}", allow_redirects=False, timeout=10)
            assert refused.status_code == 404, (direct, refused.status_code)
            assert refused.content != content
    step("the internal location asked for directly (signed or not) is 404 for anyone")

    stranger = web_login(stack.edge, OTHER)
    refused = stranger.get(f"{stack.edge}{path}", allow_redirects=False, timeout=10)
    assert refused.status_code == 404 and refused.content != content
    assert "X-Accel-Redirect" not in refused.headers
    anonymous = https_client().get(f"{stack.edge}{path}", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and anonymous.content != content
    step("a stranger gets 404 and an anonymous visitor a login redirect, never the bytes")


def desk(stack, call: str) -> dict:
    """The station's act, through the same services the admin desk calls, in the stack's
    environment (its database, storage and queues): one JSON line back."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c",
         f"from tests.production import desk; desk.{call}"],
        cwd=ROOT, env={**stack.env, "LOG_LEVEL": "WARNING"}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def test_the_new_permit_journey_alternating_between_the_nodes(stack, journey):
    """Registration, application, materials and submission over the API, every request on the
    other node than the one before; the station's acts through the services; the applicant's
    SMS arrive once each; the proofs are in the bucket."""
    a, b = stack.via_nginx
    nodes = itertools.cycle([b, a])
    headers = {"Authorization": f"Bearer {journey['token']}", "X-Forwarded-Proto": "https"}

    def call(method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method, api(next(nodes), path), headers=headers, timeout=20, **kwargs
        )

    house_code = desk(stack, "station()")["house_code"]
    assert desk(stack, f"verify_identity({journey['identity_id']})") == {"state": "verified"}
    step("an officer verified the identity (the desk's service, in the stack's environment)")

    since = (datetime.date.today() - datetime.timedelta(days=250)).isoformat()
    response = call(
        "POST",
        "registrations/",
        data={"house_code": house_code, "since": since, "basis": "residence"},
        files={"proof": ("lease.png", tiny_png(), "image/png")},
    )
    assert response.status_code == 201, response.text
    registration_id = response.json()["id"]
    assert desk(stack, f"register({registration_id})") == {"state": "registered"}
    assert call("GET", f"registrations/{registration_id}/").json()["state"] == "registered"
    step("residence registered at the house code (filed on one node, read on the other)")

    response = call(
        "POST",
        "applications/",
        json={"service": "new", "basis": "residence", "answers": {"household_region": "110105"}},
    )
    assert response.status_code == 201, response.text
    application_id = response.json()["id"]
    journey["application_id"] = application_id
    base = f"applications/{application_id}/"
    requirements = call("GET", base).json()["requirements"]
    required = [r["code"] for r in requirements if r["required"]]
    assert required
    for code in required:
        response = call(
            "POST",
            f"{base}materials/",
            data={"requirement": code},
            files={"file": (f"{code}.png", tiny_png(), "image/png")},
        )
        assert response.status_code == 201, response.text
    response = call("POST", f"{base}submit/", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "submitted"
    step(f"application submitted with {len(required)} materials, requests alternating A/B")

    keys = [o["Key"] for o in stack.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert any(k.startswith("private/material/") for k in keys), keys
    assert not [p for p in stack.media_root.rglob("*") if p.is_file()]
    step("the materials and the lease are in the bucket, nothing on the web nodes' disk")

    # The submission's own SMS first (it names the case), so it is not counted with the acts'.
    reference = response.json()["reference"]
    wait_until(
        lambda: any(reference in body for body in sms_to(stack, APPLICANT)),
        timeout=30,
        what=f"the submission's SMS\n{stack.logs()}",
    )
    before = len(sms_to(stack, APPLICANT))
    assert desk(stack, f"accept_approve_produce({application_id})") == {"state": "produced"}
    assert call("GET", base).json()["state"] == "produced"
    messages = wait_for_sms(stack, APPLICANT, before + 3)[before:]
    time.sleep(3)  # a duplicate would arrive within the worker's retry interval
    assert len(sms_to(stack, APPLICANT)) == before + 3, sms_to(stack, APPLICANT)[before:]
    assert len(set(messages)) == 3
    step("accepted, approved and produced: three SMS at the stand-in, once each")


def test_wechat_follow_sign_in_renew_and_the_results_as_wechat_notices(stack, journey):
    """Issue 26 against the WeChat stand-in: the applicant follows the account (WeChat calls the
    server endpoint on node A), signs in by WeChat on node B (the phone proved once by the SMS
    code), renews, and gets submitted / accepted / approved / ready as WeChat notices from the
    worker, once each, with no SMS for them."""
    import urllib.parse

    import xmltodict
    from wechatpy.utils import WeChatSigner

    from tests.production.conftest import WECHAT_TOKEN
    from tests.wechat.conftest import WECHAT_UA

    a, b = stack.nodes
    wechat = stack.wechat
    wechat.set_signed_in("o-smoke")
    assert desk(stack, f"open_renewal_window({journey['application_id']})") == {
        "state": "collected"
    }
    step("the new card collected at the window, its year nearly over")

    timestamp, nonce = str(int(time.time())), "smoke"
    signer = WeChatSigner()
    signer.add_data(WECHAT_TOKEN, timestamp, nonce)
    follow = (
        "<xml><ToUserName><![CDATA[gh_city]]></ToUserName>"
        "<FromUserName><![CDATA[o-smoke]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe]]></Event></xml>"
    )
    response = requests.post(
        f"{a}/wechat/server/",
        params={"signature": signer.signature, "timestamp": timestamp, "nonce": nonce},
        data=follow.encode(),
        headers={"Content-Type": "text/xml", "X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    assert xmltodict.parse(response.content)["xml"]["ToUserName"] == "o-smoke"
    step("followed: node A answered WeChat's signed call with the menu pointer")

    browser = https_client()
    browser.headers["User-Agent"] = WECHAT_UA
    response = browser.get(
        f"{b}/wechat/sign-in/", params={"next": "/accounts/me/"}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    callback = urllib.parse.urlsplit(back.headers["Location"])
    response = browser.get(
        f"{b}{callback.path}?{callback.query}", allow_redirects=False, timeout=10
    )
    assert response.headers["Location"] == "/wechat/bind/", response.text[:500]
    before = len(sms_to(stack, APPLICANT))

    def post(node: str, path: str, data: dict) -> requests.Response:
        page = browser.get(f"{node}{path}", timeout=10)
        token = CSRF.search(page.text).group(1)
        return browser.post(
            f"{node}{path}",
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": f"https://{node.split('://')[1]}{path}"},
            allow_redirects=False,
            timeout=20,
        )

    # The hour of the per-address limit reached above passes (this host is every client here).
    import redis

    limits = redis.Redis.from_url(stack.env["REDIS_URL"])
    for key in limits.scan_iter("*phonecode:ip:*"):
        limits.delete(key)
    response = post(a, "/wechat/bind/", {"phone": APPLICANT})
    assert response.status_code == 302, response.text[-3000:]
    code = CODE.search(wait_for_sms(stack, APPLICANT, before + 1)[-1]).group(1)
    response = post(b, "/wechat/bind/code/", {"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/me/"
    assert signed_in(browser, a)
    step("signed in by WeChat: bound after the phone code, the session good on both nodes")

    headers = {"Authorization": f"Bearer {journey['token']}", "X-Forwarded-Proto": "https"}
    response = requests.post(
        api(a, "applications/"),
        json={"service": "renewal", "basis": "residence"},
        headers=headers,
        timeout=20,
    )
    assert response.status_code == 201, response.text
    base = f"applications/{response.json()['id']}/"
    requirements = requests.get(api(b, base), headers=headers, timeout=20).json()["requirements"]
    for code in [r["code"] for r in requirements if r["required"]]:
        response = requests.post(
            api(b, f"{base}materials/"),
            data={"requirement": code},
            files={"file": (f"{code}.png", tiny_png(), "image/png")},
            headers=headers,
            timeout=20,
        )
        assert response.status_code == 201, response.text
    response = requests.post(
        api(a, f"{base}submit/"), json={"password": PASSWORD}, headers=headers, timeout=20
    )
    assert response.status_code == 200, response.text
    sms_before = len(sms_to(stack, APPLICANT))
    application_id = int(base.split("/")[1])
    assert desk(stack, f"accept_approve_produce({application_id})") == {"state": "produced"}
    wanted = 4  # submitted, accepted, approved, ready (produced)
    wait_until(
        lambda: len([s for s in wechat.sent if s["touser"] == "o-smoke"]) >= wanted,
        timeout=30,
        what=f"{wanted} WeChat notices\n{stack.logs()}",
    )
    time.sleep(3)  # a duplicate would arrive within the worker's retry interval
    notices = [s for s in wechat.sent if s["touser"] == "o-smoke"]
    assert len(notices) == wanted, notices
    assert all(f"%2Fapplications%2F{application_id}%2F" in n["url"] for n in notices)
    assert len(sms_to(stack, APPLICANT)) == sms_before  # the results went by WeChat alone
    assert wechat.token_fetches == 1  # one token for both nodes and the worker
    step("renewal: submitted, accepted, approved and ready as WeChat notices, once each")


def test_processes_are_still_up(stack):
    for process in stack.processes.values():
        assert process.alive(), f"{process.name} exited:\n{process.log()[-4000:]}"
    for node in stack.nodes:
        scraped = requests.get(
            f"{node}/metrics",
            headers={"Authorization": f"Bearer {stack.env['METRICS_TOKEN']}"},
            timeout=10,
        )
        assert scraped.status_code == 200, scraped.status_code
        assert "portal_identities_waiting 0.0" in scraped.text  # the journey's was verified
        assert 'portal_applications_waiting{state="produced"' in scraped.text
        assert requests.get(f"{node}/metrics", timeout=10).status_code == 404
    step("/metrics: the token on both nodes (the journey's card counted), 404 without")
    worker_log = stack.processes["worker"].log()
    assert "notifications.send_sms" in worker_log
    step("web nodes, worker, beat and S3 server stayed up; the worker ran the SMS tasks")


# --- the scale-out shape (issue 28): the replica's reads, and surviving three faults ----------


def scrape(stack) -> requests.Response:
    """/metrics over nginx's plain-HTTP port (as a scraper inside would): its gauges are the
    replica's reads."""
    return requests.get(
        f"{stack.edge_http}/metrics",
        headers={"Authorization": f"Bearer {stack.env['METRICS_TOKEN']}"},
        timeout=15,
    )


def replica_clients(stack) -> int:
    """The portal's connections to the standby (persistent: DB_CONN_MAX_AGE)."""
    return stack.standby.query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'portal' "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )[0][0]


def web_logs(stack) -> str:
    return "".join(stack.processes[name].log() for name in ("web1", "web2"))


def test_the_journey_went_through_pgbouncer_pooling_by_transaction(stack):
    config = {row["key"]: row["value"] for row in stack.pgbouncer.show("CONFIG")}
    assert config["pool_mode"] == "transaction"
    pools = [row for row in stack.pgbouncer.show("POOLS") if row["database"] == "portal"]
    servers = stack.primary.query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'portal' "
        "AND backend_type = 'client backend'"
    )[0][0]
    assert pools and servers <= int(config["default_pool_size"]) + int(config["reserve_pool_size"])
    step(f"PgBouncer pools by transaction: {servers} server connections on the primary")


def test_lag_tolerant_reads_are_served_by_the_streaming_replica(stack, journey):
    assert stack.standby.query("SELECT pg_is_in_recovery()") == [(True,)]
    assert stack.primary.query("SELECT state FROM pg_stat_replication") == [("streaming",)]
    users = "SELECT count(*) FROM applicants_user"
    expected = stack.primary.query(users, "portal")
    wait_until(
        lambda: stack.standby.query(users, "portal") == expected,
        timeout=10,
        what="the standby to replay the journey",
    )
    step(f"the standby streams from the primary, the journey's rows there ({expected[0][0]} users)")

    for _ in range(4):  # both nodes (nginx spreads them)
        response = scrape(stack)
        assert response.status_code == 200
        assert 'portal_applications_waiting{state="produced"' in response.text
    assert replica_clients(stack) >= 1
    assert "replica_unavailable" not in web_logs(stack)
    step(f"the metrics gauges were read on the replica ({replica_clients(stack)} connections)")


def test_the_portal_keeps_working_with_the_replica_stopped(stack, journey):
    stack.standby.stop("fast")
    try:
        for _ in range(4):
            response = scrape(stack)
            assert response.status_code == 200, response.status_code
            assert "portal_identities_waiting 0.0" in response.text  # read on the primary
        me = requests.get(
            api(stack.edge, "me/"),
            headers={"Authorization": f"Bearer {journey['token']}"},
            timeout=10,
        )
        assert me.status_code == 200, me.text
        assert "event=replica_unavailable fallback=primary" in web_logs(stack)
        step("replica stopped: the gauges came from the primary, logged replica_unavailable")
    finally:
        stack.standby.start()

    def back_on_the_replica():
        scrape(stack)
        return replica_clients(stack) >= 1

    wait_until(back_on_the_replica, timeout=30, what="reads to return to the replica", interval=1)
    step("replica started again: after the retry period the gauges are read there again")


def test_the_portal_survives_one_web_node_killed(stack, journey):
    headers = {"Authorization": f"Bearer {journey['token']}"}
    victim = stack.processes["web1"]
    os.killpg(victim.popen.pid, signal.SIGKILL)
    victim.popen.wait(timeout=10)
    served_before = stack.processes["web2"].log().count('"GET /api/v1/me/')
    answers = [
        requests.get(api(stack.edge, "me/"), headers=headers, timeout=10).status_code
        for _ in range(10)
    ]
    assert answers == [200] * 10, answers
    token = requests.post(
        api(stack.edge, "auth/token/"), json={"phone": APPLICANT, "password": PASSWORD}, timeout=20
    )
    assert token.status_code == 201, token.text
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    assert requests.delete(api(stack.edge, "auth/token/"), headers=bearer, timeout=10).status_code
    assert stack.processes["web2"].log().count('"GET /api/v1/me/') >= served_before + 10
    step("web node 1 killed (SIGKILL): 10 reads and a sign-in, all answered by node 2")

    stack.start_web(0)

    def node_one_up():
        assert stack.processes["web1"].alive(), stack.processes["web1"].log()[-3000:]
        try:
            return requests.get(f"{stack.nodes[0]}/healthz", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    wait_until(node_one_up, timeout=60, what="web node 1 restarted", interval=0.5)

    def node_one_serves():
        requests.get(api(stack.edge, "me/"), headers=headers, timeout=10)
        return '"GET /api/v1/me/' in stack.processes["web1"].log()

    wait_until(node_one_serves, timeout=30, what="nginx to use node 1 again", interval=0.5)
    step("node 1 restarted: nginx sends it requests again")


def test_the_portal_survives_pgbouncer_restarted(stack, journey):
    headers = {"Authorization": f"Bearer {journey['token']}"}
    applications = api(stack.edge, "applications/")
    before = requests.get(applications, headers=headers, timeout=10).json()["count"]
    stack.pgbouncer.stop()
    try:
        started = time.monotonic()
        during = requests.post(
            applications,
            headers=headers,
            json={"service": "new", "basis": "residence", "answers": {"household_region": "1101"}},
            timeout=20,
        )
        assert during.status_code >= 500, during.text  # refused cleanly, quickly
        assert time.monotonic() - started < 15
        step(f"PgBouncer down: a filing is refused with {during.status_code}, no hang")
    finally:
        stack.pgbouncer.start()
    answers = [
        requests.get(applications, headers=headers, timeout=10) for _ in range(6)
    ]  # every gunicorn worker's old connection is noticed (CONN_HEALTH_CHECKS), none fails
    assert [a.status_code for a in answers] == [200] * 6, [a.status_code for a in answers]
    assert answers[-1].json()["count"] == before  # nothing half-saved from the refused filing
    token = requests.post(
        api(stack.edge, "auth/token/"), json={"phone": APPLICANT, "password": PASSWORD}, timeout=20
    )
    assert token.status_code == 201, token.text  # a write (the token's row)
    step("PgBouncer restarted: reads and writes work again; the refused filing left nothing")
    for name in ("web1", "web2", "worker", "beat", "nginx"):
        assert stack.processes[name].alive(), stack.processes[name].log()[-3000:]
