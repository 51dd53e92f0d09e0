from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The papers a station signs, one module of permits.papers each, registered in this order (the
# order of Document.kind's choices).
BUILT_IN_PAPERS = ("acceptance", "supplement", "refusal", "handover", "residence_certificate")


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Residence permits")

    def ready(self):
        for module in BUILT_IN_PAPERS:
            import_module(f"{self.name}.papers.{module}")
