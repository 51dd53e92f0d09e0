"""The station clerk's work over the API: applications of their station, mark produced
(制证完成), old card received, mailed, delivered, handed over at the window.

Only staff accounts get in (an applicant gets 403). The list and every lookup are scoped with
``review.scoping.scope_to_station`` (a clerk or officer sees their station, a supervisor all), so
another station's application is a 404. Getting in is the one staff check
(``core.permissions.staff_may``); whether the group may do the act is checked by the service
(the transition's StaffPermission): a missing permission is a 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import StaffWithPermission
from core.fsm import check_version
from core.masking import mask_name
from core.phones import mask_phone
from permits.api.applications import ApplicationSummarySerializer, StationSerializer
from permits.constants import ApplicationState, CardReturn, DeliveryMethod
from permits.models import PermitApplication
from permits.scoping import scope_to_station
from permits.services import applications as services
from review.selectors import QUEUE_STATES, station_queue


class IsStaff(StaffWithPermission):
    # A staff account whose role (group) was taken away keeps is_staff and its station
    # assignment; without the role's view permission it reads nothing.
    perm = "permits.view_permitapplication"
    message = _("Only station staff may do this.")


def scoped(request):
    return scope_to_station(
        PermitApplication.objects.select_related("person", "station"), request.user
    )


class StaffApplicationSerializer(ApplicationSummarySerializer):
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True
    )
    station = StationSerializer(read_only=True)
    person_masked_id_number = serializers.CharField(
        source="person.masked_id_number", read_only=True
    )

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "person_masked_id_number",
            "station",
            "produced_at",
            "new_card_serial",
            "delivery_method",
            "mail_recipient_name",
            "mail_address",
            "mail_phone",
            "old_card_received_at",
            "tracking_number",
            "mailed_at",
            "completed_at",
            "version",
        ]
        read_only_fields = fields

    def get_person_masked_name(self, application) -> str:
        return mask_name(application.person.full_name)


class StaffApplicationListSerializer(StaffApplicationSerializer):
    """The list masks the mail recipient's name and phone as it masks the person's; the
    detail (what the clerk writes on the envelope) shows them in full."""

    mail_recipient_name = serializers.SerializerMethodField()
    mail_phone = serializers.SerializerMethodField()

    def get_mail_recipient_name(self, application) -> str:
        return mask_name(application.mail_recipient_name)

    def get_mail_phone(self, application) -> str:
        return mask_phone(application.mail_phone) if application.mail_phone else ""


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_(
            "The application's version as you last read it: if it changed since (someone else "
            "acted), the act is refused with 409 and nothing is applied."
        ),
    )


class MailedSerializer(NoteSerializer):
    tracking_number = serializers.CharField(max_length=40)


class CollectedSerializer(NoteSerializer):
    collector_id_number = serializers.CharField(
        max_length=22, help_text=_("The holder's or the registered agent's ID number.")
    )


class CardReturnedSerializer(NoteSerializer):
    method = serializers.ChoiceField(
        choices=CardReturn.choices,
        required=False,
        help_text=_("How the card came back; default: the way the applicant chose."),
    )


QUEUE_FILTER = OpenApiParameter(
    "queue",
    str,
    enum=list(QUEUE_STATES),
    description="One of the station desk's queues, nearest deadline first (instead of state).",
)
STATE_FILTER = OpenApiParameter(
    "state",
    str,
    enum=list(ApplicationState.values),
    description="Only applications in this state.",
)


@extend_schema(tags=["staff"])
class StaffApplicationListView(generics.ListAPIView):
    """Applications of my station (all stations for a supervisor), oldest deadline first."""

    serializer_class = StaffApplicationListSerializer
    permission_classes = [IsAuthenticated, IsStaff]

    def get_queryset(self):
        queue = self.request.query_params.get("queue")
        if queue in QUEUE_STATES:  # the station desk's queues (permits.selectors)
            return station_queue(self.request.user, queue)
        queryset = scoped(self.request)
        state = self.request.query_params.get("state")
        if state in ApplicationState.values:
            queryset = queryset.filter(state=state)
        return queryset.order_by("deadline", "created_at", "pk")

    @extend_schema(parameters=[STATE_FILTER, QUEUE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["staff"])
class StaffApplicationDetailView(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(responses={200: StaffApplicationSerializer})
    def get(self, request, pk: int):
        return Response(StaffApplicationSerializer(get_object_or_404(scoped(request), pk=pk)).data)


class _StaffAct(APIView):
    permission_classes = [IsAuthenticated, IsStaff]
    error_statuses = {"404", "409"}
    input_serializer = NoteSerializer

    def act(self, request, application, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        application = get_object_or_404(scoped(request), pk=pk)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The version the client read is compared here, and the service's run_transition
        # compares this copy's again under a row lock.
        check_version(application, serializer.validated_data.get("version"))
        self.act(request, application, serializer.validated_data)
        application = get_object_or_404(scoped(request), pk=pk)
        return Response(StaffApplicationSerializer(application).data)


@extend_schema(tags=["staff"])
class ProducedView(_StaffAct):
    @extend_schema(request=NoteSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """制证完成: the permit is issued, endorsed, changed or its card replaced, and the
        applicant is told to choose pickup or mail."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.mark_produced(
            user=request.user, application=application, note=data.get("note", "")
        )


@extend_schema(tags=["staff"])
class OldCardReceivedView(_StaffAct):
    @extend_schema(request=NoteSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """The old card arrived by mail (renewal and change by mail)."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.record_old_card_received(
            user=request.user, application=application, note=data.get("note", "")
        )


@extend_schema(tags=["staff"])
class MailedView(_StaffAct):
    input_serializer = MailedSerializer

    @extend_schema(request=MailedSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """The certificate was mailed, with its tracking number."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.record_mailed(
            user=request.user,
            application=application,
            tracking_number=data["tracking_number"],
            note=data.get("note", ""),
        )


@extend_schema(tags=["staff"])
class DeliveredView(_StaffAct):
    @extend_schema(request=NoteSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """The mailed certificate was delivered."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.record_delivered(
            user=request.user, application=application, note=data.get("note", "")
        )


@extend_schema(tags=["staff"])
class CollectedView(_StaffAct):
    input_serializer = CollectedSerializer

    @extend_schema(request=CollectedSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """Handed over at the window to the holder or the registered agent."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.record_collected(
            user=request.user,
            application=application,
            collector_id_number=data["collector_id_number"],
            note=data.get("note", ""),
        )


@extend_schema(tags=["staff"])
class CardReturnedView(_StaffAct):
    input_serializer = CardReturnedSerializer

    @extend_schema(request=CardReturnedSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """Cancellation (注销): the holder's card was received, by mail or at the window."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.record_card_returned(
            user=request.user,
            application=application,
            method=data.get("method", ""),
            note=data.get("note", ""),
        )


@extend_schema(tags=["staff"])
class CancellationCompletedView(_StaffAct):
    @extend_schema(request=NoteSerializer, responses={200: StaffApplicationSerializer})
    def post(self, request, pk: int):
        """Cancellation (注销): the officer completes it; the permit and the registration are
        cancelled and the card serial invalidated."""
        return super().post(request, pk)

    def act(self, request, application, data):
        services.complete_cancellation(
            user=request.user, application=application, note=data.get("note", "")
        )
