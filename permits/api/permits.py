"""Permits over the API: my permits (and those of the people I act for), and the public
verification of a permit card (no login, rate-limited; see permits.verification)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.masking import mask_name
from permits import verification
from permits.api.applications import StationSerializer
from permits.models import ResidencePermit


def own_permits(user):
    return ResidencePermit.objects.filter(holder__account=user).select_related(
        "holder", "station", "house"
    )


class PermitSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)
    holder_id = serializers.IntegerField(read_only=True)
    holder_masked_name = serializers.SerializerMethodField()
    address = serializers.CharField(source="house.address", read_only=True)
    station = StationSerializer(read_only=True)
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = ResidencePermit
        fields = [
            "id",
            "number",
            "card_serial",
            "status",
            "status_display",
            "holder_id",
            "holder_masked_name",
            "address",
            "station",
            "basis",
            "basis_display",
            "issued_on",
            "valid_until",
            "continuous_since",
            "last_endorsed_on",
            "suspended_on",
            "verification_url",
        ]
        read_only_fields = fields

    def get_holder_masked_name(self, permit) -> str:
        return mask_name(permit.holder.full_name)

    @extend_schema_field(serializers.URLField())
    def get_verification_url(self, permit) -> str:
        """What the QR code on the permit page holds: the public verification page."""
        return verification.verification_url(permit)


@extend_schema(tags=["permits"])
class PermitListView(generics.ListAPIView):
    """My permits and those of the people I act for, newest first."""

    serializer_class = PermitSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return own_permits(self.request.user).order_by("-issued_on", "-pk")


@extend_schema(tags=["permits"])
class PermitDetailView(generics.RetrieveAPIView):
    serializer_class = PermitSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return own_permits(self.request.user)


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[verification.VALID, verification.SUSPENDED, verification.INVALID]
    )
    status_display = serializers.CharField()
    masked_name = serializers.CharField(allow_blank=True)
    valid_until = serializers.DateField(allow_null=True)


@extend_schema(tags=["permits"])
class VerifyView(APIView):
    """Public: is the permit card behind this code valid? Only the status, the holder's masked
    name and the valid-until date; a forged, altered or replaced card's code says "invalid"."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "verify"

    @extend_schema(responses={200: VerificationSerializer}, auth=[])
    def get(self, request, code: str):
        result = verification.verify(code)
        return Response(
            VerificationSerializer(
                {
                    "status": result.status,
                    "status_display": result.label,
                    "masked_name": result.masked_name,
                    "valid_until": result.valid_until,
                }
            ).data
        )
