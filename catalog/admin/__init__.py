"""Django Admin for the catalogue: its content kinds on the moderation console
(catalog/admin/console.py, which bible and community use too), and the rest of its models."""

from django.contrib import admin

from catalog.admin import edits  # noqa: F401  (registers the edits queue)
from catalog.admin.console import ModeratedAdmin
from catalog.admin.publishing import PublishMixin
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
    SearchWord,
)
from cnt.admin import ReadOnlyAdmin


class ContentAdmin(PublishMixin, ModeratedAdmin):
    list_display = (
        "title",
        "owner",
        "artist",
        "category",
        "status_badge",
        "waiting",
        "play_count",
        "created_at",
    )
    list_filter = ("status", "is_featured", "category")
    search_fields = ("title", "description", "owner__username", "artist__name")
    raw_id_fields = ("owner", "artist", "thumbnail")
    date_hierarchy = "created_at"
    list_select_related = ("owner", "artist", "category")


@admin.register(Podcast)
class PodcastAdmin(ContentAdmin):
    raw_id_fields = (*ContentAdmin.raw_id_fields, "audio", "video")
    # scripture_reference is checked and stored as verse ranges through bible's registered
    # normaliser and writer (catalog/admin/editing.py), as the API does.


@admin.register(Movie)
class MovieAdmin(ContentAdmin):
    raw_id_fields = (*ContentAdmin.raw_id_fields, "video", "poster")


@admin.register(MusicTrack)
class MusicTrackAdmin(ContentAdmin):
    list_display = (
        "title",
        "owner",
        "artist",
        "album",
        "genre",
        "status_badge",
        "waiting",
        "play_count",
    )
    list_filter = (*ContentAdmin.list_filter, "genre")
    raw_id_fields = (*ContentAdmin.raw_id_fields, "audio")


# --- the rest of the catalogue ---------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "position", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_verified", "is_trusted", "followers_count", "created_at")
    list_filter = ("is_verified", "is_trusted")
    search_fields = ("name", "user__username", "user__email")
    raw_id_fields = ("user", "cover_image")
    readonly_fields = ("followers_count", "created_at", "updated_at")


@admin.register(ArtistFollower)
class ArtistFollowerAdmin(admin.ModelAdmin):
    list_display = ("artist", "user", "created_at")
    search_fields = ("artist__name", "user__username")
    raw_id_fields = ("artist", "user")


class PlaylistItemInline(admin.TabularInline):
    model = PlaylistItem
    extra = 0
    fields = ("position", "content_type", "object_id", "added_at")
    readonly_fields = ("added_at",)


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
    list_display = ("playlist", "position", "content_type", "object_id", "added_at")
    list_filter = ("content_type",)
    search_fields = ("playlist__name",)
    raw_id_fields = ("playlist",)


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    """The audit trail: read-only, written only by the moderation services."""

    list_display = ("created_at", "action", "content_type", "object_id", "moderator", "reason")
    list_filter = ("action", "content_type")
    search_fields = ("reason", "moderator__username")
    list_select_related = ("moderator",)
    readonly_fields = (
        "content_type",
        "object_id",
        "action",
        "previous_status",
        "reason",
        "moderator",
        "created_at",
    )


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


@admin.register(SearchWord)
class SearchWordAdmin(admin.ModelAdmin):
    """The vocabulary search corrects typos towards. Words join as content is approved and
    leave with the daily rebuild; deleting one here stops corrections towards it until
    then."""

    list_display = ("word",)
    search_fields = ("word",)
    ordering = ("word",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
