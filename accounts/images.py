"""Profile pictures: checked before decoding, then re-encoded so no metadata survives."""

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from cnt.errors import InvalidInput

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
AVATAR_MAX_SIDE = 1024
JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def _refuse(message: str, code: str):
    return InvalidInput(errors={"file": [message]})  # the body code stays "invalid"


def avatar_prepare(upload) -> PreparedImage:
    """Validate an uploaded image and return it as a metadata-free JPEG of at most 1024 px."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(f"Images are at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", "too_large")
    upload.seek(0)
    try:
        with Image.open(upload, formats=ALLOWED_FORMATS) as image:
            width, height = image.size
            # Image.open reads only the header: refuse huge canvases before any decoding.
            if width * height > MAX_PIXELS:
                raise _refuse("The image has too many pixels.", "too_many_pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _flatten(image)
            image.thumbnail((AVATAR_MAX_SIDE, AVATAR_MAX_SIDE))
            out = BytesIO()
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return PreparedImage(data=out.getvalue(), width=image.width, height=image.height)
    except Image.DecompressionBombError:
        raise _refuse("The image has too many pixels.", "too_many_pixels")
    except UnidentifiedImageError:
        raise _refuse("Upload a JPEG, PNG, WEBP or GIF image.", "unsupported_image")
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse("The image file is damaged.", "invalid_image")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background: JPEG has no alpha channel."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
