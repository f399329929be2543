from django.contrib import admin
from django.utils.html import format_html

from bible import services as bible_services
from bible.models import BibleStory, DocumentAsset, ScriptureLink
from catalog.admin.console import MODERATION_READONLY, ModeratedAdmin
from cnt import signing


@admin.register(DocumentAsset)
class DocumentAssetAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "page_count", "is_published", "download_count")
    list_filter = ("is_published", "language")
    search_fields = ("title", "description")
    raw_id_fields = ("file", "cover", "category", "uploaded_by")
    readonly_fields = (
        "cover_preview",
        "cover",
        "page_count",
        "download_count",
        "created_at",
        "updated_at",
    )
    actions = ("rerender_covers",)

    def has_add_permission(self, request):
        return False  # created through the API, which reads the page count and renders a cover

    @admin.display(description="cover")
    def cover_preview(self, obj):
        if not obj.cover_id:
            return "—"
        return format_html(
            '<img src="{}" style="max-height:240px">',
            signing.playback_path(obj.cover_id, "original"),
        )

    @admin.action(description="Render the cover again from page 1")
    def rerender_covers(self, request, queryset):
        documents = queryset.select_related("file", "cover", "uploaded_by")
        rendered = sum(bible_services.document_cover_refresh(document=d) for d in documents)
        self.message_user(request, f"{rendered} covers rendered.")


@admin.register(BibleStory)
class BibleStoryAdmin(ModeratedAdmin):
    list_display = (
        "title",
        "scripture_reference",
        "owner",
        "status_badge",
        "waiting",
        "play_count",
        "created_at",
    )
    list_filter = ("status", "category")
    search_fields = ("title", "scripture_reference", "description", "owner__username")
    raw_id_fields = ("owner", "category", "video", "audio", "thumbnail")
    moderation_readonly = (
        *MODERATION_READONLY,
        "scripture_reference",  # edits go through the service, which re-links passages
        "play_count",
        "created_at",
        "updated_at",
    )
    list_select_related = ("owner",)
    date_hierarchy = "created_at"


@admin.register(ScriptureLink)
class ScriptureLinkAdmin(admin.ModelAdmin):
    list_display = ("label", "content_type", "object_id", "start_verse_id", "end_verse_id")
    list_filter = ("content_type",)
    search_fields = ("label",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
