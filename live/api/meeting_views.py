"""Meetings: rooms with invitations and passcodes, tokens, participants (host or moderator)."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cnt.api.routers import ID_PATTERN
from cnt.api.serializers import validated
from live import policies, selectors, services
from live.api import serializers as s
from live.api.views import CONFLICT, REFUSED
from live.models import LiveStream, MeetingInvite

IDENTITY = OpenApiParameter(
    "identity", OpenApiTypes.STR, OpenApiParameter.PATH, description="A participant identity."
)


# --- meetings ------------------------------------------------------------------------------


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = LiveStream.objects.none()
    serializer_class = s.MeetingSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LiveStream.objects.none()
        return selectors.meeting_list(user=self.request.user).prefetch_related(
            Prefetch("invites", queryset=MeetingInvite.objects.only("meeting_id", "user_id"))
        )

    def get_object(self):
        return selectors.meeting_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _managed(self) -> LiveStream:
        meeting = self.get_object()
        if not policies.can_manage_meeting(self.request.user, meeting):
            raise PermissionDenied("Only the host or a moderator can do this.")
        return meeting

    def _respond(self, meeting, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(tags=["meetings"], summary="List your meetings (hosted or invited)")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["meetings"], summary="Get a meeting")
    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if meeting is None:
            raise Http404
        return Response(self.get_serializer(meeting).data)

    @extend_schema(
        tags=["meetings"],
        summary="Create a meeting room",
        request=s.MeetingCreateSerializer,
        responses={201: s.MeetingSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.MeetingCreateSerializer, request)
        meeting = services.meeting_create(
            host=request.user,
            title=data["title"],
            description=data["description"],
            passcode=data.get("passcode", ""),
            max_participants=data["max_participants"],
            scheduled_at=data["scheduled_at"],
            invitee_ids=data["invitees"],
        )
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["meetings"],
        summary="Get a token to join the meeting",
        description=(
            "For the host, invitees and moderators; anyone else sends the passcode. A wrong "
            "passcode answers 404 like an unknown meeting; repeated wrong passcodes 429."
        ),
        request=s.MeetingTokenRequestSerializer,
        responses={200: s.LiveTokenSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def token(self, request, pk=None):
        data = validated(s.MeetingTokenRequestSerializer, request)
        meeting = selectors.meeting_get_by_id(pk=pk)
        payload = services.meeting_token(
            meeting=meeting, user=request.user, passcode=data["passcode"]
        )
        return Response(s.LiveTokenSerializer(payload).data)

    @extend_schema(
        tags=["meetings"],
        summary="Invite users (host or moderator)",
        request=s.MeetingInviteSerializer,
        responses={200: s.MeetingInvitesSerializer},
    )
    @action(detail=True, methods=["post"])
    def invites(self, request, pk=None):
        meeting = self._managed()
        data = validated(s.MeetingInviteSerializer, request)
        invitees = services.meeting_invite(
            meeting=meeting, by=request.user, user_ids=data["user_ids"]
        )
        return Response({"invitees": invitees})

    @extend_schema(
        tags=["meetings"],
        summary="Who is in the meeting now (host or moderator)",
        responses={200: s.ParticipantSerializer(many=True), 502: REFUSED},
    )
    @action(detail=True, methods=["get"])
    def participants(self, request, pk=None):
        participants = services.meeting_participants(meeting=self._managed())
        return Response(s.ParticipantSerializer(participants, many=True).data)

    @extend_schema(
        tags=["meetings"],
        summary="Remove a participant (host or moderator)",
        description="A signed-in user cannot rejoin until invited again.",
        parameters=[IDENTITY],
        request=None,
        responses={204: OpenApiResponse(description="Removed."), 502: REFUSED},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"participants/(?P<identity>[A-Za-z0-9_.:-]{1,128})/remove",
    )
    def participant_remove(self, request, pk=None, identity=None):
        services.meeting_participant_remove(
            meeting=self._managed(), by=request.user, identity=identity
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["meetings"],
        summary="Mute or unmute a participant (host or moderator)",
        parameters=[IDENTITY],
        request=s.MuteSerializer,
        responses={200: s.MuteResultSerializer, 502: REFUSED},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"participants/(?P<identity>[A-Za-z0-9_.:-]{1,128})/mute",
    )
    def participant_mute(self, request, pk=None, identity=None):
        meeting = self._managed()
        data = validated(s.MuteSerializer, request)
        tracks = services.meeting_participant_mute(
            meeting=meeting, identity=identity, track_sid=data["track_sid"], muted=data["muted"]
        )
        return Response({"tracks": tracks, "muted": data["muted"]})

    @extend_schema(
        tags=["meetings"],
        summary="End the meeting for everyone (host or moderator)",
        request=None,
        responses={200: s.MeetingSerializer, 409: CONFLICT, 502: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._respond(services.meeting_end(meeting=self._managed()))
