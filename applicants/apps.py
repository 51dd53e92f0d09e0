from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Applicants")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import (
            lockout,
            tasks,  # noqa: F401  (queues the automatic identity check on submission)
        )

        user_logged_in.connect(
            lockout.forget_failures_on_login, dispatch_uid="portal_lockout_forget_on_login"
        )
