"""Live API shapes. Input serializers only parse; services decide."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category
from cnt.api.images import ResponsiveImageSerializer
from cnt.api.serializers import EnumField
from live.livekit import TokenRole
from live.models import LiveStream, RecordingStatus, StreamStatus
from live.selectors import StreamState
from media.api.serializers import AssetSerializer

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
WEBHOOK_OUTCOMES = [("applied", "Applied"), ("duplicate", "Duplicate"), ("ignored", "Ignored")]
TOKEN_ROLES = [(role.value, role.value.title()) for role in TokenRole]


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return user.display_name or user.username


class CoverSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    image = ResponsiveImageSerializer(
        allow_null=True, help_text="The cover's responsive renditions."
    )


class LiveStreamSerializer(serializers.ModelSerializer):
    host = UserBriefSerializer(read_only=True)
    status = EnumField(StreamStatus.choices, "LiveStatusEnum", read_only=True)
    scheduled_at = serializers.DateTimeField(source="scheduled_start", read_only=True)
    cover = serializers.SerializerMethodField()
    recording_status = EnumField(RecordingStatus.choices, "LiveRecordingStatusEnum", read_only=True)
    recording_podcast_id = serializers.IntegerField(read_only=True, allow_null=True)
    chat_socket = serializers.SerializerMethodField()

    class Meta:
        model = LiveStream
        fields = [
            "id",
            "title",
            "description",
            "host",
            "status",
            "is_public",
            "category",
            "cover",
            "scheduled_at",
            "started_at",
            "ended_at",
            "viewer_count",
            "peak_viewer_count",
            "recording_status",
            "recording_podcast_id",
            "chat_socket",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CoverSerializer(allow_null=True))
    def get_cover(self, stream):
        if stream.thumbnail is None:
            return None
        assets = AssetSerializer(context=self.context)
        return {
            "id": str(stream.thumbnail_id),
            "url": assets.get_thumbnail_url(stream.thumbnail),
            "image": assets.image_object(stream.thumbnail, "thumbnail"),
        }

    def get_chat_socket(self, stream) -> str:
        return f"/ws/live/{stream.pk}/chat/"


class LiveStreamCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, default="", allow_blank=True
    )
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    cover = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="An image asset you uploaded."
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    is_public = serializers.BooleanField(required=False, default=True)


class StreamListQuerySerializer(serializers.Serializer):
    state = EnumField(
        StreamState.CHOICES,
        "LiveStateEnum",
        required=False,
        help_text="`live` (on air now), `upcoming` (scheduled, soonest first), `past` (ended).",
    )
    host = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    mine = serializers.BooleanField(required=False, default=False)


class LiveTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="A short-lived LiveKit access token.")
    url = serializers.CharField(help_text="The LiveKit server URL to connect to.")
    room = serializers.CharField()
    identity = serializers.CharField()
    role = EnumField(
        TOKEN_ROLES,
        "LiveTokenRoleEnum",
        help_text="`host` and `participant` publish; `viewer` only watches; `voice` publishes "
        "a microphone.",
    )


class ChatMessageSerializer(serializers.Serializer):
    """The shape of a chat message, over REST and in `live.chat.message` socket events."""

    id = serializers.IntegerField()
    stream_id = serializers.IntegerField()
    user = UserBriefSerializer()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ChatQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)
    before = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Messages older than this id."
    )


class MeetingSerializer(serializers.ModelSerializer):
    host = UserBriefSerializer(read_only=True)
    status = EnumField(StreamStatus.choices, "LiveStatusEnum", read_only=True)
    scheduled_at = serializers.DateTimeField(source="scheduled_start", read_only=True)
    has_passcode = serializers.BooleanField(read_only=True)
    participant_count = serializers.IntegerField(source="viewer_count", read_only=True)
    invitees = serializers.SerializerMethodField()

    class Meta:
        model = LiveStream
        fields = [
            "id",
            "title",
            "description",
            "host",
            "status",
            "scheduled_at",
            "started_at",
            "ended_at",
            "has_passcode",
            "max_participants",
            "participant_count",
            "invitees",
            "created_at",
        ]
        read_only_fields = fields

    def get_invitees(self, meeting) -> list[int]:
        return sorted(invite.user_id for invite in meeting.invites.all())


class MeetingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, default="", allow_blank=True
    )
    passcode = serializers.CharField(
        min_length=4,
        max_length=64,
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        help_text="Lets people who are not invited join; stored hashed, never shown again.",
    )
    max_participants = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, default=0, help_text="0 means no limit."
    )
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    invitees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=100,
        help_text="User ids invited to join without the passcode.",
    )


class MeetingTokenRequestSerializer(serializers.Serializer):
    passcode = serializers.CharField(
        max_length=64, required=False, default="", allow_blank=True, trim_whitespace=False
    )


class MeetingInviteSerializer(serializers.Serializer):
    user_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=100,
    )


class MeetingInvitesSerializer(serializers.Serializer):
    invitees = serializers.ListField(child=serializers.IntegerField())


class TrackSerializer(serializers.Serializer):
    sid = serializers.CharField()
    type = serializers.CharField()
    source = serializers.CharField()
    muted = serializers.BooleanField()


class ParticipantSerializer(serializers.Serializer):
    identity = serializers.CharField()
    name = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    joined_at = serializers.DateTimeField(allow_null=True)
    tracks = TrackSerializer(many=True)


class MuteSerializer(serializers.Serializer):
    track_sid = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        allow_blank=True,
        help_text="Empty: every microphone track.",
    )
    muted = serializers.BooleanField(required=False, default=True)


class MuteResultSerializer(serializers.Serializer):
    tracks = serializers.ListField(child=serializers.CharField())
    muted = serializers.BooleanField()


class VoiceSessionSerializer(LiveTokenSerializer):
    id = serializers.IntegerField(help_text="The voice session (room) id.")
    agent_name = serializers.CharField()


class DispatchSerializer(serializers.Serializer):
    dispatch_id = serializers.CharField()


class LiveKitWebhookResultSerializer(serializers.Serializer):
    status = EnumField(WEBHOOK_OUTCOMES, "LiveKitWebhookOutcomeEnum")
