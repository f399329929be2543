"""Serializers of the caller's library: playlists and their items, and playback history."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.serializers import (
    ContentSummarySerializer,
    MediaUrlsMixin,
    content_type_field,
    playlist_item_type_field,
)
from catalog.models import (
    PlaybackProgress,
    Playlist,
    PlaylistItem,
)
from catalog.services import MAX_PLAYLIST_ITEMS
from cnt.api.images import image_field

# --- playlists -----------------------------------------------------------------------------


class PlaylistOwnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name"]
        read_only_fields = fields


class PlaylistItemSerializer(serializers.ModelSerializer):
    type = playlist_item_type_field(source="content_type", read_only=True)
    item = serializers.SerializerMethodField()

    class Meta:
        model = PlaylistItem
        fields = ["id", "position", "type", "added_at", "item"]
        read_only_fields = fields

    @extend_schema_field(ContentSummarySerializer)
    def get_item(self, entry):
        return ContentSummarySerializer(entry.target, context=self.context).data


class PlaylistSerializer(MediaUrlsMixin, serializers.ModelSerializer):
    owner = PlaylistOwnerSerializer(read_only=True)
    cover = serializers.UUIDField(source="cover_image_id", read_only=True, allow_null=True)
    cover_url = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()

    class Meta:
        model = Playlist
        fields = [
            "id",
            "name",
            "description",
            "is_public",
            "owner",
            "items_count",
            "cover",
            "cover_url",
            "cover_image",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, playlist):
        return self._image_url(playlist.cover_image)

    @image_field()
    def get_cover_image(self, playlist):
        return self._image_object(playlist.cover_image)


class PlaylistDetailSerializer(PlaylistSerializer):
    """A playlist with its items in order; items hidden from the reader are left out."""

    items = serializers.SerializerMethodField()

    class Meta(PlaylistSerializer.Meta):
        fields = [*PlaylistSerializer.Meta.fields, "items"]
        read_only_fields = fields

    @extend_schema_field(PlaylistItemSerializer(many=True))
    def get_items(self, playlist):
        items = self.context.get("items", [])
        return PlaylistItemSerializer(items, many=True, context=self.context).data


class PlaylistWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    is_public = serializers.BooleanField(required=False)
    cover = serializers.UUIDField(
        source="cover_id",
        allow_null=True,
        required=False,
        help_text="Id of an image asset you uploaded; null removes the cover.",
    )


class PlaylistItemAddSerializer(serializers.Serializer):
    type = playlist_item_type_field()
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class PlaylistReorderSerializer(serializers.Serializer):
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_PLAYLIST_ITEMS,
        allow_empty=True,
        help_text="Every item id of the playlist (as you see it), in the new order.",
    )


# --- playback history ----------------------------------------------------------------------


class PlaybackEntrySerializer(serializers.ModelSerializer):
    type = content_type_field(source="content_type", read_only=True)
    position = serializers.FloatField(source="position_seconds", read_only=True)
    duration = serializers.FloatField(source="duration_seconds", read_only=True)
    last_played_at = serializers.DateTimeField(source="updated_at", read_only=True)
    item = serializers.SerializerMethodField()

    class Meta:
        model = PlaybackProgress
        fields = ["type", "position", "duration", "is_completed", "last_played_at", "item"]
        read_only_fields = fields

    @extend_schema_field(ContentSummarySerializer)
    def get_item(self, progress):
        target = self.context["content"].get((progress.content_type, progress.object_id))
        return ContentSummarySerializer(target, context=self.context).data if target else None
