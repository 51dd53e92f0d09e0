"""Residence registration (居住登记) over the API: register a person (oneself or a dependent)
at a house code (typed, or the house QR code's URL), follow it, cancel it after moving away.
Views call ``permits.services.registrations`` (the same functions as the web pages)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.api.identity import DocumentUpload
from core.api.throttles import UploadScopeMixin
from core.masking import mask_name
from permits.api.applications import StationSerializer, acting_for
from permits.constants import Basis
from permits.models import LessorConfirmation, ResidenceRegistration


def own_registrations(user):
    return (
        ResidenceRegistration.objects.filter(person__account=user)
        .select_related("person", "house", "station")
        .prefetch_related("lessor_confirmations")  # newest first (the model's ordering)
    )


class LessorConfirmationSerializer(serializers.ModelSerializer):
    """The lessor's confirmation of the address (issue 31): its state, the masked number, when."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    lessor_phone_masked = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = LessorConfirmation
        fields = ["state", "state_display", "lessor_phone_masked", "requested_at", "decided_at"]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)
    person_id = serializers.IntegerField(read_only=True)
    person_masked_name = serializers.SerializerMethodField()
    house_code = serializers.CharField(source="house.code", read_only=True)
    address = serializers.CharField(source="house.address", read_only=True)
    station = StationSerializer(read_only=True)
    lessor_confirmation = serializers.SerializerMethodField()

    class Meta:
        model = ResidenceRegistration
        fields = [
            "id",
            "person_id",
            "person_masked_name",
            "house_code",
            "address",
            "station",
            "since",
            "basis",
            "basis_display",
            "state",
            "state_display",
            "registered_at",
            "cancelled_on",
            "rejection_note",
            "created_at",
            "lessor_confirmation",
        ]
        read_only_fields = fields

    def get_person_masked_name(self, registration) -> str:
        return mask_name(registration.person.full_name)

    @extend_schema_field(LessorConfirmationSerializer(allow_null=True))
    def get_lessor_confirmation(self, registration):
        confirmation = next(iter(registration.lessor_confirmations.all()), None)
        return LessorConfirmationSerializer(confirmation).data if confirmation else None


class RegistrationInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text=_("The identity registered (a dependent); default: my own identity."),
    )
    house_code = serializers.CharField(
        max_length=300, help_text=_("The code on the door plate, or the house QR code's URL.")
    )
    since = serializers.DateField(help_text=_("Living at this address since."))
    basis = serializers.ChoiceField(choices=Basis.choices)
    proof = DocumentUpload(
        required=False,
        help_text=_(
            "Lease, property certificate, employer or school proof; may be left out for a "
            "residence basis when lessor_phone is given."
        ),
    )
    lessor_phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_("Rented: the lessor's mobile phone; the lessor is asked by SMS to confirm."),
    )


class LessorPhoneSerializer(serializers.Serializer):
    lessor_phone = serializers.CharField(
        max_length=20, help_text=_("The lessor's mobile phone; the lessor gets the link by SMS.")
    )


class CancelSerializer(serializers.Serializer):
    moved_on = serializers.DateField(required=False, help_text=_("Default: today."))


@extend_schema(tags=["registrations"])
class RegistrationListView(UploadScopeMixin, generics.ListAPIView):
    """The registrations of every person I act for, newest first."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    error_statuses = {"404", "409"}

    def get_queryset(self):
        return own_registrations(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=RegistrationInputSerializer, responses={201: RegistrationSerializer})
    def post(self, request):
        """Register residence at a house; the house's station reviews it."""
        from permits.services import registrations as services

        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = acting_for(request, data.get("person"))
        registration = services.submit_registration(
            account=request.user,
            person=person,
            house_code=data["house_code"],
            since=data["since"],
            basis=data["basis"],
            proof=data.get("proof"),
            lessor_phone=data.get("lessor_phone", ""),
        )
        registration = own_registrations(request.user).get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["registrations"])
class RegistrationDetailView(generics.RetrieveAPIView):
    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return own_registrations(self.request.user)


@extend_schema(tags=["registrations"])
class RegistrationCancelView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = {"404", "409"}

    @extend_schema(request=CancelSerializer, responses={200: RegistrationSerializer})
    def post(self, request, pk: int):
        """The person moved away: the registration in force is cancelled."""
        from permits.services import registrations as services

        registration = get_object_or_404(own_registrations(request.user), pk=pk)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cancel_registration(
            registration=registration,
            by=request.user,
            moved_on=serializer.validated_data.get("moved_on"),
        )
        registration = own_registrations(request.user).get(pk=pk)
        return Response(RegistrationSerializer(registration).data)


@extend_schema(tags=["registrations"])
class RegistrationLessorView(APIView):
    """Issue 31: ask the lessor of the registered house to confirm the address (sent again,
    the earlier link stops working)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]
    error_statuses = {"404", "409", "429"}

    @extend_schema(request=LessorPhoneSerializer, responses={200: RegistrationSerializer})
    def post(self, request, pk: int):
        from permits.services import lessors as services

        registration = get_object_or_404(own_registrations(request.user), pk=pk)
        serializer = LessorPhoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_confirmation(
            user=request.user,
            registration=registration,
            lessor_phone=serializer.validated_data["lessor_phone"],
        )
        registration = own_registrations(request.user).get(pk=pk)
        return Response(RegistrationSerializer(registration).data)
