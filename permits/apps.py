import pkgutil
from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _fill_materials_catalogue(sender, using="default", **kwargs):
    from permits.services.catalogue import sync_materials_catalogue

    sync_materials_catalogue(using=using)


def _import_every_module(package) -> None:
    """A registry package's modules register what they declare when imported: a new service or
    paper is a new module there, and nothing else lists it."""
    for module in pkgutil.iter_modules(package.__path__):
        import_module(f"{package.__name__}.{module.name}")


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Residence permits")

    def ready(self):
        from . import papers, service_types

        _import_every_module(service_types)  # one module per service
        _import_every_module(papers)  # one module per kind of paper
        post_migrate.connect(
            _fill_materials_catalogue, sender=self, dispatch_uid="permits_materials_catalogue"
        )
