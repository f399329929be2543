"""Live API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy, the same on every viewset: reading a public stream is open; everything
else needs a signed-in user (401). A room the caller may not see answers 404 (hidden and
unknown look alike); a visible room the caller may not control answers 403. The rules live
in live/policies.py.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from cnt.api.routers import ID_PATTERN
from cnt.api.serializers import ErrorSerializer, validated
from live import chat, policies, recording, selectors, services, webhooks
from live.api import serializers as s
from live.models import LiveStream, MeetingInvite

CONFLICT = OpenApiResponse(ErrorSerializer, description="The room is not in a state for this.")
REFUSED = OpenApiResponse(ErrorSerializer, description="LiveKit refused the request.")
IDENTITY = OpenApiParameter(
    "identity", OpenApiTypes.STR, OpenApiParameter.PATH, description="A participant identity."
)


class VoiceSessionThrottle(UserRateThrottle):
    scope = "live_voice_session"

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope) or settings.LIVE_VOICE_SESSION_RATE


# --- streams -------------------------------------------------------------------------------


class LiveStreamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = LiveStream.objects.none()
    serializer_class = s.LiveStreamSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LiveStream.objects.none()
        query = validated(s.StreamListQuerySerializer, self.request, data=self.request.query_params)
        return selectors.stream_list(
            user=self.request.user,
            state=query.get("state"),
            host_id=query.get("host"),
            mine=query["mine"],
        )

    def get_object(self):
        return selectors.stream_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _controlled(self) -> LiveStream:
        stream = self.get_object()
        if not policies.can_control_stream(self.request.user, stream):
            raise PermissionDenied("Only the host or a moderator can do this.")
        return stream

    def _respond(self, stream, code=status.HTTP_200_OK):
        fresh = selectors.stream_get_for_user(user=self.request.user, pk=stream.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        tags=["live"],
        summary="List live streams",
        description="Public streams (and your own). `state` picks live now, upcoming or past.",
        parameters=[s.StreamListQuerySerializer],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["live"], summary="Get a live stream (with its viewer count)")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["live"],
        summary="Schedule a live stream",
        description="No LiveKit call: the room is created when the host joins.",
        request=s.LiveStreamCreateSerializer,
        responses={201: s.LiveStreamSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.LiveStreamCreateSerializer, request)
        stream = services.stream_create(
            host=request.user,
            title=data["title"],
            description=data["description"],
            scheduled_at=data["scheduled_at"],
            cover_id=data["cover"],
            category=data["category"],
            is_public=data["is_public"],
        )
        return self._respond(stream, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["live"],
        summary="Go live (host or moderator)",
        description="Followers of the host's artist profile are notified.",
        request=None,
        responses={200: s.LiveStreamSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._respond(services.stream_start(stream=self._controlled()))

    @extend_schema(
        tags=["live"],
        summary="End a live stream, or cancel a scheduled one (host or moderator)",
        description="Everyone connected is disconnected.",
        request=None,
        responses={200: s.LiveStreamSerializer, 409: CONFLICT, 502: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._respond(services.stream_end(stream=self._controlled()))

    @extend_schema(
        tags=["live"],
        summary="Get a token to join the stream's room",
        description=(
            "The host gets publishing rights (also while scheduled, to get ready); everyone "
            "else may only watch, and only while the stream is live."
        ),
        request=None,
        responses={200: s.LiveTokenSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def token(self, request, pk=None):
        payload = services.stream_token(stream=self.get_object(), user=request.user)
        return Response(s.LiveTokenSerializer(payload).data)

    @extend_schema(
        tags=["live"],
        summary="Recent chat messages",
        description=(
            "The newest messages (oldest first); live ones arrive on the socket "
            "`/ws/live/{id}/chat/`."
        ),
        parameters=[s.ChatQuerySerializer],
        responses={200: s.ChatMessageSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="chat", pagination_class=None)
    def chat(self, request, pk=None):
        stream = self.get_object()
        query = validated(s.ChatQuerySerializer, request, data=request.query_params)
        messages = selectors.chat_history(
            stream=stream, limit=query["limit"], before=query.get("before")
        )
        return Response([chat.message_payload(m) for m in messages])

    @extend_schema(
        tags=["live"],
        summary="Start recording (host or moderator)",
        description="When it ends, the recording becomes a podcast (video) of the host.",
        request=None,
        responses={200: s.LiveStreamSerializer, 409: CONFLICT, 502: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="recording/start")
    def recording_start(self, request, pk=None):
        return self._respond(recording.recording_start(stream=self._controlled()))

    @extend_schema(
        tags=["live"],
        summary="Stop recording (host or moderator)",
        request=None,
        responses={200: s.LiveStreamSerializer, 409: CONFLICT, 502: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="recording/stop")
    def recording_stop(self, request, pk=None):
        return self._respond(recording.recording_stop(stream=self._controlled()))


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


# --- voice assistant -----------------------------------------------------------------------


class VoiceSessionViewSet(viewsets.GenericViewSet):
    queryset = LiveStream.objects.none()
    serializer_class = s.VoiceSessionSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = ID_PATTERN

    def get_throttles(self):
        if self.action == "create":
            return [VoiceSessionThrottle()]
        return super().get_throttles()

    @extend_schema(
        tags=["voice"],
        summary="Start a voice-assistant session",
        description=(
            "Creates your own voice room and a token whose room configuration dispatches the "
            "assistant when you join."
        ),
        request=None,
        responses={201: s.VoiceSessionSerializer},
    )
    def create(self, request, *args, **kwargs):
        session, payload = services.voice_session_create(user=request.user)
        body = {**payload, "id": session.pk, "agent_name": settings.LIVEKIT_AGENT_NAME}
        return Response(s.VoiceSessionSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["voice"],
        summary="Send the assistant into your voice room again",
        request=None,
        responses={200: s.DispatchSerializer, 409: CONFLICT, 502: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_agent(self, request, pk=None):
        session = selectors.voice_session_get_for_user(user=request.user, pk=pk)
        return Response({"dispatch_id": services.voice_agent_dispatch(session=session)})


# --- webhooks ------------------------------------------------------------------------------


class LiveKitWebhookView(APIView):
    """LiveKit's signed webhooks. Verified on the raw body, so nothing parses it first."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = []

    @extend_schema(
        tags=["live"],
        summary="LiveKit webhook receiver",
        description=(
            "Called by LiveKit with `Content-Type: application/webhook+json` and a signed JWT "
            "in `Authorization`. Bad signature or body hash: 401 and no change. Each event "
            "is applied at most once, in any order."
        ),
        request={"application/webhook+json": OpenApiTypes.OBJECT},
        responses={200: s.LiveKitWebhookResultSerializer},
    )
    def post(self, request):
        outcome = webhooks.webhook_receive(
            body=request.body, authorization=request.headers.get("Authorization", "")
        )
        return Response({"status": outcome})
