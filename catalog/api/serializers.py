"""Catalogue API shapes. Input serializers (`*WriteSerializer`, `*AddSerializer`) only parse;
services decide. Output serializers read what the selectors prefetched and sign media URLs
without queries (cnt.signing is pure HMAC)."""

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import moderation, policies, selectors, transcripts
from catalog.models import (
    MAX_REFERENCE_LENGTH,
    Artist,
    ArtistFollower,
    Category,
    CategoryKind,
    ContentType,
    Movie,
    MusicTrack,
    PlaylistItemType,
    Podcast,
    TranscriptFormat,
)
from catalog.tags import MAX_TAGS, TAG_MAX_LENGTH, tags_normalise
from cnt import signing
from cnt.api.images import image_field
from cnt.api.representation import FastRepresentation
from cnt.api.serializers import EnumField
from cnt.models import CONTENT_LANGUAGE_PATTERN, ModerationStatus
from media.api.serializers import AssetSerializer, DownloadSerializer
from media.captions import SUBTITLES_DIR, language_slug
from media.models import AssetKind

MAX_SECONDS = 10_000_000.0

STREAM_TYPES = [("audio", "Audio"), ("video", "Video")]


# --- enums as shared schema components -----------------------------------------------------


def moderation_status_field(**kwargs) -> EnumField:
    return EnumField(ModerationStatus.choices, "ModerationStatusEnum", **kwargs)


def stream_type_field(**kwargs) -> EnumField:
    return EnumField(STREAM_TYPES, "StreamTypeEnum", **kwargs)


def content_type_field(**kwargs) -> EnumField:
    return EnumField(ContentType.choices, "ContentTypeEnum", **kwargs)


def playlist_item_type_field(**kwargs) -> EnumField:
    return EnumField(PlaylistItemType.choices, "PlaylistItemTypeEnum", **kwargs)


CAPTIONS_STATUSES = [
    ("none", "Not spoken word, or no media"),
    ("disabled", "Transcription is not configured"),
    ("pending", "Waiting for transcription"),
    ("processing", "Being transcribed"),
    ("ready", "Captions available"),
    ("failed", "Transcription failed"),
]


def captions_status_field(**kwargs) -> EnumField:
    return EnumField(CAPTIONS_STATUSES, "CaptionsStatusEnum", **kwargs)


class CaptionsMixin:
    """`captions_status`, `captions_reason` and `captions` (language -> signed WebVTT URL)
    of a content object, from what the selectors loaded (no query per item)."""

    @extend_schema_field(captions_status_field())
    def get_captions_status(self, obj) -> str:
        return transcripts.content_captions_state(obj)[0]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_captions_reason(self, obj):
        return transcripts.content_captions_state(obj)[1]

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_captions(self, obj) -> dict:
        asset, languages = transcripts.content_caption_languages(obj)
        request = self.context.get("request")
        return {
            language: signing.playback_url(
                request, asset.id, f"{SUBTITLES_DIR}/{language_slug(language)}.vtt"
            )
            for language in languages
        }


# --- media URLs ----------------------------------------------------------------------------


class MediaUrlsMixin:
    """Signed playback and image URLs of a content object, by the rules of the media app."""

    def _media(self) -> AssetSerializer:
        urls = getattr(self, "_media_urls", None)
        if urls is None:
            urls = self._media_urls = AssetSerializer(context=self.context)
        return urls

    def _video(self, obj):
        asset = selectors.primary_asset(obj)
        return asset if asset is not None and asset.kind == AssetKind.VIDEO else None

    def _hls_url(self, obj):
        asset = selectors.primary_asset(obj)
        return self._media().get_hls_url(asset) if asset is not None else None

    def _cover_asset(self, obj):
        return obj.thumbnail if obj.thumbnail is not None else self._video(obj)

    def _poster_asset(self, obj):
        poster = getattr(obj, "poster", None) or obj.thumbnail
        return poster if poster is not None else self._video(obj)

    def _shown(self, asset, role: str):
        return self._media().image_url(asset, role) if asset is not None else None

    def _downloads(self, obj) -> list[dict]:
        asset = selectors.primary_asset(obj)
        if asset is None:
            return []
        return self._media().get_downloads(asset, title=obj.title)

    def _cover_url(self, obj):
        return self._shown(self._cover_asset(obj), "cover")

    def _thumbnail_url(self, obj):
        return self._shown(self._cover_asset(obj), "thumbnail")

    def _poster_url(self, obj):
        return self._shown(self._poster_asset(obj), "poster")

    def _cover_image(self, obj):
        return self._media().image_object(self._cover_asset(obj), "cover")

    def _thumbnail_image(self, obj):
        return self._media().image_object(self._cover_asset(obj), "thumbnail")

    def _poster_image(self, obj):
        return self._media().image_object(self._poster_asset(obj), "poster")

    def _waveform_url(self, obj):
        asset = selectors.primary_asset(obj)
        if asset is None or asset.kind != AssetKind.AUDIO:
            return None
        return self._media().get_waveform_url(asset)

    def _image_url(self, asset, role: str = "cover"):
        return self._shown(asset, role)

    def _image_object(self, asset, role: str = "cover"):
        return self._media().image_object(asset, role)


# --- summaries -----------------------------------------------------------------------------


class ArtistSummarySerializer(FastRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Artist
        fields = ["id", "name", "is_verified"]
        read_only_fields = fields


class CategorySummarySerializer(FastRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class ContentSummarySerializer(FastRepresentation, MediaUrlsMixin, serializers.Serializer):
    """What a list row or a player needs of any playable item."""

    id = serializers.IntegerField(read_only=True)
    type = serializers.SerializerMethodField()
    title = serializers.CharField(read_only=True)
    artist = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField()
    stream_type = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()
    cover_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    thumbnail_image = serializers.SerializerMethodField()
    plays_count = serializers.IntegerField(source="play_count", read_only=True)
    status = moderation_status_field(read_only=True)

    @extend_schema_field(content_type_field())
    def get_type(self, obj) -> str:
        return selectors.type_of(obj)

    @extend_schema_field(ArtistSummarySerializer(allow_null=True))
    def get_artist(self, obj):
        artist = getattr(obj, "artist", None)
        return ArtistSummarySerializer(artist).data if artist is not None else None

    def get_duration(self, obj) -> float:
        return selectors.content_duration(obj)

    @extend_schema_field(stream_type_field())
    def get_stream_type(self, obj) -> str:
        return selectors.stream_type(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_hls_url(self, obj):
        return self._hls_url(obj)

    @extend_schema_field(DownloadSerializer(many=True))
    def get_downloads(self, obj):
        return self._downloads(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, obj):
        return self._cover_url(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, obj):
        return self._thumbnail_url(obj)

    @image_field()
    def get_cover_image(self, obj):
        return self._cover_image(obj)

    @image_field()
    def get_thumbnail_image(self, obj):
        return self._thumbnail_image(obj)


# --- content -------------------------------------------------------------------------------

_NOT_LOADED = object()


class PendingEditSerializer(FastRepresentation, serializers.Serializer):
    """An edit of approved content waiting for a moderator."""

    id = serializers.IntegerField()
    changes = serializers.DictField(
        help_text="The proposed values, under the item's own field names (title, description, "
        "tags, lyrics, scripture_reference, ...; `outline`: proposed chapters and summary of "
        "spoken word, as {summary, chapters}); the item's fields keep the public text."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="When the edit last changed.")


class ContentListSerializer(serializers.ListSerializer):
    """Loads the pending edits the viewer may see for a whole page in one query."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        shown: dict[str, list] = {}
        for obj in items:
            if policies.can_see_moderation_details(user, obj):
                shown.setdefault(selectors.type_of(obj), []).append(obj)
        for content_type, objects in shown.items():
            edits = moderation.pending_edits_by_id(content_type, [obj.pk for obj in objects])
            for obj in objects:
                obj._pending_edit = edits.get(obj.pk)
        return super().to_representation(items)


class ContentSerializer(
    FastRepresentation, CaptionsMixin, MediaUrlsMixin, serializers.ModelSerializer
):
    """A podcast, movie or music track as a player and a listing show it."""

    artist = ArtistSummarySerializer(read_only=True, allow_null=True)
    category = CategorySummarySerializer(read_only=True, allow_null=True)
    status = moderation_status_field(read_only=True)
    rejection_reason = serializers.SerializerMethodField(
        help_text="Why a moderator rejected the item; only for its owner and moderators."
    )
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    duration = serializers.SerializerMethodField(help_text="Seconds.")
    plays_count = serializers.IntegerField(source="play_count", read_only=True)
    stream_type = serializers.SerializerMethodField()
    media_status = serializers.SerializerMethodField(
        help_text="Processing state of the media asset: uploaded, processing, ready or failed."
    )
    asset = serializers.SerializerMethodField(help_text="The streamed media asset.")
    cover = serializers.UUIDField(
        source="thumbnail_id", read_only=True, allow_null=True, help_text="The cover image."
    )
    hls_url = serializers.SerializerMethodField(
        help_text="Signed HLS master playlist; null until the media is ready. Lists the "
        "renditions the caller's quality preference plays (see `quality` on the user)."
    )
    downloads = serializers.SerializerMethodField(
        help_text="Progressive files for offline use (MP4 video, M4A audio), best first, with "
        "exact sizes; empty until the media is ready."
    )
    cover_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    thumbnail_image = serializers.SerializerMethodField()
    poster_image = serializers.SerializerMethodField()
    waveform_url = serializers.SerializerMethodField(help_text="Peaks JSON, for audio.")
    pending_edit = serializers.SerializerMethodField(
        help_text="Your changes to this approved item's public text that wait for a moderator "
        "(the other fields show the public text until they are approved); only for the owner "
        "and moderators, otherwise null."
    )
    captions_status = serializers.SerializerMethodField(
        help_text="Captions and transcript: `disabled` (transcription is off on this server, "
        "see `captions_reason`), `pending`, `processing`, `ready`, `failed`, or `none`."
    )
    captions_reason = serializers.SerializerMethodField(
        help_text="Why there are no captions (disabled or failed); null otherwise."
    )
    captions = serializers.SerializerMethodField(
        help_text="Language tag -> signed WebVTT URL of the current captions."
    )

    class Meta:
        model = Podcast
        list_serializer_class = ContentListSerializer
        fields = [
            "id",
            "title",
            "description",
            "artist",
            "category",
            "tags",
            "language",
            "status",
            "rejection_reason",
            "duration",
            "plays_count",
            "stream_type",
            "media_status",
            "asset",
            "cover",
            "hls_url",
            "downloads",
            "cover_url",
            "thumbnail_url",
            "poster_url",
            "cover_image",
            "thumbnail_image",
            "poster_image",
            "waveform_url",
            "pending_edit",
            "captions_status",
            "captions_reason",
            "captions",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PendingEditSerializer(allow_null=True))
    def get_pending_edit(self, obj):
        request = self.context.get("request")
        if not policies.can_see_moderation_details(getattr(request, "user", None), obj):
            return None
        edit = getattr(obj, "_pending_edit", _NOT_LOADED)
        if edit is _NOT_LOADED:
            edit = moderation.pending_edit_for(obj)
        return PendingEditSerializer(edit).data if edit is not None else None

    def get_rejection_reason(self, obj) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if policies.can_see_moderation_details(user, obj):
            return obj.rejection_reason
        return None

    def get_duration(self, obj) -> float:
        return selectors.content_duration(obj)

    @extend_schema_field(stream_type_field())
    def get_stream_type(self, obj) -> str:
        return selectors.stream_type(obj)

    def get_media_status(self, obj) -> str | None:
        asset = selectors.primary_asset(obj)
        return asset.status if asset is not None else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_asset(self, obj):
        asset = selectors.primary_asset(obj)
        return str(asset.pk) if asset is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_hls_url(self, obj):
        return self._hls_url(obj)

    @extend_schema_field(DownloadSerializer(many=True))
    def get_downloads(self, obj):
        return self._downloads(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, obj):
        return self._cover_url(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, obj):
        return self._thumbnail_url(obj)

    @image_field()
    def get_cover_image(self, obj):
        return self._cover_image(obj)

    @image_field()
    def get_thumbnail_image(self, obj):
        return self._thumbnail_image(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster_url(self, obj):
        return self._poster_url(obj)

    @image_field()
    def get_poster_image(self, obj):
        return self._poster_image(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_waveform_url(self, obj):
        return self._waveform_url(obj)


class PodcastSerializer(ContentSerializer):
    # Declared: a read-only model field would lose allow_blank, and "" (no transcript) would
    # then be outside the documented enum.
    transcript_format = serializers.ChoiceField(
        choices=TranscriptFormat.choices, allow_blank=True, read_only=True
    )

    class Meta(ContentSerializer.Meta):
        model = Podcast
        fields = [
            *ContentSerializer.Meta.fields,
            "scripture_reference",
            "is_explicit",
            "transcript_url",
            "transcript_format",
            "chapters_url",
        ]
        read_only_fields = fields


class MovieSerializer(ContentSerializer):
    class Meta(ContentSerializer.Meta):
        model = Movie
        fields = [*ContentSerializer.Meta.fields, "release_year", "director", "cast"]
        read_only_fields = fields


class MusicTrackSerializer(ContentSerializer):
    class Meta(ContentSerializer.Meta):
        model = MusicTrack
        fields = [*ContentSerializer.Meta.fields, "album", "genre", "lyrics"]
        read_only_fields = fields


class TagsField(serializers.ListField):
    """Up to 20 short tags; surrounding spaces dropped, repeats (ignoring case) removed."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=TAG_MAX_LENGTH),
            max_length=MAX_TAGS,
            **kwargs,
        )

    def to_internal_value(self, data):
        return tags_normalise(super().to_internal_value(data))


class ContentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), allow_null=True, required=False
    )
    asset = serializers.UUIDField(
        source="asset_id", help_text="Id of a media asset you uploaded (not failed)."
    )
    cover = serializers.UUIDField(
        source="cover_id",
        allow_null=True,
        required=False,
        help_text="Id of an image asset you uploaded; null removes the cover.",
    )
    tags = TagsField(required=False)
    language = serializers.RegexField(
        CONTENT_LANGUAGE_PATTERN,
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="What it is spoken or written in: an ISO 639 code such as en or fr.",
        error_messages={"invalid": _("Give a language code of two or three lower-case letters.")},
    )


class PodcastWriteSerializer(ContentWriteSerializer):
    asset = serializers.UUIDField(
        source="asset_id", help_text="Id of an audio or video asset you uploaded (not failed)."
    )
    scripture_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_REFERENCE_LENGTH,
        help_text="The passages the episode is about, free text such as “Jn 3:16-18; Rom 8:28”; "
        "stored normalised and found by GET bible/passages. Empty removes them.",
    )
    is_explicit = serializers.BooleanField(
        required=False, help_text="Marked explicit in podcast apps (default false)."
    )
    transcript_url = serializers.URLField(
        max_length=500,
        allow_blank=True,
        required=False,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="A transcript podcast apps may show, listed in the artist's podcast feed; "
        "needs transcript_format. Empty removes it.",
    )
    transcript_format = EnumField(
        TranscriptFormat.choices,
        "TranscriptFormat",
        required=False,
        help_text="The media type of the file at transcript_url.",
    )
    chapters_url = serializers.URLField(
        max_length=500,
        allow_blank=True,
        required=False,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="Chapters in the Podcasting 2.0 JSON chapters format. Empty removes them.",
    )


class MovieWriteSerializer(ContentWriteSerializer):
    asset = serializers.UUIDField(
        source="asset_id", help_text="Id of a video asset you uploaded (not failed)."
    )
    cover = serializers.UUIDField(
        source="cover_id",
        allow_null=True,
        required=False,
        help_text="Id of an image asset you uploaded: the poster and thumbnail.",
    )
    release_year = serializers.IntegerField(
        min_value=1888, max_value=2100, allow_null=True, required=False
    )
    director = serializers.CharField(max_length=150, allow_blank=True, required=False)
    cast = serializers.CharField(max_length=5000, allow_blank=True, required=False)


class MusicTrackWriteSerializer(ContentWriteSerializer):
    asset = serializers.UUIDField(
        source="asset_id", help_text="Id of an audio asset you uploaded (not failed)."
    )
    album = serializers.CharField(max_length=200, allow_blank=True, required=False)
    genre = serializers.CharField(max_length=100, allow_blank=True, required=False)
    lyrics = serializers.CharField(max_length=50_000, allow_blank=True, required=False)


class ProgressWriteSerializer(serializers.Serializer):
    position = serializers.FloatField(
        min_value=0, max_value=MAX_SECONDS, help_text="Seconds from the start."
    )
    duration = serializers.FloatField(
        min_value=0,
        max_value=MAX_SECONDS,
        required=False,
        allow_null=True,
        help_text="The player's idea of the length, used only when the server has none.",
    )


class ProgressResultSerializer(serializers.Serializer):
    position = serializers.FloatField()
    duration = serializers.FloatField()
    is_completed = serializers.BooleanField()
    counted = serializers.BooleanField(help_text="Whether this report counted a play.")
    plays_count = serializers.IntegerField()


# --- categories ----------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    kind = EnumField(CategoryKind.choices, "CategoryKindEnum", required=False)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "kind", "description", "position", "is_active"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "slug": {"required": False, "help_text": "Derived from the name when left out."}
        }


# --- artists -------------------------------------------------------------------------------


class ArtistSerializer(MediaUrlsMixin, serializers.ModelSerializer):
    podcasts_count = serializers.IntegerField(read_only=True, help_text="Approved podcasts.")
    movies_count = serializers.IntegerField(read_only=True, help_text="Approved movies.")
    music_count = serializers.IntegerField(read_only=True, help_text="Approved music tracks.")
    is_following = serializers.BooleanField(read_only=True)
    cover_url = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()

    class Meta:
        model = Artist
        fields = [
            "id",
            "name",
            "bio",
            "is_verified",
            "followers_count",
            "podcasts_count",
            "movies_count",
            "music_count",
            "is_following",
            "cover_url",
            "cover_image",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, artist):
        return self._image_url(artist.cover_image)

    @image_field()
    def get_cover_image(self, artist):
        return self._image_object(artist.cover_image)


class ArtistBriefSerializer(ArtistSerializer):
    class Meta(ArtistSerializer.Meta):
        fields = ["id", "name", "is_verified", "followers_count", "cover_url", "cover_image"]
        read_only_fields = fields


class FollowResultSerializer(serializers.Serializer):
    is_following = serializers.BooleanField()
    followers_count = serializers.IntegerField()


class FollowerSerializer(MediaUrlsMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    avatar_url = serializers.SerializerMethodField()
    avatar_image = serializers.SerializerMethodField()
    followed_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ArtistFollower
        fields = ["id", "username", "display_name", "avatar_url", "avatar_image", "followed_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, link):
        return self._image_url(link.user.avatar, "avatar")

    @image_field()
    def get_avatar_image(self, link):
        return self._image_object(link.user.avatar, "avatar")


class FollowingSerializer(serializers.ModelSerializer):
    artist = ArtistBriefSerializer(read_only=True)
    followed_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ArtistFollower
        fields = ["artist", "followed_at"]
        read_only_fields = fields
