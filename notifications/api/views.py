"""My Affairs (我的事务) over the API: the signed-in user's own notifications only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import services
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields


def own_notifications(request):
    return Notification.objects.filter(recipient=request.user)


@extend_schema(tags=["notifications"])
class NotificationListView(generics.ListAPIView):
    """Newest first. ``?unread=true`` lists only the unread ones."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = own_notifications(self.request)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset.order_by("-created_at", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="Only unread notifications."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["notifications"])
class NotificationDetailView(generics.RetrieveAPIView):
    """One notification; reading it here does not mark it read (POST .../read/ does)."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return own_notifications(self.request)


@extend_schema(tags=["notifications"])
class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request, pk: int):
        """Mark one of my notifications read (again: no change)."""
        notification = get_object_or_404(own_notifications(request), pk=pk)
        services.mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


@extend_schema(tags=["notifications"])
class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReadAllResult", {"marked": serializers.IntegerField()})},
    )
    def post(self, request):
        """Mark all my notifications read; answers how many were unread."""
        marked = services.mark_all_read(user=request.user)
        return Response({"marked": marked}, status=status.HTTP_200_OK)
