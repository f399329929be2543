from django.conf import settings
from django.db import models

from cnt.models import TimeStampedModel


class StreamKind(models.TextChoices):
    STREAM = "stream", "Live stream"
    MEETING = "meeting", "Meeting"
    VOICE_AGENT = "voice_agent", "Voice assistant"


class StreamStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class LiveStream(TimeStampedModel):
    """A LiveKit room: a broadcast, a meeting or a voice-assistant session."""

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_streams"
    )
    kind = models.CharField(max_length=16, choices=StreamKind.choices, default=StreamKind.STREAM)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    room_name = models.CharField(max_length=128, unique=True)
    status = models.CharField(
        max_length=16, choices=StreamStatus.choices, default=StreamStatus.SCHEDULED
    )
    is_public = models.BooleanField(default=True)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thumbnail = models.ForeignKey(
        "media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording = models.ForeignKey(
        "media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_start = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    viewer_count = models.PositiveIntegerField(default=0)
    peak_viewer_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "live_streams"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-scheduled_start"], name="live_streams_status_idx"),
            models.Index(fields=["host", "-created_at"], name="live_streams_host_idx"),
        ]

    def __str__(self):
        return self.title
