"""The ways into the portal that an outside channel's menu offers (the WeChat official account's
menu, issue 26): each app declares its own, so a channel lists what the apps offer instead of a
copy of it (a sixth service appears in the menu by being registered, nothing more).

An app adds entries by registering a provider, a function returning ``EntryPoint``s (or one page
with ``register_page``), in a module named ``entry_points`` (imported automatically on first
use)::

    # permits/entry_points.py
    from core.entry_points import SERVICES, EntryPoint, register

    @register
    def services():
        return [EntryPoint(key=s.code, label=..., path=..., group=SERVICES, order=s.order) ...]

Labels and paths are callables, read under the menu's language when the menu is built.
``SERVICES`` holds what a person comes to do (the services); ``MINE`` what the person has
(My Affairs, the personal center). How a channel groups and titles them is the channel's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

SERVICES = "services"
MINE = "mine"


@dataclass(frozen=True)
class EntryPoint:
    key: str
    label: Callable[[], str]
    path: Callable[[], str]
    group: str
    order: int = 100


_providers: list[Callable[[], list[EntryPoint]]] = []
_discovered = False


def register(provider: Callable[[], list[EntryPoint]]) -> Callable[[], list[EntryPoint]]:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_page(*, key: str, label, url_name: str, group: str, order: int = 100) -> None:
    """One entry for one named page: ``label`` a (lazy) translatable string, ``url_name`` its
    URL's name."""
    entry = EntryPoint(key, partial(str, label), partial(reverse, url_name), group, order)
    register(lambda: [entry])


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry of ``group``, by its order (then its key)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("entry_points")
        _discovered = True
    entries = [entry for provider in _providers for entry in provider() if entry.group == group]
    return sorted(entries, key=lambda entry: (entry.order, entry.key))
