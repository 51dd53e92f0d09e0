"""OpenAPI generation (drf-spectacular): every operation documents its error bodies.

``AutoSchema`` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds the one error shape
(``core.api.errors``) for the statuses an operation can answer with: 400 when it takes input,
401 and 403 when it needs a login, 404 when it has a path parameter or is a paginated list,
405, 406, 415 and 429 everywhere. An operation's own ``@extend_schema(responses=...)`` wins.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable machine-readable code, e.g. not_found."))
    message = serializers.CharField(help_text=_("Human-readable, in the request's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per field for a 400; non_field_errors for the whole request."),
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": _("Invalid input: see fields."),
    "401": _("No credentials, or an invalid, expired or revoked token."),
    "403": _("Not allowed (missing permission, or CSRF for session authentication)."),
    "404": _("Not found, or not yours."),
    "405": _("Method not allowed."),
    "406": _("Not acceptable: ask for application/json."),
    "409": _("Refused transition: the object is not in a state that allows this."),
    "415": _("Unsupported media type."),
    "429": _("Too many requests: wait for Retry-After seconds."),
}


def error_response(status_code: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=str(ERROR_DESCRIPTIONS[status_code]))


class AutoSchema(BaseAutoSchema):
    #: Views set ``error_statuses`` (e.g. {"409"}) to document additional errors.
    def _needs_login(self) -> bool:
        # Any view that reads credentials may answer 401 (a bad token) or 403 (CSRF, permission).
        if getattr(self.view, "authentication_classes", None):
            return True
        permissions = getattr(self.view, "permission_classes", [])
        return not all(permission is AllowAny for permission in permissions)

    def _error_codes(self) -> set[str]:
        codes = {"405", "406", "429"}
        if self.method in ("POST", "PUT", "PATCH"):
            codes |= {"400", "415"}
        elif self.method == "GET" and self._is_list_view():
            codes.add("400")
        if self._needs_login():
            codes |= {"401", "403"}
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            codes.add("404")
        codes |= set(getattr(self.view, "error_statuses", ()))
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        for code in sorted(self._error_codes()):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(code), code, direction=direction
                )
        return responses
