"""The WeChat API through the kept SDK (wechatpy), with the access token shared by every worker.

WeChat gives an official account one valid access token at a time (fetching a new one retires
the old one), so the token lives in the Django cache (Redis in production: one token for every
web and worker process, not one per process). When WeChat answers that the token is invalid or
expired (40001, 40014, 42001), the client refreshes it once, under a lock in the cache: a worker
that finds the token already replaced by another worker uses that one, so concurrent workers
fetch one new token between them, and each retries its call once.

``WECHAT_API_BASE_URL`` points every call (API, OAuth authorize page, token) at a stand-in
(tests/wechat_standin.py); empty means WeChat's own hosts.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from .constants import TOKEN_ERRORS

logger = logging.getLogger(__name__)

LOCK_SECONDS = 15  # longest a refresh may hold the lock (the token call's timeout and then some)
TOKEN_MARGIN_SECONDS = 300  # a token is replaced this long before WeChat says it expires


def enabled() -> bool:
    """The channel is on when the account is configured (off by default: `make run`)."""
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_SECRET)


def _base() -> str:
    return settings.WECHAT_API_BASE_URL.rstrip("/")


class CacheStorage(SessionStorage):
    """wechatpy's session storage over the Django cache (shared by every process)."""

    def get(self, key, default=None):
        value = cache.get(f"wechat:{key}")
        return default if value is None else value

    def set(self, key, value, ttl=None):
        if ttl is not None:
            ttl = max(int(ttl) - TOKEN_MARGIN_SECONDS, 60)
        cache.set(f"wechat:{key}", value, timeout=ttl)

    def delete(self, key):
        cache.delete(f"wechat:{key}")


class PortalWeChatClient(WeChatClient):
    def __init__(self):
        super().__init__(
            settings.WECHAT_APP_ID,
            settings.WECHAT_SECRET,
            session=CacheStorage(),
            timeout=settings.WECHAT_TIMEOUT_SECONDS,
            auto_retry=False,  # the refresh-once below replaces the SDK's per-process one
        )
        if _base():
            self.API_BASE_URL = f"{_base()}/cgi-bin/"

    @property
    def lock_key(self) -> str:
        return f"wechat:{self.access_token_key}:refresh-lock"

    def fetch_access_token(self):
        """One call to WeChat for a new token, stored in the cache (the SDK's call, at the
        configured host)."""
        return self._fetch_access_token(
            url=f"{_base() or 'https://api.weixin.qq.com'}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    @property
    def access_token(self) -> str:
        return self.session.get(self.access_token_key) or self.refresh_access_token(stale=None)

    def refresh_access_token(self, *, stale: str | None) -> str:
        """A token other than ``stale``: the one another worker just stored, or a new one fetched
        by exactly one worker (the lock holder)."""
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            if cache.add(self.lock_key, 1, timeout=LOCK_SECONDS):
                try:
                    current = self.session.get(self.access_token_key)
                    if current and current != stale:
                        return current
                    logger.info(
                        "WeChat access token %s; fetching one", "refused" if stale else "missing"
                    )
                    self.fetch_access_token()
                    return self.session.get(self.access_token_key)
                finally:
                    cache.delete(self.lock_key)
            if time.monotonic() > deadline:
                raise WeChatClientException(errcode=None, errmsg="token refresh timed out")
            time.sleep(0.05)

    def _request(self, method, url_or_endpoint, **kwargs):
        params = dict(kwargs.pop("params", None) or {})
        try:
            return super()._request(method, url_or_endpoint, params=params, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            stale = params.get("access_token")
        fresh = self.refresh_access_token(stale=stale)
        return super()._request(
            method, url_or_endpoint, params={**params, "access_token": fresh}, **kwargs
        )


class PortalOAuth(WeChatOAuth):
    """Official-account web authorisation (snsapi_base: the openid, silently)."""

    def __init__(self, *, redirect_uri: str, state: str):
        super().__init__(
            settings.WECHAT_APP_ID,
            settings.WECHAT_SECRET,
            redirect_uri,
            scope="snsapi_base",
            state=state,
        )
        if _base():
            self.API_BASE_URL = f"{_base()}/"
            self.OAUTH_BASE_URL = f"{_base()}/connect/"

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", settings.WECHAT_TIMEOUT_SECONDS)
        return super()._request(method, url_or_endpoint, **kwargs)


_client: PortalWeChatClient | None = None
_client_key: tuple | None = None


def get_client() -> PortalWeChatClient:
    """One client (one HTTP connection pool) per process and settings."""
    global _client, _client_key
    key = (settings.WECHAT_APP_ID, settings.WECHAT_SECRET, _base())
    if _client is None or _client_key != key:
        _client, _client_key = PortalWeChatClient(), key
    return _client
