from django.contrib import admin

from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    ModerationDecision,
    Movie,
    MusicTrack,
    PlaybackProgress,
    PlayEvent,
    Playlist,
    PlaylistItem,
    Podcast,
)

MODERATION_READONLY = ("status", "rejection_reason", "moderated_by", "moderated_at")
CONTENT_READONLY = (*MODERATION_READONLY, "play_count", "created_at", "updated_at")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "position", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_verified", "followers_count", "created_at")
    list_filter = ("is_verified",)
    search_fields = ("name", "user__username", "user__email")
    raw_id_fields = ("user", "cover_image")
    readonly_fields = ("followers_count", "created_at", "updated_at")


@admin.register(ArtistFollower)
class ArtistFollowerAdmin(admin.ModelAdmin):
    list_display = ("artist", "user", "created_at")
    search_fields = ("artist__name", "user__username")
    raw_id_fields = ("artist", "user")


class ContentAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "artist", "category", "status", "play_count", "created_at")
    list_filter = ("status", "is_featured", "category")
    search_fields = ("title", "description", "owner__username", "artist__name")
    raw_id_fields = ("owner", "artist", "thumbnail")
    readonly_fields = CONTENT_READONLY
    date_hierarchy = "created_at"
    list_select_related = ("owner", "artist", "category")


@admin.register(Podcast)
class PodcastAdmin(ContentAdmin):
    raw_id_fields = (*ContentAdmin.raw_id_fields, "audio", "video")


@admin.register(Movie)
class MovieAdmin(ContentAdmin):
    raw_id_fields = (*ContentAdmin.raw_id_fields, "video", "poster")


@admin.register(MusicTrack)
class MusicTrackAdmin(ContentAdmin):
    list_display = (*ContentAdmin.list_display[:3], "album", "genre", "status", "play_count")
    list_filter = (*ContentAdmin.list_filter, "genre")
    raw_id_fields = (*ContentAdmin.raw_id_fields, "audio")


class PlaylistItemInline(admin.TabularInline):
    model = PlaylistItem
    extra = 0
    raw_id_fields = ("podcast", "movie", "music_track", "bible_story")


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_public", "items_count", "updated_at")
    list_filter = ("is_public",)
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner", "cover_image")
    readonly_fields = ("items_count", "created_at", "updated_at")
    inlines = [PlaylistItemInline]


@admin.register(PlaylistItem)
class PlaylistItemAdmin(admin.ModelAdmin):
    list_display = ("playlist", "position", "content_type", "added_at")
    list_filter = ("content_type",)
    search_fields = ("playlist__name",)
    raw_id_fields = ("playlist", "podcast", "movie", "music_track", "bible_story")


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    """The audit trail: read-only, written only by the moderation services."""

    list_display = ("created_at", "action", "content_type", "object_id", "moderator", "reason")
    list_filter = ("action", "content_type")
    search_fields = ("reason", "moderator__username")
    readonly_fields = (
        "content_type",
        "object_id",
        "action",
        "previous_status",
        "reason",
        "moderator",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlayEvent)
class PlayEventAdmin(admin.ModelAdmin):
    list_display = ("played_at", "content_type", "object_id", "user")
    list_filter = ("content_type",)
    raw_id_fields = ("user",)


@admin.register(PlaybackProgress)
class PlaybackProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "content_type", "object_id", "position_seconds", "updated_at")
    list_filter = ("content_type", "is_completed")
    raw_id_fields = ("user",)
