"""Reads that tolerate a few seconds of lag go to the streaming replica; everything else to the
primary (issue 28).

Installed only when ``DATABASE_REPLICA_URL`` is set (config/settings.py adds the ``replica``
alias and this router); without it :func:`lag_tolerant` answers ``"default"`` and nothing
changes.

- A read goes to the replica only when its caller asks, inside ``with replica_reads():`` (or
  with ``.using(lag_tolerant())``): the public verification page, the supervisors' station
  report, the metrics gauges, the retention job's selectors. Every other read (an officer's
  desk, the applicant's pages) stays on the primary, where ``db_for_read`` leaves it.
- Once a request (or a Celery task) has written, its lag-tolerant reads go to the primary too:
  it reads what it wrote.
- Every write goes to the primary, also for an object read from the replica.
- When the replica does not answer, reads fall back to the primary (logged once per outage), and
  the replica is tried again after ``DATABASE_REPLICA_RETRY_SECONDS``.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("core.db_router")

REPLICA = "replica"
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("portal_db_wrote", default=False)
# Inside replica_reads(): None outside, else its after_write argument.
_reads: contextvars.ContextVar[bool | None] = contextvars.ContextVar("portal_reads", default=None)
_down_until = 0.0  # monotonic time before which the replica is not tried again (this process)
_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def unit_of_work_started(**_kwargs) -> None:
    """A request or a task begins: nothing written yet (connected in core.apps)."""
    _wrote.set(False)


def _replica_answers() -> bool:
    """Whether the replica's connection works (at most one check per request: Django's
    CONN_HEALTH_CHECKS); a failure marks it down for the retry period and is logged once."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        return True
    except DatabaseError as exc:
        retry = float(getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 30))
        with _lock:
            first = _down_until == 0.0 or time.monotonic() >= _down_until
            _down_until = time.monotonic() + retry
        if first:
            logger.warning(
                "event=replica_unavailable fallback=primary retry_in=%ss error=%s",
                int(retry),
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            )
        connection.close()
        return False


def lag_tolerant(*, after_write: bool = False) -> str:
    """The alias for a read that may be a few seconds behind: the replica when one is configured
    and answers and this request has not written (``after_write=True``: the caller checks again
    on the primary before acting, as the retention job does); the primary otherwise."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    if _wrote.get() and not after_write:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # inside a transaction: read it, not a snapshot elsewhere
    return REPLICA if _replica_answers() else DEFAULT_DB_ALIAS


@contextlib.contextmanager
def replica_reads(*, after_write: bool = False):
    """The reads inside this block tolerate lag: they go where :func:`lag_tolerant` says (a
    queryset must be evaluated inside). Nothing changes without a replica."""
    token = _reads.set(after_write)
    try:
        yield
    finally:
        _reads.reset(token)


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads where the caller chose (``using``), else the
    primary. Objects read from either may relate to each other (same data)."""

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return REPLICA  # related rows of a replica read come from the same source
        after_write = _reads.get()
        if after_write is not None:
            return lag_tolerant(after_write=after_write)
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
