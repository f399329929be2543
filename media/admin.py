from django.contrib import admin, messages

from media.models import (
    CaptionTrack,
    DirectUpload,
    EditJob,
    MediaAsset,
    Outline,
    Rendition,
    Transcript,
    TranscriptSegment,
    TusUpload,
)


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    fields = ("name", "kind", "status", "progress", "width", "height", "bitrate", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "purpose", "status", "owner", "original_filename", "created_at")
    list_filter = ("kind", "purpose", "status")
    search_fields = ("id", "storage_key", "original_filename", "owner__username")
    raw_id_fields = ("owner",)
    # Status and error are the pipeline's to set (media.pipeline): never edited by hand.
    readonly_fields = (
        "status",
        "error",
        "storage_key",
        "size_bytes",
        "checksum_sha256",
        "duration_seconds",
        "width",
        "height",
        "metadata",
        "images",
        "processing_log",
        "output_prefix",
        "processing_attempts",
        "processing_started_at",
        "heartbeat_at",
        "processed_at",
        "created_at",
        "updated_at",
    )
    inlines = [RenditionInline]
    actions = ["reprocess_selected"]

    @admin.action(
        description="Reprocess selected audio and video (rebuild derived files)",
        permissions=["change"],
    )
    def reprocess_selected(self, request, queryset):
        """The same call as `manage.py media_reprocess`, for the selected assets."""
        from media.models import AssetKind
        from media.pipeline import asset_reprocess

        assets = list(queryset.filter(kind__in=[AssetKind.AUDIO, AssetKind.VIDEO]))
        for asset in assets:
            asset_reprocess(asset=asset)
            self.log_change(request, asset, "Reprocessed")
        skipped = queryset.count() - len(assets)
        self.message_user(request, f"{len(assets)} asset(s) queued for reprocessing.")
        if skipped:
            self.message_user(
                request, f"{skipped} asset(s) are not audio or video; skipped.", messages.INFO
            )


@admin.register(Rendition)
class RenditionAdmin(admin.ModelAdmin):
    list_display = ("asset", "name", "kind", "status", "progress", "height", "bitrate")
    list_filter = ("kind", "status")
    search_fields = ("asset__id", "name")
    raw_id_fields = ("asset",)
    list_select_related = ("asset",)


@admin.register(TusUpload)
class TusUploadAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "offset", "upload_length", "expires_at", "completed_at")
    search_fields = ("id", "owner__username")
    raw_id_fields = ("owner", "asset")
    readonly_fields = ("offset", "upload_length", "metadata", "created_at")


@admin.register(DirectUpload)
class DirectUploadAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "purpose", "status", "size_bytes", "expires_at")
    list_filter = ("status", "purpose")
    search_fields = ("id", "owner__username", "staging_key")
    raw_id_fields = ("owner", "asset")
    readonly_fields = ("staging_key", "s3_upload_id", "created_at")


@admin.register(EditJob)
class EditJobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "status", "progress", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("id", "owner__username")
    raw_id_fields = ("owner", "result")
    readonly_fields = (
        "sources",
        "operations",
        "progress",
        "error",
        "error_log",
        "attempts",
        "created_at",
    )


class _ReadOnly(admin.ModelAdmin):
    """Made by the transcription pipeline or by caption uploads; staff read them here (the
    item's own page shows the transcript beside the player)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transcript)
class TranscriptAdmin(_ReadOnly):
    list_display = ("asset", "status", "language", "source", "attempts", "completed_at")
    list_filter = ("status", "source", "language")
    search_fields = ("asset__id", "text")
    raw_id_fields = ("asset",)
    exclude = ("words",)  # thousands of timings; the paragraphs and text say the same


@admin.register(TranscriptSegment)
class TranscriptSegmentAdmin(_ReadOnly):
    list_display = ("asset", "position", "start", "end", "text")
    search_fields = ("asset__id",)
    raw_id_fields = ("asset",)


@admin.register(CaptionTrack)
class CaptionTrackAdmin(_ReadOnly):
    list_display = ("asset", "language", "source", "cue_count", "is_current", "created_at")
    list_filter = ("source", "is_current", "language")
    search_fields = ("asset__id",)
    raw_id_fields = ("asset", "created_by")


@admin.register(Outline)
class OutlineAdmin(_ReadOnly):
    """Chapters and summaries: the language model's drafts beside what the owner published
    (owners publish through the API; moderators read both here)."""

    list_display = ("asset", "status", "accepted_at", "accepted_by", "attempts", "updated_at")
    list_filter = ("status",)
    search_fields = ("asset__id", "summary", "draft_summary")
    raw_id_fields = ("asset", "accepted_by")
