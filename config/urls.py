from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from permits.verification import verify_page
from permits.views.documents import verify_document

from .health import healthz
from .metrics import metrics
from .metrics import register as register_metrics
from .views import HomeView

register_metrics()

# The project's own error pages (templates/4xx.html, 500.html); an unreachable database or Redis
# is a 503 in words, JSON on the API (issue 30).
handler500 = "core.outages.server_error"

admin.site.site_header = _("Residence permit review")
admin.site.site_title = _("Residence permit review")
admin.site.index_title = _("Police desk")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include("review.urls")),  # the staff second-factor step, before the admin
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("verify/document/<str:code>/", verify_document, name="document-verify"),
    path("verify/<str:code>/", verify_page, name="permit-verify"),
    path("accounts/", include("applicants.urls")),
    path("my-affairs/", include("notifications.urls")),
    path("permits/", include("permits.urls")),
    path("kiosk/", include("kiosk.urls")),
    path("wechat/", include("wechat.urls")),
]
