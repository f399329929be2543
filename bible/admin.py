from django.contrib import admin

from bible.models import BibleStory, DocumentAsset
from catalog.admin import MODERATION_READONLY


@admin.register(DocumentAsset)
class DocumentAssetAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "page_count", "is_published", "download_count")
    list_filter = ("is_published", "language")
    search_fields = ("title", "description")
    raw_id_fields = ("file", "category", "uploaded_by")
    readonly_fields = ("page_count", "download_count", "created_at", "updated_at")


@admin.register(BibleStory)
class BibleStoryAdmin(admin.ModelAdmin):
    list_display = ("title", "scripture_reference", "owner", "status", "play_count", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "scripture_reference", "description")
    raw_id_fields = ("owner", "category", "video", "audio", "thumbnail")
    readonly_fields = (*MODERATION_READONLY, "play_count", "created_at", "updated_at")
    list_select_related = ("owner",)
