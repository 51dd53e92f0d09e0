"""Demo data for the embedded default, contributed by the apps.

An app adds demo data by registering a seeder in a module named ``demo`` (found at run time)::

    from core.demo import register

    @register(order=10)
    def seed_my_things() -> list[tuple[str, str]]:
        ...  # idempotent (update_or_create); return the (role, phone) logins it made

``manage.py seed_demo`` runs every seeder, in order, in one transaction, and prints the logins.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

DEMO_PASSWORD = "Demo-Pass-2026"  # noqa: S105 - demo data only; seed_demo refuses in production

_seeders: list[tuple[int, Callable[[], list[tuple[str, str]]]]] = []


def register(func: Callable | None = None, *, order: int = 100):
    def decorator(seeder: Callable) -> Callable:
        if all(existing is not seeder for _order, existing in _seeders):
            _seeders.append((order, seeder))
        return seeder

    return decorator(func) if func is not None else decorator


def seeders() -> list[Callable[[], list[tuple[str, str]]]]:
    autodiscover_modules("demo")
    return [seeder for _order, seeder in sorted(_seeders, key=lambda item: item[0])]
