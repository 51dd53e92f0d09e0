"""Real-name identity (实名认证) over the API: one's own, and dependents filed as agent (代办).

Views call applicants.services (the same functions as the personal-center pages). Photos and
proofs go through the shared upload checks (core.uploads: real image or PDF by content,
size-limited, re-encoded without metadata). The ID number is never sent back in clear.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants import services
from applicants.constants import AgentReason, IdentityRejectionReason, Relationship
from applicants.id_numbers import parse_id_number
from applicants.models import Identity
from core.api.throttles import UploadScopeMixin
from core.uploads import clean_document, clean_image


class ImageUpload(serializers.FileField):
    """A photo: JPEG, PNG or WebP by content, re-encoded without metadata."""

    def to_internal_value(self, data):
        return clean_image(super().to_internal_value(data))


class DocumentUpload(serializers.FileField):
    """A proof: a photo or a PDF, checked by content."""

    def to_internal_value(self, data):
        return clean_document(super().to_internal_value(data))


class IdentitySerializer(serializers.ModelSerializer):
    # Blank until decided: declared so the schema's enum admits "".
    rejection_reason = serializers.ChoiceField(
        choices=IdentityRejectionReason.choices, allow_blank=True, read_only=True
    )
    masked_id_number = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    has_id_card_front = serializers.SerializerMethodField()
    has_id_card_back = serializers.SerializerMethodField()
    has_face_photo = serializers.SerializerMethodField()

    class Meta:
        model = Identity
        fields = [
            "id",
            "relationship",
            "agent_reason",
            "full_name",
            "masked_id_number",
            "birth_date",
            "sex",
            "state",
            "state_display",
            "rejection_reason",
            "rejection_note",
            "submitted_at",
            "decided_at",
            "has_id_card_front",
            "has_id_card_back",
            "has_face_photo",
        ]
        read_only_fields = fields

    def get_has_id_card_front(self, identity) -> bool:
        return bool(identity.id_card_front)

    def get_has_id_card_back(self, identity) -> bool:
        return bool(identity.id_card_back)

    def get_has_face_photo(self, identity) -> bool:
        return bool(identity.face_photo)


class OwnIdentityInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=22)
    id_card_front = ImageUpload(required=False)
    id_card_back = ImageUpload(required=False)
    face_photo = ImageUpload(required=False)

    def validate_id_number(self, value):
        return parse_id_number(value).number


class DependentInputSerializer(OwnIdentityInputSerializer):
    relationship = serializers.ChoiceField(
        choices=[(c, label) for c, label in Relationship.choices if c != Relationship.SELF]
    )
    agent_reason = serializers.ChoiceField(
        choices=[(c, label) for c, label in AgentReason.choices if c]
    )
    agent_proof = DocumentUpload(required=False)


@extend_schema(tags=["identity"])
class OwnIdentityView(UploadScopeMixin, APIView):
    """My own real-name identity: see it, file it, or correct and resubmit it after a
    rejection (photos on file may be kept by leaving them out)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    error_statuses = {"404", "409"}

    @extend_schema(responses={200: IdentitySerializer})
    def get(self, request):
        identity = request.user.own_identity
        if identity is None:
            raise NotFound(_("No identity filed yet."))
        return Response(IdentitySerializer(identity).data)

    @extend_schema(
        request=OwnIdentityInputSerializer,
        responses={201: IdentitySerializer},
        description=str(_("Sends the identity for verification (pending).")),
    )
    def post(self, request):
        serializer = OwnIdentityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.submit_own_identity(account=request.user, **serializer.validated_data)
        return Response(IdentitySerializer(identity).data, status=status.HTTP_201_CREATED)


def dependents(request):
    return Identity.objects.filter(account=request.user).exclude(relationship=Relationship.SELF)


@extend_schema(tags=["identity"])
class DependentListView(UploadScopeMixin, generics.ListAPIView):
    """People I act for as agent (代办: minors under 16, elderly, disabled; seed 001)."""

    serializer_class = IdentitySerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    error_statuses = {"404", "409"}

    def get_queryset(self):
        return dependents(self.request).order_by("created_at", "pk")

    @extend_schema(request=DependentInputSerializer, responses={201: IdentitySerializer})
    def post(self, request):
        """File a dependent's identity (both identities are needed: mine must be filed)."""
        serializer = DependentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.add_dependent(account=request.user, **serializer.validated_data)
        return Response(IdentitySerializer(identity).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["identity"])
class DependentDetailView(UploadScopeMixin, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    error_statuses = {"404", "409"}

    @extend_schema(responses={200: IdentitySerializer})
    def get(self, request, pk: int):
        return Response(IdentitySerializer(get_object_or_404(dependents(request), pk=pk)).data)

    @extend_schema(request=DependentInputSerializer, responses={200: IdentitySerializer})
    def put(self, request, pk: int):
        """Correct a rejected dependent identity and submit it again."""
        identity = get_object_or_404(dependents(request), pk=pk)
        serializer = DependentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.resubmit_dependent(
            identity=identity, account=request.user, **serializer.validated_data
        )
        return Response(IdentitySerializer(identity).data)
