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


class RecordingStatus(models.TextChoices):
    NONE = "none", "Not recorded"
    RECORDING = "recording", "Recording"
    PROCESSING = "processing", "Waiting for import"
    IMPORTING = "importing", "Importing"
    READY = "ready", "Ready (a podcast)"
    FAILED = "failed", "Failed"


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

    # Meetings: an optional passcode (hashed like a password) and a participant cap.
    passcode_hash = models.CharField(max_length=128, blank=True)
    max_participants = models.PositiveIntegerField(default=0, help_text="0 means no limit.")

    # The newest room_started / room_finished webhook applied, so late events are recognised.
    room_started_at = models.DateTimeField(null=True, blank=True)
    room_finished_at = models.DateTimeField(null=True, blank=True)
    followers_notified_at = models.DateTimeField(null=True, blank=True)

    # Recording to VOD through LiveKit egress.
    egress_id = models.CharField(max_length=64, blank=True)
    recording_status = models.CharField(
        max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.NONE
    )
    recording_source = models.CharField(max_length=1024, blank=True)
    recording_error = models.TextField(blank=True)
    recording_podcast = models.ForeignKey(
        "catalog.Podcast", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "live_streams"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-scheduled_start"], name="live_streams_status_idx"),
            models.Index(fields=["host", "-created_at"], name="live_streams_host_idx"),
            models.Index(
                fields=["kind", "status", "scheduled_start"], name="live_streams_kind_idx"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode_hash)


class MeetingInvite(models.Model):
    """A user invited to a meeting: they may join without the passcode."""

    meeting = models.ForeignKey(LiveStream, on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invites"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "live_meeting_invites"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="live_meeting_invites_unique")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="live_invites_user_idx")]

    def __str__(self):
        return f"{self.user_id} invited to {self.meeting_id}"


class RestrictionKind(models.TextChoices):
    CHAT_MUTE = "chat_mute", "Muted in chat"
    REMOVED = "removed", "Removed from the room"


class LiveRestriction(models.Model):
    """A host's or moderator's measure against one user in one room."""

    stream = models.ForeignKey(LiveStream, on_delete=models.CASCADE, related_name="restrictions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=RestrictionKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "live_restrictions"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "user", "kind"], name="live_restrictions_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.user_id} in {self.stream_id}"


class LiveChatMessage(models.Model):
    """A chat message of a live stream; only the newest LIVE_CHAT_HISTORY per stream are kept."""

    stream = models.ForeignKey(LiveStream, on_delete=models.CASCADE, related_name="chat_messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    is_deleted = models.BooleanField(default=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "live_chat_messages"
        ordering = ["id"]
        indexes = [models.Index(fields=["stream", "-id"], name="live_chat_stream_idx")]

    def __str__(self):
        return self.text[:50]


class LiveParticipant(models.Model):
    """One participant session in a room (LiveKit's participant sid), from webhooks.

    Joined and left are recorded separately, so they may arrive in any order."""

    stream = models.ForeignKey(LiveStream, on_delete=models.CASCADE, related_name="participants")
    participant_sid = models.CharField(max_length=64)
    identity = models.CharField(max_length=128)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_counted = models.BooleanField(default=True, help_text="Counts as a viewer/participant.")
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "live_participants"
        ordering = ["stream", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "participant_sid"], name="live_participants_unique"
            )
        ]

    def __str__(self):
        return f"{self.identity} in {self.stream_id}"


class LiveWebhookEvent(models.Model):
    """A LiveKit webhook already applied; inserted in the same transaction as its effect."""

    event_id = models.CharField(max_length=128, unique=True)
    event = models.CharField(max_length=64)
    room_name = models.CharField(max_length=128, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(auto_now_add=True)
    # "rejected": verified, but its fields did not fit (nothing applied); empty otherwise.
    outcome = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        db_table = "live_webhook_events"
        ordering = ["-processed_at"]
        indexes = [models.Index(fields=["room_name"], name="live_webhook_room_idx")]

    def __str__(self):
        return f"{self.event} {self.event_id}"
