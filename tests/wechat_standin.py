"""A local stand-in for the WeChat official-account API (issue 26), for the tests, the services
suite and the production smoke (``python -m tests.wechat_standin --port 8765`` runs it alone).

Point ``WECHAT_API_BASE_URL`` at ``stand_in.url``. It answers:
- ``GET /cgi-bin/token``: a new access token (counted in ``token_fetches``); older ones keep
  working until ``expire_tokens()`` (then 42001) or ``invalidate_tokens()`` (then 40001);
- ``GET /connect/oauth2/authorize``: WeChat's authorisation page, answered at once with a
  redirect to ``redirect_uri?code=…&state=…`` for the openid ``signed_in_openid`` (the person
  "in" WeChat; set it, or call ``code_for(openid)`` to mint a code without the browser);
- ``GET /sns/oauth2/access_token``: the openid for a code, each code once (40163 after);
- ``POST /cgi-bin/message/template/send`` and ``/cgi-bin/message/subscribe/bizsend``: a notice,
  recorded in ``sent`` with a msgid; 43004 for an openid in ``unfollowed``;
- ``POST /cgi-bin/menu/create``: the menu, kept in ``menu``, refused as WeChat refuses one that
  breaks its limits (40016 buttons, 40018 a name, 40023 sub-buttons, 40025, 40027);
``script(errcode, times=1, path="send")`` answers the next calls to that endpoint with the error
(e.g. 40037 template removed, 45009 quota, -1 busy); ``script_delay(seconds)`` makes the next
send answer late (a read timeout). For a stand-in in another process (the production smoke),
``POST /_standin/<method>`` with a JSON body calls the same methods and ``GET /_standin/state``
returns what it holds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_ID = "wx-standin-app"
SECRET = "standin-secret"


class WeChatStandIn:
    def __init__(self, *, port: int = 0, host: str = "127.0.0.1"):
        self.lock = threading.Lock()
        self.token_fetches = 0
        self.tokens: dict[str, str] = {}  # token -> "valid" | "expired" | "invalid"
        self.codes: dict[str, str | None] = {}  # code -> openid (None once used)
        self.signed_in_openid = "o-standin-person"
        self.unfollowed: set[str] = set()
        self.sent: list[dict] = []
        self.refused: list[dict] = []
        self.menu: dict | None = None
        self.scripts: dict[str, list] = {"send": [], "token": [], "menu": []}
        self.delays: list[float] = []
        self.token_delay = 0.0
        self._msgids = itertools.count(1000)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _query(self):
                return {
                    k: v[0] for k, v in urllib.parse.parse_qs(self.path.partition("?")[2]).items()
                }

            def _json(self, payload, status=200):
                body = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                path, query = self.path.partition("?")[0], self._query()
                if path == "/cgi-bin/token":
                    return self._json(stand_in._token(query))
                if path == "/connect/oauth2/authorize":
                    code = stand_in.code_for(stand_in.signed_in_openid)
                    target = query.get("redirect_uri", "")
                    sep = "&" if "?" in target else "?"
                    back = {"code": code, "state": query.get("state", "")}
                    location = f"{target}{sep}{urllib.parse.urlencode(back)}"
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if path == "/sns/oauth2/access_token":
                    return self._json(stand_in._exchange(query))
                if path == "/_standin/state":
                    return self._json(stand_in.state())
                return self._json({"errcode": 404, "errmsg": "not found"}, status=404)

            def do_POST(self):  # noqa: N802
                path, query = self.path.partition("?")[0], self._query()
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                data = json.loads(raw.decode() or "{}")
                if path.startswith("/_standin/"):
                    result = getattr(stand_in, path.rsplit("/", 1)[1])(**data)
                    return self._json({"ok": True, "result": result})
                if path in ("/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/bizsend"):
                    answer = stand_in._send(query.get("access_token", ""), data, api=path)
                    delay = stand_in._take_delay()
                    if delay:
                        time.sleep(delay)
                    return self._json(answer)
                if path == "/cgi-bin/menu/create":
                    return self._json(stand_in._menu(query.get("access_token", ""), data))
                return self._json({"errcode": 404, "errmsg": "not found"}, status=404)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control ---------------------------------------------------------------------------
    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def code_for(self, openid: str) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = openid
        return code

    def script(self, errcode: int, times: int = 1, path: str = "send", errmsg: str = "") -> None:
        with self.lock:
            self.scripts[path].extend([(errcode, errmsg or f"scripted {errcode}")] * times)

    def script_delay(self, seconds: float) -> None:
        with self.lock:
            self.delays.append(seconds)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, "expired")

    def invalidate_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, "invalid")

    def unfollow(self, openid: str) -> None:
        with self.lock:
            self.unfollowed.add(openid)

    def set_signed_in(self, openid: str) -> None:
        self.signed_in_openid = openid

    def state(self) -> dict:
        with self.lock:
            return {
                "token_fetches": self.token_fetches,
                "sent": list(self.sent),
                "refused": list(self.refused),
                "menu": self.menu,
            }

    # --- the API ---------------------------------------------------------------------------
    def _take(self, path: str):
        with self.lock:
            return self.scripts[path].pop(0) if self.scripts[path] else None

    def _take_delay(self) -> float:
        with self.lock:
            return self.delays.pop(0) if self.delays else 0.0

    def _token(self, query: dict) -> dict:
        if query.get("appid") != APP_ID or query.get("secret") != SECRET:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if self.token_delay:
            time.sleep(self.token_delay)
        with self.lock:
            self.token_fetches += 1
            token = f"TOKEN-{self.token_fetches}-{secrets.token_hex(4)}"
            self.tokens[token] = "valid"
        return {"access_token": token, "expires_in": 7200}

    def _token_error(self, token: str) -> dict | None:
        with self.lock:
            state = self.tokens.get(token)
        if state == "valid":
            return None
        if state == "expired":
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return {"errcode": 40001, "errmsg": "invalid credential"}

    def _exchange(self, query: dict) -> dict:
        if query.get("appid") != APP_ID or query.get("secret") != SECRET:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        code = query.get("code", "")
        with self.lock:
            if code not in self.codes:
                return {"errcode": 40029, "errmsg": "invalid code"}
            openid = self.codes[code]
            if openid is None:
                return {"errcode": 40163, "errmsg": "code been used"}
            self.codes[code] = None
        return {
            "access_token": "web-" + secrets.token_hex(8),
            "expires_in": 7200,
            "refresh_token": "r-" + secrets.token_hex(8),
            "openid": openid,
            "scope": "snsapi_base",
        }

    def _send(self, token: str, data: dict, *, api: str) -> dict:
        error = self._token_error(token)
        if error:
            return error
        scripted = self._take("send")
        if scripted:
            errcode, errmsg = scripted
            with self.lock:
                self.refused.append({"errcode": errcode, **data})
            return {"errcode": errcode, "errmsg": errmsg}
        if data.get("touser") in self.unfollowed:
            with self.lock:
                self.refused.append({"errcode": 43004, **data})
            return {"errcode": 43004, "errmsg": "require subscribe"}
        msgid = next(self._msgids)
        with self.lock:
            self.sent.append({"msgid": msgid, "api": api, **data})
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _menu(self, token: str, data: dict) -> dict:
        error = self._token_error(token)
        if error:
            return error
        scripted = self._take("menu")
        if scripted:
            return {"errcode": scripted[0], "errmsg": scripted[1]}
        refused = _menu_refusal(data)
        if refused:
            return {"errcode": refused[0], "errmsg": refused[1]}
        with self.lock:
            self.menu = data
        return {"errcode": 0, "errmsg": "ok"}


def _menu_refusal(data: dict) -> tuple[int, str] | None:
    """WeChat's own checks of menu/create (its global return codes): at most 3 buttons and 5
    sub-buttons each; names at most 16 bytes (a button) and 60 (a sub-button); URLs 1024."""

    def size(text: str) -> int:
        return len(text.encode())

    buttons = data.get("button") or []
    if not 1 <= len(buttons) <= 3:
        return 40016, "invalid button size"
    for button in buttons:
        if size(button.get("name", "")) > 16:
            return 40018, "invalid button name size"
        subs = button.get("sub_button") or []
        if len(subs) > 5:
            return 40023, "invalid sub button size"
        for sub in subs:
            if size(sub.get("name", "")) > 60:
                return 40025, "invalid sub button name size"
            if size(sub.get("url", "")) > 1024:
                return 40027, "invalid sub button url size"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    stand_in = WeChatStandIn(host=args.host, port=args.port)
    print(f"WeChat stand-in on {stand_in.url}", flush=True)
    stand_in.server.serve_forever()


if __name__ == "__main__":
    main()
