"""The services the portal offers, declared once (in the spirit of Open Forms' plugin registries).

Each service is a module of this package (``new``, ``renewal``, ``change``, ``replacement``,
``cancellation``) holding a ``ServiceType`` subclass: its answers, eligibility, materials,
state-machine hooks, papers and messages. ``PermitsConfig.ready()`` imports the modules, which
register themselves; a later service is one more module (README "Add a service").

Everything else reads the registry:

- ``get(code)``: the service of an application (``application.service_type`` on the model);
- ``all_services()``: every service in the order the start page lists them;
- ``choices()``: the model fields' and the forms' choices (a callable, so a service registered
  later is a valid value everywhere);
- ``codes(**flags)``: the codes whose declaration has these flags (``codes(rewrites_card=True)``).
"""

from __future__ import annotations

from core.registry import Registry

from .base import AnswerContext, AnswerField, EligibilityFacts, MaterialSpec, ServiceType

_services = Registry("service")
register = _services.register  # a class (instantiated once) or an instance; a class decorator
unregister = _services.unregister
get = _services.get
is_registered = _services.is_registered
all_services = _services.all
label = _services.label


def choices() -> list[tuple[str, str]]:
    """The choices of the ``service`` fields (a module function: the migrations name it)."""
    return _services.choices()


def codes(**flags) -> list[str]:
    return [
        s.code
        for s in all_services()
        if all(getattr(s, name) == value for name, value in flags.items())
    ]


__all__ = [
    "AnswerContext",
    "AnswerField",
    "EligibilityFacts",
    "MaterialSpec",
    "ServiceType",
    "all_services",
    "choices",
    "codes",
    "get",
    "is_registered",
    "label",
    "register",
    "unregister",
]
