"""The bare Django app ``make bench`` measures the portal's pages against (issue 18): one file,
settings inline, the session and authentication middleware only, one ``login_required`` view
doing one query. Served like the portal: ``gunicorn tests.perf.bare_app:application`` with 2 sync
workers, on the same PostgreSQL database with the same persistent connections.

It reads the portal's tables: sessions from ``django_session`` (the same database engine and
cookie), the signed-in account from ``applicants_user`` through an unmanaged model with the same
columns, so a session made for the portal (same ``SECRET_KEY``) signs in here too. So a request
costs what any signed-in Django page costs at least: the session row, the user row, one query.

Environment: ``DATABASE_URL``, ``SECRET_KEY`` (the portal's, for the session hash),
``DB_CONN_MAX_AGE`` (default 60, as the portal's).
"""

from __future__ import annotations

import os

import environ
from django.apps import AppConfig
from django.conf import settings

LABEL = "bare"


class BareConfig(AppConfig):
    """Holds the user model; it is defined while apps load (no models module in one file)."""

    name = __name__
    label = LABEL

    def import_models(self):
        _define_models()
        super().import_models()


def _define_models() -> None:
    from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
    from django.db import models

    class BareUser(AbstractBaseUser):
        """``applicants.User``'s columns, read only (the portal's migrations own the table)."""

        phone = models.CharField(max_length=20, unique=True)
        display_name = models.CharField(max_length=60, blank=True)
        language = models.CharField(max_length=10)
        is_staff = models.BooleanField(default=False)
        is_active = models.BooleanField(default=True)
        is_superuser = models.BooleanField(default=False)
        date_joined = models.DateTimeField()

        objects = BaseUserManager()

        USERNAME_FIELD = "phone"

        class Meta:
            app_label = LABEL
            db_table = "applicants_user"
            managed = False

    globals()["BareUser"] = BareUser


if not settings.configured:
    database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    database["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            f"{__name__}.BareConfig",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        AUTH_USER_MODEL=f"{LABEL}.BareUser",
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"],
        LOGIN_URL="/accounts/login/",
        DATABASES={"default": database},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
    )

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


@login_required
def page(request):
    """One query (after the session and the user): the account's applications, counted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM permits_permitapplication WHERE filed_by_id = %s",
            [request.user.pk],
        )
        (count,) = cursor.fetchone()
    return HttpResponse(
        f"<!doctype html><title>bare</title><p>{request.user.phone}: {count}</p>",
        content_type="text/html; charset=utf-8",
    )


urlpatterns = [path("", page)]

application = get_wsgi_application()
