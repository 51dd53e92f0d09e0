"""A province's peak hour as a mix of people (`make loadtest`, tests/perf/loadtest.py runs it
headless against nginx). The seeded people come from LOADTEST_DATA (loadtest_seed.py's JSON).

Weights (of the users Locust starts): applicants who hold a permit 55 (sign in on the web form,
then the personal center, My applications, My Affairs; now and then a sign-in over the API),
public verifications 25 (employers, landlords, hotels scanning a card's QR code), applicants
filing 8 (sign in over the API, file an application with three uploads, submit; once each),
officers 12 (the queue, an application's desk page, an acceptance at the desk).
Every page's name is its row in the table.
"""

from __future__ import annotations

import io
import json
import os
import random
import re

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["LOADTEST_DATA"]).read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([^"]+)"')
NEW_PERMIT = {"service": "new", "basis": "residence", "answers": {"household_region": "110105"}}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 160)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
holders = list(DATA["holders"])
filers = list(DATA["filers"])
queue = list(DATA["submitted"])


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        self.client.verify = os.environ.get("REQUESTS_CA_BUNDLE", True)

    def web_login(self, phone: str) -> None:
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": phone, "password": DATA["password"]},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign-in (web form)",
            allow_redirects=False,
        )


class Holder(Portal):
    weight = 55

    def on_start(self):
        super().on_start()
        self.phone = random.choice(holders)  # noqa: S311
        self.web_login(self.phone)

    @task(10)
    def personal_center(self):
        self.client.get("/accounts/me/", name="personal center")

    @task(6)
    def my_applications(self):
        self.client.get("/permits/applications/", name="My applications")

    @task(5)
    def my_affairs(self):
        self.client.get("/my-affairs/", name="My Affairs")

    @task(1)
    def api_sign_in(self):
        self.client.post(
            "/api/v1/auth/token/",
            json={"phone": self.phone, "password": DATA["password"]},
            name="sign-in (API token)",
        )


class Verifier(Portal):
    weight = 25

    @task
    def verify(self):
        self.client.get(f"/verify/{random.choice(DATA['codes'])}/", name="public verification")  # noqa: S311


class Filer(Portal):
    weight = 8

    def on_start(self):
        super().on_start()
        self.filed = False
        phone = filers.pop() if filers else None
        self.headers = {}
        if phone:
            answer = self.client.post(
                "/api/v1/auth/token/",
                json={"phone": phone, "password": DATA["password"]},
                name="sign-in (API token)",
            )
            self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}

    @task
    def file(self):
        if self.filed or not self.headers:
            self.client.get("/api/v1/me/", headers=self.headers, name="API me")
            return
        self.filed = True
        created = self.client.post(
            "/api/v1/applications/",
            json=NEW_PERMIT,
            headers=self.headers,
            name="filing: create",
        )
        if created.status_code != 201:
            return
        base = f"/api/v1/applications/{created.json()['id']}/"
        for requirement in created.json()["requirements"]:
            if requirement["required"]:
                self.client.post(
                    f"{base}materials/",
                    data={"requirement": requirement["code"]},
                    files={"file": ("page.png", PNG, "image/png")},
                    headers=self.headers,
                    name="filing: upload",
                )
        self.client.post(
            f"{base}submit/",
            json={"password": DATA["password"]},
            headers=self.headers,
            name="filing: submit",
        )


class Officer(Portal):
    weight = 12

    def on_start(self):
        super().on_start()
        self.client.cookies.set("sessionid", DATA["officer_session"])
        self.client.headers["X-Forwarded-Proto"] = "https"

    @task(5)
    def queue_page(self):
        self.client.get("/admin/", name="officer: queue")

    @task(3)
    def desk(self):
        pk = random.choice(DATA["submitted"])  # noqa: S311
        self.client.get(f"/admin/permits/permitapplication/{pk}/change/", name="officer: desk")

    @task(1)
    def accept(self):
        """The officer's act at the desk: open the act's form, confirm it."""
        if not queue:
            return
        pk = queue.pop()
        url = f"/admin/permits/permitapplication/{pk}/act/accept/"
        form = self.client.get(url, name="officer: accept form")
        version = VERSION.search(form.text)
        token = CSRF.search(form.text)
        if not (version and token):
            return
        self.client.post(
            url,
            data={"csrfmiddlewaretoken": token.group(1), "version": version.group(1)},
            headers={"Referer": f"{self.host}{url}"},
            name="officer: accept (desk act)",
            allow_redirects=False,
        )
