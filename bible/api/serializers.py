"""Bible API shapes. Input serializers parse; services decide. Output serializers read what
the selectors fetched and sign media URLs without queries (cnt.signing is pure HMAC).

API names differ from the columns: a story's `summary` is its `description` column."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bible import policies, references
from bible.models import BibleStory, DocumentAsset, ScriptureLink
from catalog.api.serializers import CaptionsMixin, moderation_status_field, stream_type_field
from catalog.models import Category
from cnt import signing
from cnt.api.images import image_field
from cnt.api.serializers import EnumField
from media.api.serializers import AssetSerializer, DownloadSerializer
from media.models import AssetKind

PASSAGE_TYPES = [("bible_story", "Bible story"), ("podcast", "Podcast")]


def _signed_original(context, asset) -> str | None:
    if asset is None:
        return None
    return signing.playback_url(context.get("request"), asset.id, "original")


class BibleCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class ScripturePassageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScriptureLink
        fields = ["label", "start_verse_id", "end_verse_id"]
        read_only_fields = fields


# --- documents -----------------------------------------------------------------------------


class BibleDocumentSerializer(serializers.ModelSerializer):
    category = BibleCategorySerializer(read_only=True, allow_null=True)
    file_url = serializers.SerializerMethodField()
    cover_url = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    size = serializers.IntegerField(source="file.size_bytes", read_only=True)

    class Meta:
        model = DocumentAsset
        fields = [
            "id",
            "title",
            "description",
            "category",
            "language",
            "page_count",
            "download_count",
            "size",
            "file_url",
            "cover_url",
            "cover_image",
            "is_published",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(help_text="Signed, expiring URL of the PDF."))
    def get_file_url(self, obj) -> str:
        return _signed_original(self.context, obj.file)

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="Page 1 as an image."))
    def get_cover_url(self, obj):
        if obj.cover is None:
            return None
        return AssetSerializer(context=self.context).image_url(obj.cover, "cover")

    @image_field()
    def get_cover_image(self, obj):
        return AssetSerializer(context=self.context).image_object(obj.cover, "cover")


class BibleDocumentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    file = serializers.UUIDField(help_text="Id of the asset answered by upload/document.")
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    language = serializers.RegexField(
        r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
        max_length=16,
        required=False,
        help_text="A language tag, e.g. en, yo, pt-BR.",
    )
    is_published = serializers.BooleanField(required=False)


class BibleDocumentUpdateSerializer(BibleDocumentWriteSerializer):
    file = None  # a document keeps its PDF; upload a new document instead


# --- stories -------------------------------------------------------------------------------


class StoryOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class BibleStorySerializer(CaptionsMixin, serializers.ModelSerializer):
    summary = serializers.CharField(source="description", read_only=True)
    passages = serializers.SerializerMethodField()
    category = BibleCategorySerializer(read_only=True, allow_null=True)
    owner = serializers.SerializerMethodField()
    status = moderation_status_field(read_only=True)
    rejection_reason = serializers.SerializerMethodField()
    video = serializers.UUIDField(source="video_id", read_only=True, allow_null=True)
    audio = serializers.UUIDField(source="audio_id", read_only=True, allow_null=True)
    stream_type = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField(
        help_text="Progressive files for offline use (MP4 video, M4A audio), best first."
    )
    thumbnail_url = serializers.SerializerMethodField()
    thumbnail_image = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField()
    plays_count = serializers.IntegerField(source="play_count", read_only=True)
    captions_status = serializers.SerializerMethodField(
        help_text="As on podcasts: disabled, pending, processing, ready, failed or none."
    )
    captions_reason = serializers.SerializerMethodField()
    captions = serializers.SerializerMethodField(
        help_text="Language tag -> signed WebVTT URL of the current captions."
    )

    class Meta:
        model = BibleStory
        fields = [
            "id",
            "title",
            "scripture_reference",
            "passages",
            "summary",
            "body",
            "category",
            "owner",
            "status",
            "rejection_reason",
            "video",
            "audio",
            "stream_type",
            "hls_url",
            "downloads",
            "thumbnail_url",
            "thumbnail_image",
            "duration",
            "plays_count",
            "captions_status",
            "captions_reason",
            "captions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _assets(self) -> AssetSerializer:
        if not hasattr(self, "_asset_urls"):
            self._asset_urls = AssetSerializer(context=self.context)
        return self._asset_urls

    def _primary(self, obj):
        return obj.video or obj.audio

    @extend_schema_field(ScripturePassageSerializer(many=True))
    def get_passages(self, obj):
        links = self.context.get("links", {}).get(obj.pk, [])
        return ScripturePassageSerializer(links, many=True).data

    @extend_schema_field(StoryOwnerSerializer())
    def get_owner(self, obj):
        return {"id": obj.owner_id, "display_name": obj.owner.display_name or obj.owner.username}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rejection_reason(self, obj):
        user = getattr(self.context.get("request"), "user", None)
        return obj.rejection_reason if policies.can_see_moderation_details(user, obj) else None

    @extend_schema_field(stream_type_field())
    def get_stream_type(self, obj) -> str:
        return "video" if obj.video_id else "audio"

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_hls_url(self, obj):
        asset = self._primary(obj)
        return self._assets().get_hls_url(asset) if asset is not None else None

    @extend_schema_field(DownloadSerializer(many=True))
    def get_downloads(self, obj):
        asset = self._primary(obj)
        return self._assets().get_downloads(asset, title=obj.title) if asset is not None else []

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, obj):
        if obj.thumbnail is not None:
            return self._assets().get_thumbnail_url(obj.thumbnail)
        if obj.video is not None:
            return self._assets().get_thumbnail_url(obj.video)
        return None

    @image_field()
    def get_thumbnail_image(self, obj):
        return self._assets().image_object(obj.thumbnail or obj.video, "thumbnail")

    def get_duration(self, obj) -> float:
        asset = self._primary(obj)
        if asset is not None and asset.duration_seconds:
            return float(asset.duration_seconds)
        return float(obj.duration_seconds or 0)


class BibleStoryWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    body = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    scripture_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=references.MAX_REFERENCE_LENGTH,
        help_text="Free text such as “Jn 3:16-18; Rom 8:28”; stored normalised.",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    video = serializers.UUIDField(
        required=False, allow_null=True, help_text="A video asset you uploaded."
    )
    audio = serializers.UUIDField(
        required=False, allow_null=True, help_text="An audio asset you uploaded."
    )
    thumbnail = serializers.UUIDField(
        required=False, allow_null=True, help_text="An image asset you uploaded."
    )


class BibleStoryQuerySerializer(serializers.Serializer):
    reference = serializers.CharField(
        required=False,
        max_length=references.MAX_REFERENCE_LENGTH,
        help_text="Stories tagged with a passage overlapping this one, e.g. “John 3:16”.",
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Your own stories, in every state."
    )
    status = moderation_status_field(
        required=False,
        help_text="Moderators: everyone's stories in that state; others: their own.",
    )
    category = serializers.IntegerField(required=False, min_value=1)

    def validate_reference(self, value):
        try:
            return references.passages_parse(value)
        except references.InvalidReference as exc:
            raise serializers.ValidationError(str(exc))


class ScripturePassageQuerySerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=references.MAX_REFERENCE_LENGTH,
        help_text="A passage, e.g. “John 3:16” or “Romans 8”.",
    )

    def validate_reference(self, value):
        try:
            return references.passages_parse(value)
        except references.InvalidReference as exc:
            raise serializers.ValidationError(str(exc))


class ScripturePassageHitSerializer(serializers.Serializer):
    """A story or podcast tagged with an overlapping passage."""

    type = EnumField(PASSAGE_TYPES, "PassageItemTypeEnum")
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    scripture_reference = serializers.CharField()
    passages = ScripturePassageSerializer(many=True)
    matched = serializers.ListField(
        child=serializers.CharField(), help_text="Labels of the passages that overlap."
    )
    thumbnail_url = serializers.URLField(allow_null=True)

    @classmethod
    def build(cls, *, content_type, obj, links, passages, context) -> dict:
        thumbnail = obj.thumbnail
        return {
            "type": content_type,
            "id": obj.pk,
            "title": obj.title,
            "summary": obj.description,
            "scripture_reference": "; ".join(link.label for link in links),
            "passages": ScripturePassageSerializer(links, many=True).data,
            "matched": [
                link.label
                for link in links
                if any(
                    references.Passage(link.start_verse_id, link.end_verse_id, "").overlaps(q)
                    for q in passages
                )
            ],
            "thumbnail_url": AssetSerializer(context=context).image_url(thumbnail, "thumbnail")
            if thumbnail is not None and thumbnail.kind == AssetKind.IMAGE
            else None,
        }
