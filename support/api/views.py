"""Support API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy: signed-in users only (401); a ticket is its author's (others get 404).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from cnt.api.routers import ID_PATTERN
from cnt.api.serializers import validated
from support import policies, selectors, services
from support.api import serializers as s
from support.api.throttles import SupportThrottle
from support.models import SupportMessage


class CanOpenTickets(BasePermission):
    def has_permission(self, request, view):
        return policies.can_open_ticket(request.user)


@extend_schema(tags=["support"])
@extend_schema_view(
    list=extend_schema(summary="Your support tickets", description="Recently active first."),
    retrieve=extend_schema(
        summary="A ticket with its replies", responses={200: s.SupportTicketDetailSerializer}
    ),
    create=extend_schema(
        summary="Open a support ticket",
        description="Staff answer in the app and by email. At most 10 messages an hour.",
        request=s.SupportTicketCreateSerializer,
        responses={201: s.SupportTicketDetailSerializer},
    ),
)
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SupportMessage.objects.none()
    serializer_class = s.SupportTicketSerializer
    permission_classes = [IsAuthenticated, CanOpenTickets]
    throttle_classes = [SupportThrottle]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupportMessage.objects.none()
        return selectors.ticket_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.ticket_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, ticket, code=status.HTTP_200_OK):
        fresh = selectors.ticket_get_for_user(user=self.request.user, pk=ticket.pk)
        return Response(s.SupportTicketDetailSerializer(fresh).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated(s.SupportTicketCreateSerializer, request)
        ticket = services.ticket_open(user=request.user, **data)
        return self._detail(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reply to your ticket",
        description="An answered or closed ticket opens again.",
        request=s.SupportReplyCreateSerializer,
        responses={201: s.SupportTicketDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        ticket = self.get_object()
        data = validated(s.SupportReplyCreateSerializer, request)
        services.ticket_reply_by_user(ticket=ticket, user=request.user, body=data["message"])
        return self._detail(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close your ticket",
        description="Replying later opens it again.",
        request=None,
        responses={200: s.SupportTicketDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        ticket = services.ticket_close(ticket=self.get_object(), by=request.user)
        return self._detail(ticket)
