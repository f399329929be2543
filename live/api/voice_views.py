"""The voice assistant's sessions, and the LiveKit webhook."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from cnt.api.routers import ID_PATTERN
from live import selectors, services, webhooks
from live.api import serializers as s
from live.api.views import CONFLICT, REFUSED
from live.models import LiveStream


class VoiceSessionThrottle(UserRateThrottle):
    scope = "live_voice_session"

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope) or settings.LIVE_VOICE_SESSION_RATE


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
            "in `Authorization`. Bad signature or body hash: 401 and no change. A verified "
            "event whose fields do not fit: 400 `invalid_payload`, recorded as `rejected`, no "
            "change. Each event is applied at most once, in any order."
        ),
        request={"application/webhook+json": OpenApiTypes.OBJECT},
        responses={200: s.LiveKitWebhookResultSerializer},
    )
    def post(self, request):
        outcome = webhooks.webhook_receive(
            body=request.body, authorization=request.headers.get("Authorization", "")
        )
        return Response({"status": outcome})
