"""Permit applications over the API, for the applicant (self or as agent): start, answer,
upload, submit with the password, withdraw, answer a request for more material, choose pickup or
mail. Every act calls ``permits.services.applications`` (the same functions as the web pages);
refusals come back as 400/403/409 in the one error shape (core.api.errors).

An applicant sees the applications they filed or that are for a person whose identity they
filed; anyone else (another applicant, staff) gets 404 here. Staff work is in ``review.api.staff``.
"""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.api.identity import DocumentUpload
from applicants.models import Identity
from core.api.throttles import UploadScopeMixin
from core.masking import mask_name
from core.uploads import protected_file_response
from permits import service_types
from permits.constants import (
    ApplicationRejectionReason,
    ApplicationState,
    Basis,
    DeliveryMethod,
)
from permits.models import Material, PermitApplication, Station
from permits.photo_check import verdict_problems
from permits.selectors.applications import applications_of
from permits.selectors.places import agencies_for
from permits.selectors.timeline import timeline
from permits.services import applications as services


def owned_applications(user):
    """The one applicant scope (permits.selectors, as the web pages): what the account filed,
    for itself or as agent."""
    return applications_of(user)


def get_owned(request, pk) -> PermitApplication:
    return get_object_or_404(owned_applications(request.user), pk=pk)


# --- serializers --------------------------------------------------------------------------------


def acting_for(request, person_id: int | None) -> Identity:
    """The person a request acts for: a dependent of the account (404 for anyone else's), or
    the account's own identity, which must have been filed."""
    if person_id:
        return get_object_or_404(Identity, pk=person_id, account=request.user)
    person = request.user.own_identity
    if person is None:
        raise serializers.ValidationError({"person": [_("File your real-name identity first.")]})
    return person


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "name", "address", "phone", "window_hours", "offers_mail"]
        read_only_fields = fields


class ApplicationSummarySerializer(serializers.ModelSerializer):
    service_display = serializers.CharField(source="get_service_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    person_id = serializers.IntegerField(read_only=True)
    person_masked_name = serializers.SerializerMethodField()
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = PermitApplication
        fields = [
            "id",
            "reference",
            "service",
            "service_display",
            "state",
            "state_display",
            "person_id",
            "person_masked_name",
            "station_name",
            "created_at",
            "submitted_at",
            "deadline",
        ]
        read_only_fields = fields

    def get_person_masked_name(self, application) -> str:
        return mask_name(application.person.full_name)


class AnswersSerializer(serializers.Serializer):
    """The answers of the service applied for: each answer any registered service asks
    (``permits.service_types``: a new permit's place of household registration, a change's
    what/new value/date, a replacement's reason, a cancellation's date of moving away and the
    card's return, and any service added later), all optional here; the service checks them."""

    def get_fields(self):
        fields = super().get_fields()
        for service in service_types.all_services():
            for answer in service.answers:
                fields.setdefault(answer.name, answer.make_serializer_field())
        return fields


class RequirementStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    required = serializers.BooleanField()
    uploaded = serializers.BooleanField()
    flagged = serializers.BooleanField()


class PhotoProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PhotoCheckSerializer(serializers.Serializer):
    """The certificate photo's check (issue 31, point 4): ``ok``, and each problem with its
    message in plain words, in the caller's language."""

    ok = serializers.BooleanField()
    problems = PhotoProblemSerializer(many=True)


class MaterialSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(source="requirement.code", read_only=True)
    photo_check = serializers.SerializerMethodField(
        help_text="The certificate photo's check; null for any other material."
    )

    class Meta:
        model = Material
        fields = [
            "id",
            "requirement",
            "version",
            "content_type",
            "size",
            "uploaded_at",
            "photo_check",
        ]
        read_only_fields = fields

    @extend_schema_field(PhotoCheckSerializer(allow_null=True))
    def get_photo_check(self, material) -> dict | None:
        if material.photo_check is None:
            return None
        return {
            "ok": material.photo_checked_ok,
            "problems": [
                {"code": code, "message": message}
                for code, message in verdict_problems(material.photo_check)
            ],
        }


class FlaggedItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()
    items = FlaggedItemSerializer(many=True, required=False)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    window_hours = serializers.CharField(read_only=True)


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    # Blank until chosen or decided: declared so the schema's enums admit "".
    basis = serializers.ChoiceField(choices=Basis.choices, allow_blank=True, read_only=True)
    rejection_reason = serializers.ChoiceField(
        choices=ApplicationRejectionReason.choices, allow_blank=True, read_only=True
    )
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True
    )
    station = StationSerializer(read_only=True)
    answers = serializers.SerializerMethodField()
    requirements = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    flagged_items = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    permit_id = serializers.IntegerField(read_only=True, allow_null=True)
    agency = AgencySerializer(read_only=True, allow_null=True)
    agencies = serializers.SerializerMethodField()

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "basis",
            "answers",
            "is_late",
            "station",
            "agency",
            "agencies",
            "requirements",
            "materials",
            "flagged_items",
            "supplement_requested_at",
            "accepted_at",
            "decided_at",
            "rejection_reason",
            "rejection_note",
            "produced_at",
            "delivery_method",
            "mail_recipient_name",
            "mail_address",
            "mail_phone",
            "tracking_number",
            "permit_id",
            "timeline",
        ]
        read_only_fields = fields

    @extend_schema_field(AgencySerializer(many=True))
    def get_agencies(self, application):
        """The agencies a draft may be filed at (issue 31); empty once it is sent."""
        if application.state != ApplicationState.DRAFT:
            return []
        return AgencySerializer(agencies_for(application.station_id), many=True).data

    @extend_schema_field(AnswersSerializer)
    def get_answers(self, application) -> dict:
        return {k: v for k, v in (application.answers or {}).items() if v not in ("", None)}

    @extend_schema_field(RequirementStatusSerializer(many=True))
    def get_requirements(self, application):
        uploaded = set(application.current_materials().values_list("requirement__code", flat=True))
        flagged = set(application.flagged_codes())
        return [
            {
                "code": r.code,
                "name": r.name,
                "description": r.description or "",
                "required": r.required,
                "uploaded": r.code in uploaded,
                "flagged": r.code in flagged,
            }
            for r in application.requirements()
        ]

    @extend_schema_field(MaterialSerializer(many=True))
    def get_materials(self, application):
        return MaterialSerializer(
            application.current_materials().order_by("requirement__order", "pk"), many=True
        ).data

    @extend_schema_field(FlaggedItemSerializer(many=True))
    def get_flagged_items(self, application):
        if application.state != ApplicationState.SUPPLEMENT_REQUESTED:
            return []
        return FlaggedItemSerializer(application.flagged_items or [], many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, application):
        return TimelineEntrySerializer(timeline(application), many=True).data


class StartSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=())
    person = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text=_("The identity applied for (a dependent); default: my own identity."),
    )
    basis = serializers.ChoiceField(choices=Basis.choices, required=False)
    answers = AnswersSerializer(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["service"].choices = service_types.choices()  # every registered service
        return fields


class AnswerSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=Basis.choices, required=False)
    answers = AnswersSerializer(required=False)
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_(
            "Where to apply (issue 31): one of the station's community service agencies "
            "(``agencies`` of the detail), or null for the station itself."
        ),
    )


class UploadSerializer(serializers.Serializer):
    requirement = serializers.SlugField(max_length=40, help_text=_("The material's code."))
    file = DocumentUpload()


class PhotoReceiptSerializer(serializers.Serializer):
    receipt_number = serializers.CharField(
        max_length=40,
        help_text=_("The number on the receipt a certified photo studio gave (数码相片回执)."),
    )


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, help_text=_("The login password, again.")
    )


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class DeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    recipient_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate(self, data):
        if data["method"] == DeliveryMethod.MAIL:
            missing = {
                field: [_("Required for mail delivery.")]
                for field in ("recipient_name", "address", "phone")
                if not data.get(field)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return data


def _answers(data) -> dict:
    """The answers as the service takes them (dates as ISO strings, as the web form gives)."""
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in (data or {}).items()
    }


def detail_response(application, *, status_code=status.HTTP_200_OK) -> Response:
    application = get_object_or_404(
        PermitApplication.objects.select_related("person", "station"), pk=application.pk
    )
    return Response(ApplicationDetailSerializer(application).data, status=status_code)


# --- views --------------------------------------------------------------------------------------

ACT_ERRORS = {"404", "409"}


@extend_schema(tags=["applications"])
class ApplicationListView(generics.ListAPIView):
    """My applications (and those of the people I act for), newest first."""

    serializer_class = ApplicationSummarySerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = {"404", "409"}

    def get_queryset(self):
        return owned_applications(self.request.user)

    @extend_schema(request=StartSerializer, responses={201: ApplicationDetailSerializer})
    def post(self, request):
        """Start (or resume) a draft for one of the services (``permits.service_types``). Not
        eligible: 409 with every reason in ``fields.non_field_errors``."""
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = acting_for(request, data.get("person"))
        application = services.start_application(
            user=request.user,
            person=person,
            service=data["service"],
            basis=data.get("basis", ""),
            answers=_answers(data.get("answers")),
        )
        return detail_response(application, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"])
class ApplicationDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = ACT_ERRORS

    @extend_schema(responses={200: ApplicationDetailSerializer})
    def get(self, request, pk: int):
        """The application with what it asks for, what is uploaded, and its timeline."""
        return Response(ApplicationDetailSerializer(get_owned(request, pk)).data)

    @extend_schema(request=AnswerSerializer, responses={200: ApplicationDetailSerializer})
    def patch(self, request, pk: int):
        """Answer a step of the draft: the basis and/or the service's questions."""
        application = get_owned(request, pk)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "agency" in data:
            services.choose_place(
                user=request.user, application=application, agency_id=data["agency"]
            )
        if "answers" in data or "basis" in data:
            services.save_answers(
                user=request.user,
                application=application,
                answers=_answers(data["answers"]) if "answers" in data else None,
                basis=data.get("basis"),
            )
        return detail_response(application)


@extend_schema(tags=["applications"])
class MaterialUploadView(UploadScopeMixin, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    error_statuses = ACT_ERRORS

    @extend_schema(request=UploadSerializer, responses={201: MaterialSerializer})
    def post(self, request, pk: int):
        """Upload one material (a photo or a PDF). In a draft any requirement; while more
        material is requested, only the flagged ones. A re-upload keeps the earlier version."""
        application = get_owned(request, pk)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        material = services.upload_material(
            user=request.user,
            application=application,
            requirement_code=serializer.validated_data["requirement"],
            file=serializer.validated_data["file"],
        )
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"])
class PhotoReceiptView(UploadScopeMixin, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]
    error_statuses = ACT_ERRORS

    @extend_schema(request=PhotoReceiptSerializer, responses={201: MaterialSerializer})
    def post(self, request, pk: int):
        """The certificate photo fetched by a photo studio's receipt number (seed 001 item 6):
        used once, only for the person whose ID number the studio recorded; checked like an
        upload (``photo_check``). A wrong or used number is 400 with a clear message."""
        application = get_owned(request, pk)
        serializer = PhotoReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        material = services.use_photo_receipt(
            user=request.user,
            application=application,
            number=serializer.validated_data["receipt_number"],
        )
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class _ActView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = ACT_ERRORS


@extend_schema(tags=["applications"])
class SubmitView(_ActView):
    @extend_schema(request=PasswordSerializer, responses={200: ApplicationDetailSerializer})
    def post(self, request, pk: int):
        """Submit the draft, confirming with the login password (seed 002)."""
        application = get_owned(request, pk)
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.submit(
            user=request.user,
            application=application,
            password=serializer.validated_data["password"],
            request=request,
        )
        return detail_response(application)


@extend_schema(tags=["applications"])
class ResubmitView(_ActView):
    @extend_schema(request=PasswordSerializer, responses={200: ApplicationDetailSerializer})
    def post(self, request, pk: int):
        """Answer a request for more material: after uploading every flagged item, send the
        application back, confirming with the login password."""
        application = get_owned(request, pk)
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.resubmit(
            user=request.user,
            application=application,
            password=serializer.validated_data["password"],
            request=request,
        )
        return detail_response(application)


@extend_schema(tags=["applications"])
class WithdrawView(_ActView):
    @extend_schema(request=WithdrawSerializer, responses={200: ApplicationDetailSerializer})
    def post(self, request, pk: int):
        """Withdraw, at any time before approval (409 after)."""
        application = get_owned(request, pk)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.withdraw(
            user=request.user,
            application=application,
            note=serializer.validated_data.get("note", ""),
        )
        return detail_response(application)


@extend_schema(tags=["applications"])
class DeliveryView(_ActView):
    @extend_schema(request=DeliverySerializer, responses={200: ApplicationDetailSerializer})
    def post(self, request, pk: int):
        """Once the certificate is produced: pick it up at the window, or have it mailed
        (recipient, address, phone; postage collect)."""
        application = get_owned(request, pk)
        serializer = DeliverySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["method"] == DeliveryMethod.WINDOW:
            services.choose_pickup(user=request.user, application=application)
        else:
            services.choose_mail(
                user=request.user,
                application=application,
                recipient_name=data["recipient_name"],
                address=data["address"],
                phone=data["phone"],
            )
        return detail_response(application)


FILE_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "application/octet-stream",
)


@extend_schema(tags=["applications"])
class MaterialFileView(APIView):
    """One uploaded material of my application, streamed (never a public URL)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for media_type in FILE_TYPES
        }
    )
    def get(self, request, pk: int, material_pk: int):
        application = get_owned(request, pk)
        material = get_object_or_404(
            Material.objects.select_related("requirement"), pk=material_pk, application=application
        )
        return protected_file_response(
            material.file, download_name=f"{material.requirement.code}-v{material.version}"
        )
