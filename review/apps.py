from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_groups(sender, **kwargs):
    from .roles import sync_groups

    sync_groups()


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Police review")

    def ready(self) -> None:
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="review_sync_groups")
        from . import audit  # noqa: F401  (connects the login/logout audit receivers)


class PortalAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the portal's site (``review.site``) as ``admin.site``."""

    default = False  # review's own config stays the default of this module
    default_site = "review.site.PortalAdminSite"
