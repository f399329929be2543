"""ffprobe and FFmpeg, restricted to local files.

FFmpeg follows playlists and `concat:` inside "media" files and can reach the network
(CVE-2016-1897, CVE-2017-9993). Every call here allows only the `file` protocol, names the
input as `file:<absolute path>`, refuses playlist and script demuxers, forces the demuxer
found by the probe, and runs through media/ffexec.py (deadline, limits, drained pipes).

Container headers lie (a FLAC can claim 10 seconds and hold hours), so `measure` reads
every packet's timestamps once, without decoding: the duration limits and every later
deadline use that measured duration, never the header's.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from media import ffexec

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

    def __init__(self, reason: str, code: str = "invalid_media", *, terminal: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.terminal = terminal  # a limit was hit: reading the file again will not help


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
    # What the header claimed, and the frames counted by `measure` (video only).
    declared_duration: float | None = None
    frames: int | None = None
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
            "declared_duration": self.declared_duration,
            "frames": self.frames,
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


def _number(value) -> float | None:
    """A finite number from ffprobe's JSON (tags are free text: "abc", "nan", "1e999")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None and abs(number) < 2**31 else None


def _rotation(stream: dict) -> int:
    """The display rotation, a multiple of 90°; anything else (a tag that is not a number,
    an odd angle) counts as none."""
    values = [side.get("rotation") for side in stream.get("side_data_list") or []]
    values.append((stream.get("tags") or {}).get("rotate"))
    for value in values:
        number = _number(value)
        if number is not None:
            degrees = int(round(abs(number))) % 360
            return degrees if degrees % 90 == 0 else 0
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
        result = ffexec.run(command, name="probe", limits=ffexec.probe_limits(), capture=True)
    except ffexec.FFmpegLimitExceeded as exc:
        raise ProbeError(f"Reading the file failed: {exc.message}", "probe_limit", terminal=True)
    except ffexec.FFmpegError:
        raise ProbeError("The file is not a readable audio or video file.")
    try:
        return json.loads(result.stdout or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
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
    duration = _number(fmt.get("duration")) or 0.0
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
        result.width = _int(stream.get("width"))
        result.height = _int(stream.get("height"))
        result.rotation = _rotation(stream)
        result.fps = _fps(stream.get("avg_frame_rate")) or _fps(stream.get("r_frame_rate"))
        result.video_codec = stream.get("codec_name")
    if audio:
        stream = audio[0]
        result.audio_codec = stream.get("codec_name")
        result.audio_channels = _int(stream.get("channels"))
        result.sample_rate = _int(stream.get("sample_rate"))
    result.declared_duration = result.duration
    return result


@dataclass
class Measured:
    duration: float  # seconds: the last packet's end over every stream, as demuxed
    frames: int | None  # packets of the first video stream


def measure(path: Path, demuxer: str) -> Measured:
    """Read every packet once (stream copy, no decoding) and report how long the media
    really is. Truncated or corrupt files fail here, so they fail at upload."""
    command = [
        settings.FFMPEG_BINARY,
        "-v", "error", "-hide_banner", "-nostdin", "-xerror",
        *input_args(path, demuxer),
        "-map", "0", "-c", "copy", "-f", "null", "-",
        "-progress", "pipe:1", "-nostats",
    ]  # fmt: skip
    try:
        result = ffexec.run(
            command,
            name="measure",
            limits=ffexec.measure_limits(Path(path).stat().st_size),
            capture=True,
        )
    except ffexec.FFmpegLimitExceeded as exc:
        raise ProbeError(f"Checking the file failed: {exc.message}", "probe_limit", terminal=True)
    except ffexec.FFmpegError:
        raise ProbeError("The file is truncated or damaged.", "damaged_media")
    if result.log_text():
        raise ProbeError("The file is truncated or damaged.", "damaged_media")
    report: dict[str, str] = {}
    for line in result.stdout.decode("ascii", "replace").splitlines():
        key, _, value = line.strip().partition("=")
        report[key] = value  # the last progress block wins: the totals
    microseconds = _number(report.get("out_time_us"))
    frames = _int(report.get("frame"))
    return Measured(
        duration=max(microseconds or 0.0, 0.0) / 1_000_000,
        frames=frames if frames and frames > 0 else None,
    )


def probe_measured(path: Path) -> ProbeResult:
    """`probe`, with the duration (and video frame count) measured rather than declared."""
    info = probe(path)
    measured = measure(path, info.demuxer)
    info.duration = measured.duration
    info.frames = measured.frames if info.has_video else None
    return info
