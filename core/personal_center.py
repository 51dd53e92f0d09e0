"""The personal center (个人中心) is built from sections that apps contribute.

An app adds a section by registering a provider, a function ``provider(request)`` returning a
``Section`` (or None to show nothing), in a module imported at startup. A module named
``personal_center`` in any installed app is imported automatically::

    # permits/personal_center.py (or any module the app imports at startup)
    from core.personal_center import Section, register

    @register(order=30)
    def my_permits(request):
        return Section(
            title=_("Residence permits"),
            template="permits/center/permits.html",
            context={"permits": ...},
        )

The applicants app shows identity (order 10) and dependents (order 20); residence
registrations use 30; permits and applications should use 40 and 50.
Each section template is drawn in the page's context with its ``context`` on top
(``{% section_html section %}``) and should end every item with its next step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class Section:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    key: str = ""


_providers: list[tuple[int, Callable]] = []
_discovered = False


def register(func: Callable | None = None, *, order: int = 100):
    def decorator(provider: Callable) -> Callable:
        if all(existing is not provider for _order, existing in _providers):
            _providers.append((order, provider))
        return provider

    return decorator(func) if func is not None else decorator


def sections_for(request) -> list[Section]:
    global _discovered
    if not _discovered:
        autodiscover_modules("personal_center")
        _discovered = True
    sections = []
    for order, provider in sorted(_providers, key=lambda item: item[0]):
        section = provider(request)
        if section is not None:
            if section.order == 100:
                section.order = order
            sections.append(section)
    return sections
