"""URLs under /api/: the versioned API, its OpenAPI schema and its documentation page.

Each app keeps its endpoints beside it (``<app>/api/urls.py``); this module only puts them
under ``/api/v1/``. Unknown paths under /api/ answer 404 in the API's error shape (never an HTML
page), and ids in paths are 1-18 digits so no lookup can overflow the database's integer.
"""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from core.api.errors import api_not_found

v1_patterns = [
    path("", include("applicants.api.urls")),
    path("", include("permits.api.urls")),
    path("", include("review.api.urls")),
    path("", include("notifications.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1_patterns, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves the page's script from a URL (?script), never inline: the
    # Content-Security-Policy needs no 'unsafe-inline' (templates/api/*.html drop the inline CSS).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Redoc draws its styles at run time (styled-components): this one static page, with no
    # personal data and nothing reflected from the request, allows inline styles (never inline
    # scripts) and its search worker (a blob: script made by its own bundle).
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    re_path(r"^", api_not_found),
]
