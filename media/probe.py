"""ffprobe and FFmpeg, restricted to local files.

FFmpeg follows playlists and `concat:` inside "media" files and can reach the network
(CVE-2016-1897, CVE-2017-9993). Every call here allows only the `file` protocol, names the
input as `file:<absolute path>`, refuses playlist and script demuxers, forces the demuxer
found by the probe, and has a timeout.
"""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

SAFE_INPUT_FLAGS = ["-protocol_whitelist", "file"]

# Demuxers whose "media" can pull in other files or URLs, or that read arbitrary text.
FORBIDDEN_DEMUXERS = {
    "hls",
    "applehttp",
    "concat",
    "ffconcat",
    "dash",
    "image2",
    "tty",
    "lavfi",
    "sdp",
    "rtsp",
    "ffmetadata",
    "subviewer",
    "webvtt",
    "srt",
    "ass",
    "mpl2",
    "jacosub",
    "microdvd",
    "data",
}

AUDIO_DEMUXERS = {"mp3", "aac", "wav", "flac", "ogg", "mov", "matroska", "aiff", "caf", "w64"}
VIDEO_DEMUXERS = {"mov", "matroska", "avi", "mpegts", "flv"}

AUDIO_CODECS = {
    "mp3",
    "aac",
    "flac",
    "vorbis",
    "opus",
    "alac",
    "ac3",
    "eac3",
    "pcm_s16le",
    "pcm_s16be",
    "pcm_s24le",
    "pcm_s24be",
    "pcm_s32le",
    "pcm_f32le",
    "pcm_u8",
}
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "prores"}
COVER_ART_CODECS = {"mjpeg", "png"}


class ProbeError(Exception):
    """The file is not media FFmpeg can read safely; `reason` is safe to show the uploader."""

    def __init__(self, reason: str, code: str = "invalid_media"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass
class ProbeResult:
    demuxer: str
    format_names: list[str]
    duration: float
    bit_rate: int | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    rotation: int = 0
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_channels: int | None = None
    sample_rate: int | None = None
    streams: int = 0
    raw: dict = field(default_factory=dict)

    @property
    def display_size(self) -> tuple[int | None, int | None]:
        """Width and height as shown (phones store portrait video rotated by 90°)."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height

    @property
    def short_side(self) -> int:
        width, height = self.display_size
        return min(width or 0, height or 0)

    def as_metadata(self) -> dict:
        width, height = self.display_size
        return {
            "container": self.demuxer,
            "duration": self.duration,
            "bit_rate": self.bit_rate,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "width": width,
            "height": height,
            "fps": self.fps,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "audio_channels": self.audio_channels,
            "sample_rate": self.sample_rate,
        }


def input_args(path: Path, demuxer: str | None = None) -> list[str]:
    """FFmpeg input options for a local file, with the demuxer forced when known."""
    args = [*SAFE_INPUT_FLAGS]
    if demuxer:
        args += ["-f", demuxer]
    return [*args, "-i", f"file:{Path(path).resolve()}"]


def _fps(rate: str | None) -> float | None:
    if not rate or rate in ("0/0", "0/1"):
        return None
    num, _, den = rate.partition("/")
    try:
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return round(value, 3) if value > 0 else None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(abs(int(float(side["rotation"])))) % 360
    tags = stream.get("tags") or {}
    if "rotate" in tags:
        return int(tags["rotate"]) % 360
    return 0


def run_ffprobe(path: Path) -> dict:
    command = [
        settings.FFPROBE_BINARY,
        "-v",
        "error",
        "-hide_banner",
        *SAFE_INPUT_FLAGS,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        f"file:{Path(path).resolve()}",
    ]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            timeout=settings.MEDIA_PROBE_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ProbeError("Reading the file's media information took too long.", "probe_timeout")
    if result.returncode != 0:
        raise ProbeError("The file is not a readable audio or video file.")
    try:
        return json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        raise ProbeError("The file is not a readable audio or video file.")


def probe(path: Path) -> ProbeResult:
    """Probe a local file and describe it; raises ProbeError for anything unsafe or unreadable."""
    data = run_ffprobe(path)
    fmt = data.get("format") or {}
    format_names = [name for name in (fmt.get("format_name") or "").split(",") if name]
    if not format_names:
        raise ProbeError("The file is not a readable audio or video file.")
    if FORBIDDEN_DEMUXERS.intersection(format_names):
        raise ProbeError("Playlists, scripts and image sequences are not accepted as media.")
    streams = data.get("streams") or []
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    try:
        duration = float(fmt.get("duration") or 0)
    except ValueError:
        duration = 0.0
    result = ProbeResult(
        demuxer=format_names[0],
        format_names=format_names,
        duration=duration,
        bit_rate=int(fmt["bit_rate"]) if str(fmt.get("bit_rate", "")).isdigit() else None,
        has_video=bool(video),
        has_audio=bool(audio),
        streams=len(streams),
        raw=data,
    )
    if video:
        stream = video[0]
        result.width = stream.get("width")
        result.height = stream.get("height")
        result.rotation = _rotation(stream)
        result.fps = _fps(stream.get("avg_frame_rate")) or _fps(stream.get("r_frame_rate"))
        result.video_codec = stream.get("codec_name")
    if audio:
        stream = audio[0]
        result.audio_codec = stream.get("codec_name")
        result.audio_channels = stream.get("channels")
        result.sample_rate = int(stream["sample_rate"]) if stream.get("sample_rate") else None
    return result


def verify_demux(path: Path, demuxer: str) -> None:
    """Read every packet once (no decoding) so truncated or corrupt files fail at upload."""
    command = [
        settings.FFMPEG_BINARY,
        "-v",
        "error",
        "-hide_banner",
        "-nostdin",
        "-xerror",
        *input_args(path, demuxer),
        "-map",
        "0",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
    ]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            timeout=settings.MEDIA_PROBE_TIMEOUT_SECONDS * 4,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ProbeError("Checking the file took too long.", "probe_timeout")
    errors = result.stderr.decode("utf-8", "replace").strip()
    if result.returncode != 0 or errors:
        raise ProbeError("The file is truncated or damaged.", "damaged_media")
