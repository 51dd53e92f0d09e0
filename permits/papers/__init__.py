"""The papers a station signs (issue 16), declared once each: one module per kind, registered
with ``permits.papers.registry`` at app ready. See ``base`` for what a kind declares."""

from .base import APPLICATION_ACT, ON_DEMAND, ApplicationPaper, OnDemandPaper, Paper
from .registry import UnknownPaper, all, choices, get, label, register, unregister

__all__ = [
    "APPLICATION_ACT",
    "ON_DEMAND",
    "ApplicationPaper",
    "OnDemandPaper",
    "Paper",
    "UnknownPaper",
    "all",
    "choices",
    "get",
    "label",
    "register",
    "unregister",
]
