from django.contrib import admin

from live.models import LiveStream


@admin.register(LiveStream)
class LiveStreamAdmin(admin.ModelAdmin):
    list_display = ("title", "host", "kind", "status", "scheduled_start", "viewer_count")
    list_filter = ("kind", "status", "is_public")
    search_fields = ("title", "room_name", "host__username")
    raw_id_fields = ("host", "category", "thumbnail", "recording")
    readonly_fields = ("viewer_count", "peak_viewer_count", "started_at", "ended_at", "created_at")
    list_select_related = ("host",)
