"""The registry of the papers a station signs (the kinds of ``Document``), in the spirit of Open
Forms' plugin registries: each kind is one class in one module of ``permits.papers``, registered
with ``@register`` when that module is imported (the built-in ones at app ready,
``permits.apps.PermitsConfig.ready``).

Light on purpose: ``permits.models`` imports this module (``Document.kind`` takes its choices
from ``choices``), so it imports nothing of the project.

- ``register(paper_class)``: class decorator; registers one instance under ``paper_class.code``
  (the same code claimed by another class is an error) and returns the class.
- ``unregister(kind)``: removes a kind (tests that declare a kind of their own).
- ``get(kind)``: the registered paper of ``kind`` (``UnknownPaper``, a ``KeyError``, if none).
- ``all()``: every registered paper, by its ``order``.
- ``choices()``: ``[(code, label), ...]``, the choices of ``Document.kind``.
- ``label(kind)``: the kind's name as lists show it (the code itself for an unknown kind).
"""

from __future__ import annotations

__all__ = ["UnknownPaper", "all", "choices", "get", "label", "register", "unregister"]

_papers: dict = {}


class UnknownPaper(KeyError, ValueError):
    """No paper of this kind is registered (a ``ValueError`` too, as an unknown choice was)."""


def register(paper_class):
    code = str(paper_class.code or "")
    if not code:
        raise ValueError(f"{paper_class.__qualname__} declares no code")
    existing = _papers.get(code)
    if existing is not None and type(existing).__qualname__ != paper_class.__qualname__:
        raise ValueError(f"The paper kind {code!r} is already registered by {type(existing)!r}")
    _papers[code] = paper_class()
    return paper_class


def unregister(kind) -> None:
    _papers.pop(str(kind), None)


def get(kind):
    try:
        return _papers[str(kind)]
    except KeyError:
        raise UnknownPaper(f"No paper of kind {kind!r} is registered") from None


def all() -> list:
    """Every registered paper, by its ``order`` (then its code)."""
    return sorted(_papers.values(), key=lambda paper: (paper.order, str(paper.code)))


def choices() -> list[tuple[str, object]]:
    return [(str(paper.code), paper.label) for paper in all()]


def label(kind) -> str:
    paper = _papers.get(str(kind))
    return str(paper.label) if paper is not None else str(kind or "")
