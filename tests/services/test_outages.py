"""Issue 30 with real processes: a gunicorn node whose PostgreSQL connection is cut (a TCP proxy
between them closed, live connections included) answers the project's 503 page in the person's
language and the API's JSON 503 with Retry-After, then recovers; a node whose Redis is
unreachable answers a request for an SMS code with a page in words, not a 500."""

import contextlib
import select
import socket
import threading

import pytest
import requests

from tests.production.conftest import free_port
from tests.services.conftest import gunicorn, stop, wait_for
from tests.services.conftest import test_database_url as database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class CuttableProxy:
    """127.0.0.1:<port> forwarded to PostgreSQL until ``cut()``: the listener and every open
    connection closed at once, as a database host lost would; ``restore()`` listens again."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        self.port = free_port()
        self._sockets = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return

    def cut(self):
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets = []


def test_postgresql_cut_under_a_running_node(tmp_path):
    proxy = CuttableProxy()
    url = database_url().replace(":5432/", f":{proxy.port}/")
    proc, base, log = gunicorn(tmp_path, "web", DATABASE_URL=url)
    try:
        browser = requests.Session()
        browser.headers["Accept-Language"] = "zh-hans"
        browser.get(f"{base}/accounts/login/", timeout=10)  # its CSRF cookie; a live connection
        proxy.cut()
        sent = browser.post(
            f"{base}/accounts/login/",
            data={
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "username": "13800138000",
                "password": "Typed-Pass-2026",
            },
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
        )
        assert sent.status_code == 503, (sent.status_code, sent.text[:500], log.read_text())
        assert sent.headers["Retry-After"] == "60"
        assert "服务暂时不可用" in sent.text and "您提交的内容没有保存" in sent.text
        assert "Server Error (500)" not in sent.text
        assert 'value="13800138000"' in sent.text and "Typed-Pass-2026" not in sent.text

        api = requests.post(  # a log-in over the API: the account is looked up
            f"{base}/api/v1/auth/token/",
            json={"phone": "13800138000", "password": "Typed-Pass-2026"},
            headers={"Accept-Language": "en"},
            timeout=30,
        )
        assert api.status_code == 503, api.text[:500]
        assert api.headers["Content-Type"].startswith("application/json")
        assert api.headers["Retry-After"] == "60"
        assert api.json()["code"] == "unavailable"

        proxy.restore()  # the database is back: the node answers again, no restart
        assert wait_for(
            lambda: browser.get(f"{base}/accounts/login/", timeout=10).status_code == 200,
            timeout=20,
        ), log.read_text()
    finally:
        stop(proc)
        proxy.cut()


def test_redis_unreachable_asking_for_a_code_on_the_web(tmp_path):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    proc, base, log = gunicorn(tmp_path, "web-noredis", REDIS_URL=closed)
    try:
        browser = requests.Session()
        browser.headers["Accept-Language"] = "en"
        browser.get(f"{base}/accounts/signup/", timeout=10)
        answer = browser.post(
            f"{base}/accounts/signup/",
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"], "phone": "13800138000"},
            headers={"Referer": f"{base}/accounts/signup/"},
            timeout=30,
        )
        assert answer.status_code == 503, (answer.status_code, answer.text[:500], log.read_text())
        assert "Codes cannot be sent just now" in answer.text
        assert 'value="13800138000"' in answer.text
    finally:
        stop(proc)
