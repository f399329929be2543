"""Validate uploads by content, never by name: ffprobe for audio/video, Pillow for images,
pypdf for documents. Images are re-encoded (metadata stripped) before they are stored."""

import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cnt.errors import InvalidInput, PayloadTooLarge
from media import probe as ffprobe
from media.models import AssetKind

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

AUDIO_EXTENSIONS = {
    "mp3": ("mp3", "audio/mpeg"),
    "aac": ("aac", "audio/aac"),
    "wav": ("wav", "audio/wav"),
    "flac": ("flac", "audio/flac"),
    "ogg": ("ogg", "audio/ogg"),
    "mov": ("m4a", "audio/mp4"),
    "matroska": ("mka", "audio/x-matroska"),
    "aiff": ("aiff", "audio/aiff"),
    "caf": ("caf", "audio/x-caf"),
    "w64": ("w64", "audio/x-w64"),
}
VIDEO_EXTENSIONS = {
    "mov": ("mp4", "video/mp4"),
    "matroska": ("mkv", "video/x-matroska"),
    "avi": ("avi", "video/x-msvideo"),
    "mpegts": ("ts", "video/mp2t"),
    "flv": ("flv", "video/x-flv"),
}


class MediaRejected(InvalidInput):
    """An upload that is not acceptable media; nothing is stored."""

    default_code = "invalid_media"
    default_detail = _("The file is not acceptable.")


class MediaTooLarge(PayloadTooLarge, MediaRejected):
    """A file past the size allowed for its kind."""

    default_code = "file_too_large"


@dataclass
class ValidatedMedia:
    kind: str
    path: Path  # the file to store (a re-encoded copy for images)
    extension: str
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    metadata: dict = field(default_factory=dict)
    cleanup: list[Path] = field(default_factory=list)


def check_size(kind: str, size: int) -> None:
    if size <= 0:
        raise MediaRejected("The file is empty.", "empty_file")
    limit = settings.MEDIA_MAX_UPLOAD_BYTES[kind]
    if size > limit:
        raise MediaTooLarge(
            f"The file is larger than the {limit // (1024 * 1024)} MB allowed for {kind}."
        )


def _hours(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _sniff_text(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip().lower()
    if head.startswith((b"#extm3u", b"ffconcat", b"<", b"file ", b"concat:", b"#!")):
        raise MediaRejected(
            "Playlists, scripts and markup are not accepted as media.", "invalid_media"
        )


def validate_av(kind: str, path: Path) -> ValidatedMedia:
    _sniff_text(path)
    try:
        info = ffprobe.probe(path)
    except ffprobe.ProbeError as exc:
        raise MediaRejected(exc.reason, exc.code)
    expected = "an audio" if kind == AssetKind.AUDIO else "a video"
    if kind == AssetKind.AUDIO:
        if not info.has_audio or info.has_video:
            raise MediaRejected(f"The file is not {expected} file.", "wrong_media_type")
        if info.demuxer not in AUDIO_EXTENSIONS or info.audio_codec not in ffprobe.AUDIO_CODECS:
            raise MediaRejected(
                f"Unsupported audio format ({info.demuxer}/{info.audio_codec}).",
                "unsupported_format",
            )
        extension, content_type = AUDIO_EXTENSIONS[info.demuxer]
    else:
        if not info.has_video:
            raise MediaRejected(f"The file is not {expected} file.", "wrong_media_type")
        if info.demuxer not in VIDEO_EXTENSIONS or info.video_codec not in ffprobe.VIDEO_CODECS:
            raise MediaRejected(
                f"Unsupported video format ({info.demuxer}/{info.video_codec}).",
                "unsupported_format",
            )
        if info.has_audio and info.audio_codec not in ffprobe.AUDIO_CODECS:
            raise MediaRejected(
                f"Unsupported audio codec ({info.audio_codec}).", "unsupported_format"
            )
        width, height = info.display_size
        limit = settings.MEDIA_MAX_VIDEO_DIMENSION
        if not width or not height or width < 16 or height < 16:
            raise MediaRejected("The video has no usable picture size.", "invalid_dimensions")
        if width > limit or height > limit:
            raise MediaRejected(
                f"The video is larger than {limit}×{limit} pixels.", "invalid_dimensions"
            )
        extension, content_type = VIDEO_EXTENSIONS[info.demuxer]
    if info.streams > 16:
        raise MediaRejected("The file has too many streams.", "too_many_streams")
    try:
        measured = ffprobe.measure(path, info.demuxer)
    except ffprobe.ProbeError as exc:
        raise MediaRejected(exc.reason, exc.code)
    # The header's duration is a claim; the limits apply to what the packets hold.
    info.duration = measured.duration
    info.frames = measured.frames if info.has_video else None
    if not info.duration or info.duration <= 0.05:
        raise MediaRejected("The file has no playable duration.", "invalid_duration")
    if info.duration > settings.MEDIA_MAX_DURATION_SECONDS:
        raise MediaRejected(
            f"The file is longer than {_hours(settings.MEDIA_MAX_DURATION_SECONDS)}.",
            "invalid_duration",
        )
    if info.frames and info.frames > settings.MEDIA_MAX_VIDEO_FPS * info.duration + 10:
        raise MediaRejected(
            f"The video has more than {settings.MEDIA_MAX_VIDEO_FPS} frames per second.",
            "invalid_frame_rate",
        )
    width, height = info.display_size
    return ValidatedMedia(
        kind=kind,
        path=path,
        extension=extension,
        content_type=content_type,
        duration=info.duration,
        width=width,
        height=height,
        metadata=info.as_metadata(),
    )


def validate_image(path: Path) -> ValidatedMedia:
    """Check format and pixel count from the header, then decode and re-encode."""
    limit = settings.MEDIA_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            if image.format not in IMAGE_FORMATS:
                raise MediaRejected("Images must be JPEG, PNG, WebP or GIF.", "unsupported_format")
            width, height = image.size
            if width < 1 or height < 1 or width * height > limit:
                raise MediaRejected(
                    f"The image has more than {limit} pixels.", "invalid_dimensions"
                )
            image.load()
            image = ImageOps.exif_transpose(image)
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRejected(f"The image has more than {limit} pixels.", "invalid_dimensions")
    except UnidentifiedImageError:
        raise MediaRejected("The file is not a supported image.", "unsupported_format")
    except (OSError, ValueError, SyntaxError):
        raise MediaRejected("The image is truncated or damaged.", "damaged_media")

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept past this scope
        delete=False, suffix=".png" if has_alpha else ".jpg", dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    target = Path(handle.name)
    with handle:
        if has_alpha:
            image.convert("RGBA").save(handle, format="PNG", optimize=True)
            extension, content_type = "png", "image/png"
        else:
            image.convert("RGB").save(handle, format="JPEG", quality=88, optimize=True)
            extension, content_type = "jpg", "image/jpeg"
    return ValidatedMedia(
        kind=AssetKind.IMAGE,
        path=target,
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
        metadata={"width": image.width, "height": image.height, "source_format": image.format},
        cleanup=[target],
    )


def validate_document(path: Path) -> ValidatedMedia:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF-"):
            raise MediaRejected("Documents must be PDF files.", "unsupported_format")
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            raise MediaRejected("Encrypted PDFs are not accepted.", "encrypted_document")
        pages = len(reader.pages)
        title = (reader.metadata.title if reader.metadata else None) or ""
    except MediaRejected:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, RecursionError):
        raise MediaRejected("The PDF is damaged or unreadable.", "damaged_media")
    if pages < 1:
        raise MediaRejected("The PDF has no pages.", "damaged_media")
    if pages > settings.MEDIA_MAX_DOCUMENT_PAGES:
        raise MediaRejected("The PDF has too many pages.", "too_many_pages")
    return ValidatedMedia(
        kind=AssetKind.DOCUMENT,
        path=path,
        extension="pdf",
        content_type="application/pdf",
        metadata={"page_count": pages, "title": str(title)[:200]},
    )


def validate(kind: str, path: Path) -> ValidatedMedia:
    """Validate a local file as `kind`; raises MediaRejected with a clear reason."""
    path = Path(path)
    check_size(kind, path.stat().st_size)
    if kind in (AssetKind.AUDIO, AssetKind.VIDEO):
        return validate_av(kind, path)
    if kind == AssetKind.IMAGE:
        return validate_image(path)
    return validate_document(path)
