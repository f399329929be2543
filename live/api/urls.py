"""Routes of the live API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from cnt.api.routers import OptionalSlashRouter, api_path
from live.api.meeting_views import MeetingViewSet
from live.api.views import LiveStreamViewSet
from live.api.voice_views import LiveKitWebhookView, VoiceSessionViewSet

router = OptionalSlashRouter()
router.register("live/streams", LiveStreamViewSet, basename="live-stream")
router.register("live/meetings", MeetingViewSet, basename="live-meeting")
router.register("livekit/voice/session", VoiceSessionViewSet, basename="voice-session")

urlpatterns = [
    api_path("live/webhook", LiveKitWebhookView.as_view(), name="live-webhook"),
    *router.urls,
]
