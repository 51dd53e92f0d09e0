"""The station clerk's work over the API: applications of their station, and the acts the
application desk's table offers over the API (``Endpoint``: mark produced (制证完成), old card
received, mailed, delivered, handed over at the window, card returned, cancellation
completed), one endpoint each, generated from the table (``ACT_VIEWS``).

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
from permits.constants import ApplicationState, DeliveryMethod
from permits.models import PermitApplication
from permits.scoping import scope_to_station
from review.desks.applications import APPLICATION_DESK
from review.desks.base import Act
from review.selectors import QUEUE_STATES, station_queue


class IsStaff(StaffWithPermission):
    # A staff account whose role (group) was taken away keeps is_staff and its station
    # assignment; without the role's view permission it reads nothing.
    perm = "permits.view_permitapplication"
    message = _("Only station staff may do this.")


def scoped(request):
    return scope_to_station(
        PermitApplication.objects.select_related("person", "station", "agency"), request.user
    )


class StaffApplicationSerializer(ApplicationSummarySerializer):
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True
    )
    station = StationSerializer(read_only=True)
    person_masked_id_number = serializers.CharField(
        source="person.masked_id_number", read_only=True
    )
    agency_name = serializers.CharField(
        source="agency.name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("The community service agency it was filed at (issue 31); null: the station."),
    )

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "person_masked_id_number",
            "station",
            "agency_name",
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


class StaffActView(APIView):
    """One act of the application desk's table over the API (generated by ``act_view``)."""

    permission_classes = [IsAuthenticated, IsStaff]
    error_statuses = {"404", "409"}
    act: Act

    def post(self, request, pk: int):
        application = get_object_or_404(scoped(request), pk=pk)
        serializer = self.act.api.input(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The version the client read is compared here, and the service's run_transition
        # compares this copy's again under a row lock.
        check_version(application, serializer.validated_data.get("version"))
        self.act.run(request.user, application, **serializer.service_kwargs())
        application = get_object_or_404(scoped(request), pk=pk)
        return Response(StaffApplicationSerializer(application).data)


def act_view(act: Act) -> type[StaffActView]:
    """The endpoint of an act with an ``Endpoint`` in the desk's table: its input, its
    description, the application as the staff read it in return."""
    endpoint = act.api

    def post(self, request, pk: int):
        return StaffActView.post(self, request, pk)

    post.__doc__ = endpoint.doc
    post = extend_schema(request=endpoint.input, responses={200: StaffApplicationSerializer})(post)
    view = type(
        endpoint.view_name, (StaffActView,), {"act": act, "post": post, "__module__": __name__}
    )
    return extend_schema(tags=["staff"])(view)


# URL part ("produced") -> view, for every act the desk offers over the API.
ACT_VIEWS = {act.api.path: act_view(act) for act in APPLICATION_DESK.api_acts()}
