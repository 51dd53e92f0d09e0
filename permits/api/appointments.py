"""Booking a window pickup time (issue 17) over the API: the booking and the free 30-minute
slots, book, move, cancel; a missed slot can be rebooked. Every act calls
``permits.services.appointments`` (the same functions as the web page), and the slots are those
the page offers (``open_days``, only the ones with a place left).

Only the account that filed the case sees it here (404 for anyone else's, as every application
endpoint)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from permits.api.applications import get_owned
from permits.constants import ApplicationState
from permits.models import Appointment
from permits.selectors import appointments as selectors
from permits.services import appointments as services


class FreeSlotSerializer(serializers.Serializer):
    """A 30-minute slot with ``left`` places (at least one) of ``capacity``."""

    starts_at = serializers.TimeField()
    capacity = serializers.IntegerField()
    left = serializers.IntegerField()


class OpenDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    slots = FreeSlotSerializer(many=True)


class BookedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = ["id", "day", "starts_at", "booked_at"]
        read_only_fields = fields


class AppointmentStateSerializer(serializers.Serializer):
    """``can_book``: window pickup is chosen and the card not collected yet.
    ``takes_appointments``: the station has pickup windows. ``missed``: the booked slot has
    passed (book a new one). ``days``: the bookable days (from the next working day, two weeks)
    with their free slots."""

    can_book = serializers.BooleanField()
    takes_appointments = serializers.BooleanField()
    appointment = BookedSerializer(allow_null=True)
    missed = serializers.BooleanField()
    days = OpenDaySerializer(many=True)


class BookSerializer(serializers.Serializer):
    day = serializers.DateField()
    starts_at = serializers.TimeField()


def free_days(station, today) -> list[dict]:
    """The page's offer: every open day's slots with a place left."""
    days = []
    for offered in selectors.open_days(station, today=today):
        slots = [slot for slot in offered["slots"] if slot["left"] > 0]
        if slots:
            days.append({"day": offered["day"], "slots": slots})
    return days


def appointment_response(application, *, status_code=status.HTTP_200_OK) -> Response:
    today = clock.today()
    can_book = application.state == ApplicationState.AWAITING_PICKUP
    current = selectors.current_appointment(application) if can_book else None
    days = free_days(application.station, today) if can_book else []
    data = {
        "can_book": can_book,
        "takes_appointments": bool(days)
        or selectors.station_takes_appointments(application.station),
        "appointment": current,
        "missed": current is not None and current.day < today,
        "days": days,
    }
    return Response(AppointmentStateSerializer(data).data, status=status_code)


@extend_schema(tags=["applications"])
class AppointmentView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    error_statuses = {"404", "409"}

    def _book(self, request, pk: int, status_code: int) -> Response:
        application = get_owned(request, pk)
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.book(
            user=request.user,
            application=application,
            day=serializer.validated_data["day"],
            starts_at=serializer.validated_data["starts_at"],
        )
        return appointment_response(application, status_code=status_code)

    @extend_schema(responses={200: AppointmentStateSerializer})
    def get(self, request, pk: int):
        """The pickup booking (if any) and the free slots to choose from."""
        return appointment_response(get_owned(request, pk))

    @extend_schema(request=BookSerializer, responses={201: AppointmentStateSerializer})
    def post(self, request, pk: int):
        """Book one of the free slots (``day`` and ``starts_at`` as listed in ``days``); with
        a booking already, this moves it (a missed one is rebooked). A time not offered: 400
        (``fields.slot``); a slot fully booked meanwhile: 409; not awaiting a window pickup:
        409."""
        return self._book(request, pk, status.HTTP_201_CREATED)

    @extend_schema(request=BookSerializer, responses={200: AppointmentStateSerializer})
    def put(self, request, pk: int):
        """Move the booking to another free slot (the old place is given back only once the
        new one is taken). Refusals as for POST."""
        return self._book(request, pk, status.HTTP_200_OK)

    @extend_schema(request=BookSerializer, responses={200: AppointmentStateSerializer})
    def patch(self, request, pk: int):
        """As PUT: move the booking to another free slot."""
        return self._book(request, pk, status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Cancel the booking (window pickup stays chosen; book again later). No booking: 409."""
        services.cancel(user=request.user, application=get_owned(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
