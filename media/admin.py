from django.contrib import admin

from media.models import MediaAsset


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "owner",
        "original_filename",
        "size_bytes",
        "created_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("id", "storage_key", "original_filename", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "storage_key",
        "size_bytes",
        "checksum_sha256",
        "duration_seconds",
        "width",
        "height",
        "metadata",
        "created_at",
        "updated_at",
    )
