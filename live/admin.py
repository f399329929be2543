from django.contrib import admin, messages

from live import services
from live.models import (
    LiveChatMessage,
    LiveParticipant,
    LiveRestriction,
    LiveStream,
    LiveWebhookEvent,
    MeetingInvite,
    StreamKind,
    StreamStatus,
)


@admin.register(LiveStream)
class LiveStreamAdmin(admin.ModelAdmin):
    list_display = ("title", "host", "kind", "status", "scheduled_start", "viewer_count")
    list_filter = ("kind", "status", "is_public", "recording_status")
    search_fields = ("title", "room_name", "host__username")
    raw_id_fields = ("host", "category", "thumbnail", "recording", "recording_podcast")
    readonly_fields = (
        "status",
        "viewer_count",
        "peak_viewer_count",
        "started_at",
        "ended_at",
        "room_started_at",
        "room_finished_at",
        "followers_notified_at",
        "egress_id",
        "recording_status",
        "recording_source",
        "recording_error",
        "passcode_hash",
        "created_at",
    )
    list_select_related = ("host",)
    actions = ["end_rooms"]

    @admin.action(description="End the selected rooms (disconnects everyone)")
    def end_rooms(self, request, queryset):
        ended = 0
        for room in queryset.filter(status__in=(StreamStatus.SCHEDULED, StreamStatus.LIVE)):
            try:
                if room.kind == StreamKind.MEETING:
                    services.meeting_end(meeting=room)
                else:
                    services.stream_end(stream=room)
                ended += 1
            except Exception as exc:  # one failing room must not stop the others
                self.message_user(request, f"{room}: {exc}", level=messages.ERROR)
        self.message_user(request, f"Ended {ended} room(s).")


@admin.register(MeetingInvite)
class MeetingInviteAdmin(admin.ModelAdmin):
    list_display = ("meeting", "user", "invited_by", "created_at")
    raw_id_fields = ("meeting", "user", "invited_by")


@admin.register(LiveRestriction)
class LiveRestrictionAdmin(admin.ModelAdmin):
    list_display = ("stream", "user", "kind", "created_by", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("stream", "user", "created_by")


@admin.register(LiveChatMessage)
class LiveChatMessageAdmin(admin.ModelAdmin):
    list_display = ("stream", "user", "text", "is_deleted", "created_at")
    list_filter = ("is_deleted",)
    search_fields = ("text", "user__username")
    raw_id_fields = ("stream", "user", "deleted_by")
    list_select_related = ("stream", "user")


@admin.register(LiveParticipant)
class LiveParticipantAdmin(admin.ModelAdmin):
    list_display = ("stream", "identity", "is_counted", "joined_at", "left_at")
    raw_id_fields = ("stream", "user")
    readonly_fields = ("participant_sid", "identity", "joined_at", "left_at")


@admin.register(LiveWebhookEvent)
class LiveWebhookEventAdmin(admin.ModelAdmin):
    list_display = ("event", "event_id", "room_name", "outcome", "occurred_at", "processed_at")
    list_filter = ("event", "outcome")
    search_fields = ("event_id", "room_name")
    readonly_fields = (
        "event_id",
        "event",
        "room_name",
        "outcome",
        "occurred_at",
        "processed_at",
    )
