from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Domain-free plumbing every app may import; it imports no app of the portal."""

    name = "core"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        # The read replica's router (core.db_router): each request and each task starts unwritten.
        from celery.signals import task_prerun
        from django.core.signals import request_started

        from . import signals  # noqa: F401  (transitions only through core.fsm.run_transition)
        from .db_router import unit_of_work_started

        request_started.connect(unit_of_work_started, dispatch_uid="db_router_request")
        task_prerun.connect(unit_of_work_started, dispatch_uid="db_router_task", weak=False)
