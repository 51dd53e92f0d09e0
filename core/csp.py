"""django-csp's middleware, with the site-wide policy built once (issue 18).

django-csp 4 builds the header for every response, twice (the policy and the report-only one),
each time deep-copying the settings' directives (``dataclasses.asdict``): about 1.2 ms of every
request on the bench machine, the dearest middleware after the session's query. A response that
asks for nothing of its own (no ``csp_update``/``csp_replace``/``csp`` decorator, no nonce used)
gets the same two strings every time: they are built once per policy setting and reused. Any
other response goes through django-csp unchanged.
"""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What a view or decorator may set on a response to change its policy (django-csp 4).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class CSPMiddleware(LibraryCSPMiddleware):
    _built: tuple[object, object, str, str] | None = None

    def _site_policies(self) -> tuple[str, str]:
        """(policy, report-only policy) of the current settings; rebuilt when the settings'
        objects change (``override_settings`` in tests)."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            built = (policy, report_only, build_policy(), build_policy(report_only=True))
            self._built = built
        return built[2], built[3]

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        policy, report_only = self._site_policies()
        for header, value, setting, exempt in (
            (HEADER, policy, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (
                HEADER_REPORT_ONLY,
                report_only,
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
                "_csp_exempt_ro",
            ),
        ):
            if not value or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
