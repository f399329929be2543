"""Responsive images: one Pillow pipeline turns an image (an uploaded cover, thumbnail, poster
or avatar, or a video's poster frame) into renditions at several widths in WebP and JPEG,
never upscaled, plus a placeholder (a BlurHash and the dominant colour).

The result is described by a plain dict (`ImageSet.as_metadata()`), stored in the asset's
`metadata["images"][role]`; cnt/api/images.py turns it into the API's image objects without a
query. Decoding follows the upload checks of media/validation.py: allowed formats only, the
pixel count refused from the header before any decoding, decompression bombs refused.
"""

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import blurhash
import PIL
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Bumped when the encoding changes, so every content-addressed rendition URL changes with it.
PIPELINE_VERSION = "1"
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
WEBP = ("webp", "image/webp", "WEBP")
JPEG = ("jpg", "image/jpeg", "JPEG")
WEBP_QUALITY = 80
JPEG_QUALITY = 82
PLACEHOLDER_SIDE = 64  # BlurHash is computed on a tiny copy: its cost grows with pixels


class ImageUnusable(Exception):
    """The file cannot be rendered (damaged, not an allowed image, too many pixels). Terminal:
    retrying gives the same answer."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    content_type: str
    path: str  # relative to the asset's output prefix
    size_bytes: int

    def as_metadata(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "type": self.content_type,
            "path": self.path,
            "size": self.size_bytes,
        }


@dataclass
class ImageSet:
    width: int
    height: int
    blurhash: str
    color: str
    variants: list[Variant] = field(default_factory=list)

    def as_metadata(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "placeholder": self.blurhash,
            "color": self.color,
            "renditions": [v.as_metadata() for v in self.variants],
        }


def widths() -> tuple[int, ...]:
    return tuple(sorted({int(w) for w in settings.MEDIA_IMAGE_WIDTHS if int(w) > 0}))


def widths_for(source_width: int) -> list[int]:
    """The configured widths below the source's, plus the source's own when it is smaller
    than the largest configured one (so the sharpest copy is there); never wider."""
    configured = widths()
    chosen = [w for w in configured if w <= source_width]
    if source_width < configured[-1] and source_width not in chosen:
        chosen.append(source_width)
    return chosen


def content_version(checksum: str) -> str:
    """A version id for the renditions of one original: the same bytes with the same settings
    and encoder give the same id (and so the same URLs); anything else a new one."""
    recipe = ":".join(
        [
            PIPELINE_VERSION,
            PIL.__version__,
            ",".join(map(str, widths())),
            f"{WEBP_QUALITY}/{JPEG_QUALITY}",
            checksum,
        ]
    )
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def _open(path: Path, largest: int | None) -> tuple[Image.Image, tuple[int, int]]:
    """The decoded picture (a JPEG at a reduced scale when that is enough for `largest`)
    and the original's size, upright."""
    limit = settings.MEDIA_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=sorted(FORMATS))
            width, height = image.size
            if width < 1 or height < 1 or width * height > limit:
                raise ImageUnusable(f"the image has {width}x{height} pixels (limit {limit})")
            if image.format == "JPEG" and largest:
                # Decode at a reduced DCT scale still at least as large as the biggest rung.
                image.draft("RGB", (largest, max(1, round(height * largest / width))))
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.size != image.size and upright.size[::-1] == image.size:
                width, height = height, width  # rotated by its EXIF orientation
            return upright, (width, height)
    except ImageUnusable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageUnusable(f"decompression bomb: {exc}")
    except UnidentifiedImageError:
        raise ImageUnusable("not a JPEG, PNG, WebP or GIF image")
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageUnusable(f"damaged image: {exc.__class__.__name__}")


def _normalised(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white for JPEG, which has no alpha channel."""
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _placeholder(image: Image.Image) -> tuple[str, str]:
    small = _flatten(image.copy())
    small.thumbnail((PLACEHOLDER_SIDE, PLACEHOLDER_SIDE), Image.Resampling.BOX)
    wide = small.width >= small.height
    with warnings.catch_warnings():
        # blurhash-python reads pixels with Image.getdata, deprecated in Pillow 13 (pinned).
        warnings.simplefilter("ignore", DeprecationWarning)
        code = blurhash.encode(
            small.copy(), x_components=4 if wide else 3, y_components=3 if wide else 4
        )
    # The most frequent of a few representative colours: what the picture mostly looks like.
    palette = small.quantize(colors=5, method=Image.Quantize.MEDIANCUT)
    count, index = max(palette.getcolors())
    red, green, blue = palette.getpalette()[index * 3 : index * 3 + 3]
    return code, f"#{red:02x}{green:02x}{blue:02x}"


def _scaled_size(width: int, height: int, target: int) -> tuple[int, int]:
    return target, max(1, round(height * target / width))


def render(src: Path, out_dir: Path, relative_dir: str) -> ImageSet:
    """Write the renditions of `src` into `out_dir` (named w<width>.webp / .jpg) and describe
    them with paths under `relative_dir`. Raises ImageUnusable for a file that cannot be used."""
    image, (source_width, source_height) = _open(src, largest=widths()[-1])
    try:
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # an animated GIF's first frame stands for it
        image = _normalised(image)
        out_dir.mkdir(parents=True, exist_ok=True)
        code, color = _placeholder(image)
        result = ImageSet(width=source_width, height=source_height, blurhash=code, color=color)
        for target in sorted(widths_for(min(image.width, source_width)), reverse=True):
            size = _scaled_size(image.width, image.height, target)
            scaled = (
                image
                if size == image.size
                else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            )
            for extension, content_type, pil_format in (WEBP, JPEG):
                name = f"w{target}.{extension}"
                path = out_dir / name
                if pil_format == "WEBP":
                    scaled.save(path, format="WEBP", quality=WEBP_QUALITY, method=4)
                else:
                    _flatten(scaled).save(
                        path, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
                    )
                result.variants.append(
                    Variant(
                        width=size[0],
                        height=size[1],
                        content_type=content_type,
                        path=f"{relative_dir}/{name}",
                        size_bytes=path.stat().st_size,
                    )
                )
        result.variants.sort(key=lambda v: (v.width, v.content_type))
        return result
    except (OSError, ValueError) as exc:
        raise ImageUnusable(f"could not render: {exc.__class__.__name__}")
