"""The API's responsive image objects (covers, thumbnails, posters, avatars, post images).

Every image field has a `<name>_url` (kept for existing clients: a JPEG at the role's
default width, or the original until the renditions exist) and a `<name>_image` object:
a small default WebP `url`, its `width` and `height`, a BlurHash `placeholder` and the
dominant `color` to paint while it loads, and every `renditions` entry (width, type, URL)
for a client to pick from (`srcset`). Built from `MediaAsset.images`, which the media
pipeline writes (media/images.py), without a query; here because accounts, below media,
shows avatars too.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cnt import signing
from cnt.api.serializers import EnumField

WEBP, JPEG = "image/webp", "image/jpeg"
IMAGE_TYPES = [(WEBP, "WebP"), (JPEG, "JPEG")]

# The width of the default URL per kind of field: about what a phone lays it out at.
ROLE_WIDTHS = {"avatar": 160, "thumbnail": 320, "cover": 640, "poster": 640, "image": 640}


class ImageRenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    type = EnumField(IMAGE_TYPES, "ImageTypeEnum", help_text="The file's media type.")
    url = serializers.URLField(help_text="Signed; content-addressed, so cached for good.")


class ResponsiveImageSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="A small default: WebP at about the field's usual display width (the "
        "original until the renditions are made)."
    )
    width = serializers.IntegerField(allow_null=True, help_text="Of the image at `url`.")
    height = serializers.IntegerField(allow_null=True, help_text="Of the image at `url`.")
    placeholder = serializers.CharField(
        allow_null=True, help_text="BlurHash of the picture, to show while it loads."
    )
    color = serializers.RegexField(
        r"^#[0-9a-f]{6}$", allow_null=True, help_text="The picture's dominant colour, as #rrggbb."
    )
    renditions = ImageRenditionSerializer(
        many=True,
        help_text="Every width in WebP and in JPEG (never wider than the original), "
        "narrowest first.",
    )


def image_set(asset) -> dict | None:
    """The published renditions of an image asset, or of a video's poster frame."""
    if asset is None:
        return None
    images = getattr(asset, "images", None) or {}
    return images.get("image") or images.get("poster")


def _pick(renditions: list[dict], content_type: str, width: int) -> dict | None:
    of_type = [r for r in renditions if r["type"] == content_type]
    if not of_type:
        return None
    fitting = [r for r in of_type if r["width"] <= width]
    return (
        max(fitting, key=lambda r: r["width"])
        if fitting
        else min(of_type, key=lambda r: r["width"])
    )


def default_rendition_url(request, asset, role: str, content_type: str = JPEG) -> str | None:
    """The URL of the role's default rendition (JPEG: what any client shows), or None when
    the asset has no renditions yet."""
    described = image_set(asset)
    chosen = _pick(described["renditions"], content_type, ROLE_WIDTHS[role]) if described else None
    return signing.playback_url(request, asset.id, chosen["path"]) if chosen else None


def responsive_image(request, asset, role: str, fallback: str | None = None) -> dict | None:
    """The image object of one field. Without renditions (not made yet, or an asset from
    before them), `fallback` (the URL the field showed so far) stands alone; None if
    there is neither."""
    described = image_set(asset)
    if not described or not described.get("renditions"):
        if fallback is None:
            return None
        is_image = getattr(asset, "kind", None) == "image"
        return {
            "url": fallback,
            "width": asset.width if is_image else None,
            "height": asset.height if is_image else None,
            "placeholder": None,
            "color": None,
            "renditions": [],
        }
    renditions = described["renditions"]
    width = ROLE_WIDTHS[role]
    chosen = _pick(renditions, WEBP, width) or _pick(renditions, JPEG, width)
    return {
        "url": signing.playback_url(request, asset.id, chosen["path"]),
        "width": chosen["width"],
        "height": chosen["height"],
        "placeholder": described.get("placeholder"),
        "color": described.get("color"),
        "renditions": [
            {
                "width": r["width"],
                "height": r["height"],
                "type": r["type"],
                "url": signing.playback_url(request, asset.id, r["path"]),
            }
            for r in renditions
        ],
    }


def image_field(**kwargs):
    """The schema of a `<name>_image` method field."""
    return extend_schema_field(ResponsiveImageSerializer(allow_null=True, **kwargs))
