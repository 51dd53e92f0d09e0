"""The papers a station signs over the API (issue 16): my documents and their PDFs (owner only,
404 for anyone else), and the public verification of a paper (no login, rate-limited like the
permit check)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.uploads import protected_file_response
from permits.models import Document
from permits.selectors.documents import (
    GENUINE,
    INVALID,
    check_document,
    documents_of,
    normalise_hash,
)
from permits.services.rendering import ensure_rendered
from permits.views.documents import uploaded_hash


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="title", read_only=True)  # as printed
    application_id = serializers.IntegerField(read_only=True, allow_null=True)
    permit_id = serializers.IntegerField(read_only=True, allow_null=True)
    station = serializers.CharField(source="station.name", read_only=True)
    file_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "kind_display",
            "number",
            "application_id",
            "permit_id",
            "station",
            "issued_at",
            "valid_until",
            "language",
            "content_hash",
            "file_url",
            "verification_url",
        ]
        read_only_fields = fields

    def get_file_url(self, document) -> str:
        from django.urls import reverse

        return reverse("api:document-file", args=[document.pk])

    def get_verification_url(self, document) -> str:
        return document.verification_url() if document.is_verifiable else ""


@extend_schema(
    tags=["documents"],
    parameters=[OpenApiParameter("application", int, description="Only this application's")],
)
class DocumentListView(generics.ListAPIView):
    """My papers: the notices of the applications I filed, the certificates of my permits."""

    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = documents_of(self.request.user)
        application = self.request.query_params.get("application", "")
        if application.isdigit():
            queryset = queryset.filter(application_id=int(application))
        return queryset


@extend_schema(tags=["documents"])
class DocumentDetailView(generics.RetrieveAPIView):
    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return documents_of(self.request.user)


@extend_schema(tags=["documents"], responses={(200, "application/pdf"): bytes})
class DocumentFileView(generics.GenericAPIView):
    """The PDF (rendered now if not yet stored); 404 for anyone but its owner."""

    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return documents_of(self.request.user)

    def get(self, request, pk):
        document = ensure_rendered(self.get_object())
        return protected_file_response(document.file, download_name=document.number)


class DocumentCheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[GENUINE, INVALID])
    reason = serializers.CharField(allow_blank=True)
    reason_display = serializers.CharField(allow_blank=True)
    kind = serializers.CharField(allow_blank=True)
    kind_display = serializers.CharField(allow_blank=True)
    number = serializers.CharField(allow_blank=True)
    issued_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    masked_name = serializers.CharField(allow_blank=True)


def _check_data(result) -> dict:
    return DocumentCheckSerializer(
        {
            "status": result.status,
            "reason": result.reason,
            "reason_display": result.reason_text,
            "kind": result.kind,
            "kind_display": result.kind_label,
            "number": result.number,
            "issued_on": result.issued_on,
            "valid_until": result.valid_until,
            "masked_name": result.masked_name,
        }
    ).data


@extend_schema(tags=["documents"])
class DocumentVerifyView(APIView):
    """Public: is the paper behind this code genuine? ``?sha256=`` (or a POSTed ``file``)
    checks the file too: a different hash is "invalid" (altered). Only the kind, number, issue
    date and the holder's masked name are ever shown."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "verify"

    @extend_schema(
        responses={200: DocumentCheckSerializer},
        auth=[],
        parameters=[OpenApiParameter("sha256", str, description="SHA-256 of the PDF, hex")],
    )
    def get(self, request, code: str):
        given = request.query_params.get("sha256")
        content_hash = normalise_hash(given)[:64] if given else None
        return Response(_check_data(check_document(code, content_hash)))

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: DocumentCheckSerializer},
        auth=[],
    )
    def post(self, request, code: str):
        upload = request.FILES.get("file")
        content_hash = uploaded_hash(upload) if upload else None
        return Response(_check_data(check_document(code, content_hash)))
