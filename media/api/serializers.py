from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cnt import signing
from cnt.api import images as api_images
from cnt.api.serializers import EnumField
from media import downloads, layout, profiles
from media.models import AssetKind, AssetPurpose, AssetStatus, MediaAsset, Rendition


def request_quality(request) -> str:
    """The playback quality the URLs in a response honour: the signed-in user's preference
    (accounts' `quality`), `auto` for everyone else."""
    user = getattr(request, "user", None)
    quality = getattr(user, "quality", None) if getattr(user, "is_authenticated", False) else None
    return quality if quality in profiles.QUALITY_MASTERS else profiles.AUTO


DOWNLOAD_QUALITIES = [
    (profiles.HIGH, "High: the best rung up to 720p, or 256 kbps audio"),
    (profiles.STANDARD, "Standard: up to 480p, or 128 kbps audio"),
    (profiles.DATA_SAVER_QUALITY, "Data saver: 240p, or 48 kbps mono audio"),
]


class DownloadSerializer(serializers.Serializer):
    """One progressive file for offline use. `size` is the exact number of bytes the URL
    serves; the URL answers Range requests (resume) and names the file to save."""

    quality = EnumField(DOWNLOAD_QUALITIES, "DownloadQualityEnum")
    label = serializers.CharField(help_text='"720p" for video, "128k" for audio.')
    url = serializers.URLField(help_text="Signed; expires like every media URL.")
    filename = serializers.CharField(help_text="The clean name the file is sent as.")
    content_type = serializers.CharField(help_text="video/mp4 or audio/mp4 (M4A).")
    size = serializers.IntegerField(help_text="Bytes, exactly.")
    duration = serializers.FloatField(allow_null=True, help_text="Seconds, of the file itself.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    bitrate = serializers.IntegerField(allow_null=True, help_text="bits per second, average")
    is_default = serializers.BooleanField(
        help_text="The one the caller's quality preference picks."
    )


class RenditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rendition
        fields = ["name", "kind", "status", "progress", "error", "width", "height", "bitrate"]
        read_only_fields = fields


class AssetSerializer(serializers.ModelSerializer):
    """An uploaded file with its processing state and signed, absolute playback URLs."""

    duration = serializers.FloatField(source="duration_seconds", read_only=True, allow_null=True)
    size = serializers.IntegerField(source="size_bytes", read_only=True)
    renditions = RenditionSerializer(many=True, read_only=True)
    hls_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    waveform_url = serializers.SerializerMethodField()
    original_url = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField(
        help_text="Responsive renditions of the image, or of the video's poster frame."
    )
    downloads = serializers.SerializerMethodField(
        help_text="Progressive files for offline use, best first; empty until ready."
    )

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "kind",
            "purpose",
            "status",
            "error",
            "duration",
            "width",
            "height",
            "size",
            "content_type",
            "original_filename",
            "metadata",
            "renditions",
            "hls_url",
            "poster_url",
            "thumbnail_url",
            "waveform_url",
            "original_url",
            "image",
            "downloads",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _url(self, asset: MediaAsset, relative: str) -> str:
        return signing.playback_url(self.context.get("request"), asset.id, relative)

    def _quality(self) -> str:
        # One viewer per serializer: a list page asks once, not once per URL.
        quality = self.__dict__.get("_request_quality")
        if quality is None:
            quality = self._request_quality = request_quality(self.context.get("request"))
        return quality

    def _ready_names(self, asset: MediaAsset) -> set[str]:
        """The asset's ready renditions (prefetched), read once per asset and serializer."""
        known = self.__dict__.setdefault("_ready_by_asset", {})
        ready = known.get(asset.pk)
        if ready is None:
            ready = known[asset.pk] = {
                r.name for r in asset.renditions.all() if r.status == "ready"
            }
        return ready

    def _derived(self, asset: MediaAsset, name: str, relative: str) -> str | None:
        if not asset.output_prefix:
            return None
        if name != "*" and name not in self._ready_names(asset):
            return None
        # Named by the run: a reprocess gives new URLs, so caches may keep these for good.
        return self._url(asset, layout.versioned_path(asset.output_prefix, relative))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_hls_url(self, asset):
        if asset.status != AssetStatus.READY or asset.kind not in (
            AssetKind.AUDIO,
            AssetKind.VIDEO,
        ):
            return None
        master = profiles.master_for(self._quality())
        return self._derived(asset, "*", master)

    def image_url(self, asset: MediaAsset, role: str) -> str | None:
        """The URL an image field of `role` shows: the JPEG rendition at the role's width,
        or until the renditions exist the original image (the video's still)."""
        url = api_images.default_rendition_url(self.context.get("request"), asset, role)
        if url is not None:
            return url
        if asset.kind == AssetKind.IMAGE:
            return self._url(asset, "original")
        if asset.kind != AssetKind.VIDEO:
            return None
        if role == "thumbnail":
            return self._derived(asset, "thumbnail", profiles.THUMBNAIL)
        return self._derived(asset, "poster", profiles.POSTER)

    def image_object(self, asset: MediaAsset | None, role: str) -> dict | None:
        """The responsive image object of an image field of `role` (cnt/api/images.py)."""
        if asset is None:
            return None
        request = self.context.get("request")
        return api_images.responsive_image(request, asset, role, self.image_url(asset, role))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster_url(self, asset):
        return self.image_url(asset, "poster")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, asset):
        return self.image_url(asset, "thumbnail")

    @api_images.image_field()
    def get_image(self, asset):
        return self.image_object(asset, "image")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_waveform_url(self, asset):
        return self._derived(asset, "waveform", profiles.WAVEFORM)

    @extend_schema_field(serializers.URLField())
    def get_original_url(self, asset):
        return self._url(asset, "original")

    @extend_schema_field(DownloadSerializer(many=True))
    def get_downloads(self, asset, title: str | None = None) -> list[dict]:
        """Also called by the content serializers, with the item's title as the file name."""
        if asset.kind not in (AssetKind.AUDIO, AssetKind.VIDEO):
            return []
        request = self.context.get("request")
        if title is None:
            title = (asset.original_filename or "").rsplit(".", 1)[0]
        return downloads.download_list(asset, request=request, title=title, quality=self._quality())


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file gets the media-specific "empty_file" error
        help_text="The media file (multipart/form-data).",
    )


VIDEO_UPLOAD_PURPOSES = [(p.value, p.label) for p in (AssetPurpose.VIDEO, AssetPurpose.BIBLE_STORY)]
IMAGE_UPLOAD_PURPOSES = [
    (p.value, p.label)
    for p in (
        AssetPurpose.THUMBNAIL,
        AssetPurpose.QUOTE,
        AssetPurpose.MOVIE_POSTER,
        AssetPurpose.PROFILE,
    )
]


class VideoUploadSerializer(UploadSerializer):
    purpose = serializers.ChoiceField(
        choices=VIDEO_UPLOAD_PURPOSES,
        default=AssetPurpose.VIDEO,
        help_text="`bible_story` stores under animated-bible-stories/.",
    )


class ImageUploadSerializer(UploadSerializer):
    purpose = serializers.ChoiceField(
        choices=IMAGE_UPLOAD_PURPOSES,
        default=AssetPurpose.THUMBNAIL,
        help_text="Where the image lives: images/thumbnails, quotes, movies or profiles.",
    )
