"""Real sample media made locally with FFmpeg and Pillow: demo data and test fixtures.

Nothing is downloaded; every file is generated from FFmpeg's lavfi sources.
"""

import io
import shutil
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw

from media import ffexec


def ffmpeg_available() -> bool:
    return shutil.which(settings.FFMPEG_BINARY) is not None


def _ffmpeg(args: list[str], target: Path) -> Path:
    command = [
        settings.FFMPEG_BINARY,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        *args,
        str(target),
    ]
    ffexec.run(command, name="sample", limits=ffexec.limits(deadline=120, output_bytes=1024**3))
    return target


def make_tone(target: Path, *, seconds: float = 3.0, frequency: int = 440) -> Path:
    """A sine tone as MP3 (or any container the suffix names)."""
    return _ffmpeg(
        ["-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}", "-ac", "2"],
        target,
    )


def make_video(
    target: Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    tone: int = 330,
    keyframe_seconds: float | None = None,
    video_kbps: int | None = None,
    audio_kbps: int | None = None,
) -> Path:
    """A test-pattern H.264/AAC MP4 with a tone; with `keyframe_seconds` a keyframe every
    so often (else x264's default), with `video_kbps` a capped bitrate (else CRF)."""
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if keyframe_seconds:
        gop = str(max(1, round(25 * keyframe_seconds)))
        video += ["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"]
    if video_kbps:
        video += ["-b:v", f"{video_kbps}k", "-maxrate", f"{video_kbps}k",
                  "-bufsize", f"{video_kbps}k"]  # fmt: skip
    audio = ["-c:a", "aac"] + (["-b:a", f"{audio_kbps}k"] if audio_kbps else [])
    return _ffmpeg(
        [
            "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency={tone}:duration={seconds}",
            *video, *audio, "-shortest", "-movflags", "+faststart",
        ],
        target,
    )  # fmt: skip


def make_image_bytes(
    text: str, *, size: tuple[int, int] = (640, 360), color=(38, 70, 120), fmt: str = "JPEG"
) -> bytes:
    """A flat image with a caption, encoded as JPEG/PNG/PDF bytes."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    draw.rectangle([16, 16, size[0] - 16, size[1] - 16], outline=(255, 255, 255), width=4)
    draw.text((32, size[1] // 2 - 8), text[:60], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
