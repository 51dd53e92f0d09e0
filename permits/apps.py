import pkgutil
from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _fill_materials_catalogue(sender, using="default", **kwargs):
    from permits.services.catalogue import sync_materials_catalogue

    sync_materials_catalogue(using=using)


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Residence permits")

    def ready(self):
        # One module per service in permits.service_types: each registers itself when imported,
        # so a new service is a new module there and nothing else to list.
        from . import service_types

        for module in pkgutil.iter_modules(service_types.__path__):
            import_module(f"{service_types.__name__}.{module.name}")
        post_migrate.connect(
            _fill_materials_catalogue, sender=self, dispatch_uid="permits_materials_catalogue"
        )
