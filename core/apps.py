from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Domain-free plumbing every app may import; it imports no app of the portal."""

    name = "core"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (transitions only through core.fsm.run_transition)
