"""Residence registration (居住登记) over the API: register a person (oneself or a dependent)
at a house code (typed, or the house QR code's URL), follow it, cancel it after moving away.
Views call ``permits.services.registrations`` (the same functions as the web pages)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
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
from permits.models import ResidenceRegistration


def own_registrations(user):
    return ResidenceRegistration.objects.filter(person__account=user).select_related(
        "person", "house", "station"
    )


class RegistrationSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)
    person_id = serializers.IntegerField(read_only=True)
    person_masked_name = serializers.SerializerMethodField()
    house_code = serializers.CharField(source="house.code", read_only=True)
    address = serializers.CharField(source="house.address", read_only=True)
    station = StationSerializer(read_only=True)

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
        ]
        read_only_fields = fields

    def get_person_masked_name(self, registration) -> str:
        return mask_name(registration.person.full_name)


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
    proof = DocumentUpload(help_text=_("Lease, property certificate, employer or school proof."))


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
            proof=data["proof"],
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
