"""Accounts over the API: tokens (log in, log out) and the current user."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants import lockout
from applicants.constants import PUBLIC_PHONE_CODE_PURPOSES
from core.api.auth import KEYWORD, issue_token, revoke_token
from core.http import client_ip
from core.phones import normalize_phone
from core.second_factor import needs_second_factor, verify_code


def phone_subject(request) -> str:
    """The phone number a request is about (normalized when possible), for throttling."""
    data = request.data if hasattr(request.data, "get") else {}
    raw = str(data.get("phone", "") or "")[:40]
    try:
        return normalize_phone(raw)
    except DjangoValidationError:
        return raw.strip()


class TokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40, help_text=_("Mobile phone, e.g. 13800138000."))
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp_token = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=_(
            "Staff only: the 6-digit code of the authenticator app (or a backup code). "
            "A staff token without it is refused by the staff endpoints."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    token_type = serializers.CharField(help_text=_('Always "Bearer".'))
    expires_at = serializers.DateTimeField()
    second_factor = serializers.BooleanField(
        help_text=_("True when a staff login was verified by a second factor.")
    )


def token_response(user, *, second_factor=None, status_code=status.HTTP_201_CREATED) -> Response:
    issued = issue_token(user, second_factor=second_factor)
    return Response(
        TokenSerializer(
            {
                "token": issued.key,
                "token_type": KEYWORD,
                "expires_at": issued.expires_at,
                "second_factor": second_factor is not None,
            }
        ).data,
        status=status_code,
    )


@extend_schema(tags=["auth"])
class TokenView(APIView):
    """Log in (get a bearer token) and log out (revoke the token used)."""

    @property
    def throttle_scope(self):
        request = getattr(self, "request", None)
        return "login" if request is not None and request.method == "POST" else "api"

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Logging in reads no credentials: a stale token in the app must not block a new login.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @staticmethod
    def throttle_subject(request) -> str:
        return phone_subject(request)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenSerializer},
        auth=[],
        description=str(
            _(
                "The same answer for an unknown number and a wrong password. Throttled per "
                "client address and per phone number with address; after AXES_FAILURE_LIMIT "
                "failures one account is locked for that address (429 locked_out, with when "
                "to retry). Staff add otp_token (authenticator or backup code)."
            )
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            phone = normalize_phone(serializer.validated_data["phone"])
        except DjangoValidationError:
            phone = None
        user = None
        if phone:
            user = authenticate(
                request._request, phone=phone, password=serializer.validated_data["password"]
            )
        if user is None:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        serializers.ErrorDetail(
                            str(_("The phone number or the password is not correct.")),
                            code="invalid_login",
                        )
                    ]
                }
            )
        device = None
        if needs_second_factor(user) and serializer.validated_data.get("otp_token"):
            device = verify_code(user, serializer.validated_data["otp_token"])
            if device is None:
                # A right password with a wrong code counts as a failed login (lockout).
                lockout.count_failure(request, user)
                raise serializers.ValidationError(
                    {
                        "otp_token": [
                            serializers.ErrorDetail(
                                str(_("The code is not correct or was already used.")),
                                code="otp_invalid",
                            )
                        ]
                    }
                )
        if device is not None or not needs_second_factor(user):
            lockout.count_success(request, user)  # the whole sign-in passed
        return token_response(user, second_factor=device)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the bearer token of this request (a session is left alone)."""
        if isinstance(request.auth, str):
            revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OwnIdentitySummarySerializer(serializers.Serializer):
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    masked_name = serializers.SerializerMethodField()
    masked_id_number = serializers.CharField()

    def get_masked_name(self, identity) -> str:
        from core.masking import mask_name

        return mask_name(identity.full_name)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    display_name = serializers.CharField()
    language = serializers.CharField()
    is_staff = serializers.BooleanField()
    identity = serializers.SerializerMethodField()

    @extend_schema_field(OwnIdentitySummarySerializer(allow_null=True))
    def get_identity(self, user):
        identity = user.own_identity
        return OwnIdentitySummarySerializer(identity).data if identity else None


@extend_schema(tags=["auth"])
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        """The signed-in account and the state of its own identity verification."""
        return Response(MeSerializer(request.user).data)


# --- sign-up and password reset with an SMS code ------------------------------------------------


class PhoneCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    purpose = serializers.ChoiceField(
        choices=[(p.value, p.label) for p in PUBLIC_PHONE_CODE_PURPOSES]
    )

    def validate_phone(self, value):
        return normalize_phone(value)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(tags=["auth"])
class PhoneCodeView(APIView):
    """Ask for a 6-digit SMS code (sign-up or password reset)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "sms_code"

    @staticmethod
    def throttle_subject(request) -> str:
        return phone_subject(request)

    @extend_schema(
        request=PhoneCodeRequestSerializer,
        responses={202: DetailSerializer},
        auth=[],
        description=str(
            _(
                "The same answer whether or not the number has an account; the SMS says what "
                "applies. Throttled per client address and per phone number."
            )
        ),
    )
    def post(self, request):
        from applicants import services

        serializer = PhoneCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_phone_code(
            phone=serializer.validated_data["phone"],
            purpose=serializer.validated_data["purpose"],
            client_ip=client_ip(request),
        )
        message = _(
            "If this number can be used for this, a 6-digit code is on its way by SMS. "
            "It is valid for 10 minutes."
        )
        return Response({"detail": str(message)}, status=status.HTTP_202_ACCEPTED)


class PhoneCodeSerializer(serializers.Serializer):
    """A phone number proved by the 6-digit code just sent to it."""

    phone = serializers.CharField(max_length=40)
    code = serializers.RegexField(r"^[0-9]{6}$", max_length=6)

    def validate_phone(self, value):
        return normalize_phone(value)


class SignUpSerializer(PhoneCodeSerializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)


class PhoneCodeActView(APIView):
    """Anonymous acts proved by an SMS code, throttled per address and per phone number."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "sign_up"

    @staticmethod
    def throttle_subject(request) -> str:
        return phone_subject(request)


@extend_schema(tags=["auth"])
class SignUpView(PhoneCodeActView):
    """Create an account with the phone number proved by its SMS code; answers a token."""

    @extend_schema(request=SignUpSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        from applicants import services

        serializer = SignUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.sign_up(**serializer.validated_data, client_ip=client_ip(request))
        return token_response(user)


class PasswordResetSerializer(PhoneCodeSerializer):
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


@extend_schema(tags=["auth"])
class PasswordResetView(PhoneCodeActView):
    """Set a new password with an SMS code; every earlier token stops working."""

    @extend_schema(request=PasswordResetSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        from applicants import services

        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.reset_password(**serializer.validated_data, client_ip=client_ip(request))
        return token_response(user)
