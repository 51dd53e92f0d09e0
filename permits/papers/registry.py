"""The registry of the papers a station signs (the kinds of ``Document``), in the spirit of Open
Forms' plugin registries: each kind is one class in one module of ``permits.papers``, registered
with ``@register`` when that module is imported (the built-in ones at app ready,
``permits.apps.PermitsConfig.ready``).

Light on purpose: ``permits.models`` imports this module (``Document.kind`` takes its choices
from ``choices``), so it imports nothing of the project but ``core.registry``.

- ``register(paper_class)``: class decorator; registers one instance under ``paper_class.code``
  (the same code claimed by another class is an error) and returns the class.
- ``unregister(kind)``: removes a kind (tests that declare a kind of their own).
- ``get(kind)``: the registered paper of ``kind`` (``UnknownPaper``, a ``KeyError``, if none).
- ``all()``: every registered paper, by its ``order``.
- ``choices()``: ``[(code, label), ...]``, the choices of ``Document.kind``.
- ``label(kind)``: the kind's name as lists show it (the code itself for an unknown kind).
"""

from __future__ import annotations

from core.registry import Registry

__all__ = ["UnknownPaper", "all", "choices", "get", "label", "register", "unregister"]


class UnknownPaper(KeyError, ValueError):
    """No paper of this kind is registered (a ``ValueError`` too, as an unknown choice was)."""


_papers = Registry("paper kind", missing=UnknownPaper)
register = _papers.register
unregister = _papers.unregister
get = _papers.get
all = _papers.all
label = _papers.label


def choices() -> list[tuple[str, object]]:
    """``Document.kind``'s choices (a module function: the migrations name it)."""
    return _papers.choices()
