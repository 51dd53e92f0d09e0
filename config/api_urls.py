"""URLs under /api/: the versioned API, its OpenAPI schema and its documentation page.

Each app keeps its endpoints beside it (``<app>/api/urls.py``); this module only puts them
under ``/api/v1/``. Unknown paths under /api/ answer 404 in the API's error shape (never an HTML
page), and ids in paths are 1-18 digits so no lookup can overflow the database's integer.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"^", api_not_found),
]
