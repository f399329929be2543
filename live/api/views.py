"""Live API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy, the same on every viewset: reading a public stream is open; everything
else needs a signed-in user (401). A room the caller may not see answers 404 (hidden and
unknown look alike); a visible room the caller may not control answers 403. The rules live
in live/policies.py.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from cnt.api.routers import ID_PATTERN
from cnt.api.serializers import ErrorSerializer, validated
from live import chat, policies, recording, selectors, services
from live.api import serializers as s
from live.models import LiveStream

CONFLICT = OpenApiResponse(ErrorSerializer, description="The room is not in a state for this.")
REFUSED = OpenApiResponse(ErrorSerializer, description="LiveKit refused the request.")


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
