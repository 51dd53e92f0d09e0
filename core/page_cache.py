"""A person's pages, cached under their account's page generation (issue 29, point 1).

Every account carries a counter, ``page_generation`` (a column of the user model, loaded with
the user by the authentication middleware: reading it costs no query). Whatever changes what a
person's pages show adds one to the counter of every account it concerns, in the same
transaction as the change:

* ``core.fsm.run_transition()``, the one runner of every state machine's transitions, after
  the save and the history row (``bump_for(instance)``);
* every edit of a place their pages name (a station, a house, an agency: ``watch(
  edits_only=True)``), for everyone whose cases are there;
* every other save or delete of a row a person's pages show: a model declares
  ``page_accounts()`` (the accounts a row concerns, as ids or as a query of ids: the
  applicant, the person, the agent who filed) and is ``watch()``-ed: its ``post_save`` and
  ``post_delete`` bump those accounts (a notification, a material, an appointment, a rating,
  a WeChat binding, an identity's or a draft's edits, ...);
* the set-based writes that bypass ``save()``: the daily jobs bump in the same SQL statement
  (a CTE) or transaction, and a service writing ``QuerySet.update()`` calls ``bump()``;
* the account's own ``save()`` (``applicants.User``) writes ``page_generation + 1``.

A person's page is then cached (``person_page``) under a key of the account, its generation,
the language, today's date (pages count days), the CSRF secret (pages carry forms with a token
derived from it), the release and the path with its query. A page drawn before a change is
never served after it: its key names a generation that no longer is. Nothing is invalidated by
hand; old entries expire (``PAGE_CACHE_SECONDS``).

A staff screen may be kept the same way (``staff_page_key``: the application desk), under the
page generations of the accounts its record concerns, which the screen reads first, and the
viewer's access (permissions, groups, station), with the same rules; ``serve`` does the rest.

Never cached: a staff account's page (but a screen keyed by ``staff_page_key``), a non-GET
request, an answer other than 200, a request
with pending ``django.contrib.messages`` (the page would show them, or lose them), a response
that sets a cookie or changes the session, a request without a CSRF cookie yet.

``core`` knows no app: the accounts are ``get_user_model()``'s, the rows' accounts come from
each model's own ``page_accounts()``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from contextvars import ContextVar
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import F, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

FIELD = "page_generation"
# Headers a cached answer keeps (the view's own; the middleware adds the rest on each request).
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires", "Content-Language")


# --- bumping ---------------------------------------------------------------------------------
def _condition(accounts) -> Q | None:
    """``accounts``: ids, user objects, or querysets of ids (``values("account_id")``)."""
    ids: set[int] = set()
    queries: list[QuerySet] = []
    for account in accounts or ():
        if account is None:
            continue
        if isinstance(account, QuerySet):
            queries.append(account)
        elif isinstance(account, int):
            ids.add(account)
        elif getattr(account, "pk", None) is not None:
            ids.add(account.pk)
    condition = Q(pk__in=ids) if ids else None
    for query in queries:
        condition = Q(pk__in=query) if condition is None else condition | Q(pk__in=query)
    return condition


def bump(accounts) -> int:
    """Add one to the page generation of ``accounts`` (one UPDATE; none for no account)."""
    condition = _condition(accounts)
    if condition is None:
        return 0
    return get_user_model()._base_manager.filter(condition).update(**{FIELD: F(FIELD) + 1})


def accounts_of(instance) -> list:
    """The accounts ``instance`` concerns, by its model's declaration (none without one)."""
    declared = getattr(instance, "page_accounts", None)
    return list(declared()) if declared is not None else []


def bump_for(*instances) -> int:
    """Bump every account the rows concern (one UPDATE)."""
    accounts = [account for instance in instances for account in accounts_of(instance)]
    return bump(accounts)


def bump_rows(queryset) -> int:
    """Bump the accounts of every row of ``queryset`` (a set-based write's rows) in one UPDATE:
    by the model's ``page_accounts_of(queryset)`` (subqueries of ids), else row by row."""
    declared = getattr(queryset.model, "page_accounts_of", None)
    if declared is not None:
        return bump(declared(queryset))
    return bump_for(*queryset)


def bump_sql(account_ids_sql: str) -> str:
    """The UPDATE a set-based job adds to its statement (as one more data-modifying CTE, or run
    in its transaction): every account whose id ``account_ids_sql`` (a SELECT) returns."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = qn(get_user_model()._meta.db_table)
    column = qn(get_user_model()._meta.get_field(FIELD).column)
    pk = qn(get_user_model()._meta.pk.column)
    return (
        f"UPDATE {table} SET {column} = {column} + 1 "  # noqa: S608 - names from model meta
        f"WHERE {pk} IN ({account_ids_sql})"
    )


# Rows saved by the runner: it bumps once after the history row (the signal stays quiet).
_RUNNER_SAVING = "_page_cache_runner_saving"


# The accounts gathered by ``collected()`` while its block runs (None outside one).
_COLLECTING: ContextVar[list | None] = ContextVar("page_cache_collecting", default=None)


@contextlib.contextmanager
def collected():
    """Inside the block, the watched rows' bumps are gathered and sent as one UPDATE at its end
    (put it inside the transaction of the write): a batch delete of thousands of watched rows
    then bumps their accounts once, not once per row."""
    accounts: list = []
    token = _COLLECTING.set(accounts)
    try:
        yield
    finally:
        _COLLECTING.reset(token)
    bump(accounts)


def _on_change(sender, instance, raw=False, **kwargs):
    if raw or getattr(instance, _RUNNER_SAVING, False):
        return
    collecting = _COLLECTING.get()
    if collecting is not None:
        collecting.extend(accounts_of(instance))
        return
    bump_for(instance)


def _on_edit(sender, instance, created=False, raw=False, **kwargs):
    if not created:
        _on_change(sender, instance, raw=raw)


def watch(model=None, *, edits_only: bool = False):
    """Bump the accounts of every saved or deleted row of ``model`` (which declares
    ``page_accounts()``). Usable as a class decorator (``@watch`` or ``@watch(edits_only=True)``).

    ``edits_only``: a place many people's pages name (a station, a house, an agency): a new one
    concerns nobody yet, and one in use cannot be deleted (PROTECT); its edits bump everyone
    whose pages name it."""

    def connect(model):
        uid = f"page_cache:{model._meta.label}"
        if edits_only:
            post_save.connect(_on_edit, sender=model, weak=False, dispatch_uid=uid + ":save")
            return model
        post_save.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":delete")
        return model

    return connect(model) if model is not None else connect


class runner_save:
    """``with runner_save(instance): instance.save()``: the runner's own save, bumped once by
    the runner itself after the history row."""

    def __init__(self, instance):
        self.instance = instance

    def __enter__(self):
        setattr(self.instance, _RUNNER_SAVING, True)

    def __exit__(self, *exc):
        self.instance.__dict__.pop(_RUNNER_SAVING, None)


# --- caching ---------------------------------------------------------------------------------
@functools.cache
def _files_release() -> str:
    """The deploy when ``RELEASE`` is not set: the newest modification time of the project's
    code, templates and translations (read once per process; every worker of one deploy finds
    the same, so they share the cache)."""
    root = Path(settings.BASE_DIR)
    skipped = {".venv", "var", "node_modules", ".git", "tests", "test-artifacts", "static"}
    newest = 0.0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skipped and not d.startswith(".")]
        for name in files:
            if name.endswith((".py", ".html", ".txt", ".mo")):
                with contextlib.suppress(OSError):
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
    return f"files-{newest:.0f}"


def _release() -> str:
    return settings.RELEASE or _files_release()


def _has_pending_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # len() loads them without marking them seen (iterating would)
    return len(storage) > 0


def _key_prefix(request) -> list[str] | None:
    """What every kept page's key names (the release, the account and its generation, the
    language, today, the CSRF secret, the path), or None when this request's page must not be
    kept: a request other than GET, no signed-in account, a generation just saved as an F()
    expression, no CSRF cookie yet (or one being rotated), pending messages."""
    from core import clock

    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    generation = getattr(user, FIELD, None)
    if not isinstance(generation, int):  # an F() expression just saved: unknown
        return None
    secret = request.META.get("CSRF_COOKIE")
    if not secret or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None
    if _has_pending_messages(request):
        return None
    return [
        _release(),
        str(user.pk),
        str(generation),
        translation.get_language() or "",
        clock.today().isoformat(),
        secret,
        request.get_full_path(),
    ]


def page_key(request) -> str | None:
    """The cache key of this request's page (a person's own, never staff), or None when it
    must not be cached."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "is_staff", False):
        return None
    parts = _key_prefix(request)
    if parts is None:
        return None
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"person-page:{user.pk}:{parts[2]}:{digest}"


def staff_page_key(request, name: str, *facts) -> str | None:
    """The cache key of a staff screen ``name`` (issue 29: the application desk), or None when
    it must not be kept. ``facts`` are everything else the screen depends on, which the caller
    reads: the viewer's access (permissions, groups, station) and the page generations of
    every account the shown record concerns. The viewer's own generation is in the key too (a
    rename shows in the header at once)."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_staff", False):
        return None
    parts = _key_prefix(request)
    if parts is None:
        return None
    digest = hashlib.sha256("\x1f".join([*parts, name, *map(str, facts)]).encode()).hexdigest()
    return f"staff-page:{name}:{user.pk}:{digest}"


def _cacheable(request, response) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    return not getattr(storage, "_queued_messages", None)


def serve(request, key: str | None, draw) -> HttpResponse:
    """The page under ``key`` from the cache, else ``draw()`` (a view's response), kept when
    it may be kept (``_cacheable``); with no key, ``draw()`` alone."""
    if key is None:
        return draw()
    secret = request.META.get("CSRF_COOKIE")
    cache = caches[settings.PAGE_CACHE_ALIAS]
    entry = cache.get(key)
    if entry is not None:
        content, headers, used_csrf = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        if used_csrf:
            get_token(request)  # as the drawn page did: the cookie is kept fresh
        response["X-Page-Cache"] = "hit"
        return response
    response = draw()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if _cacheable(request, response):
        headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
        used_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if request.META.get("CSRF_COOKIE") != secret:  # rotated while drawn: not this key
            return response
        cache.set(key, (response.content, headers, used_csrf), settings.PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
    return response


def person_page(view):
    """Serve a person's page from the cache under its key (``page_key``), else draw it and
    keep it when it may be kept. Put it inside ``login_required``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve(request, page_key(request), lambda: view(request, *args, **kwargs))

    return wrapper
