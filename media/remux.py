"""Remux instead of re-encode: a source that already is what the top rung would be
(H.264, 8-bit 4:2:0, within the rung's bitrate cap, keyframes close enough to cut
segments at) is packaged into the top rung with `-c:v copy`, as PeerTube's quick
transcode does; its audio is copied too when it is AAC-LC within limits. The remaining
rungs are encoded in the same process, so the source is still decoded once.

Whether the source qualifies is read from ffprobe: the stream's codec, pixel format,
profile and level, and one pass over the video packets (sizes and keyframe flags, no
decoding) for the real bitrate and the keyframe spacing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from media import ffexec, ffmpeg, profiles
from media.probe import SAFE_INPUT_FLAGS, ProbeResult

# RFC 6381 prefixes (profile_idc and constraint flags) of the H.264 profiles we copy.
H264_PROFILES = {
    "Constrained Baseline": "42E0",
    "Baseline": "4200",
    "Main": "4D40",
    "High": "6400",
}
AAC_CODECS = "mp4a.40.2"
AUDIO_SAMPLE_RATES = {44100, 48000}
# Copied audio may run a little above the rung's own AAC bitrate, never far above it.
AUDIO_HEADROOM = 1.5
PACKET_BYTES = 48  # about one CSV line of the packet scan


@dataclass
class PacketScan:
    """The first video stream, read packet by packet (no decoding)."""

    keyframes: list[float]  # presentation times, in order
    duration: float
    average_bps: int
    peak_bps: int  # the busiest window of one segment length
    starts_with_keyframe: bool

    @property
    def longest_gop(self) -> float:
        """The longest stretch without a keyframe, the stretch after the last one included."""
        points = [*self.keyframes, self.duration]
        return max((b - a for a, b in zip(points, points[1:], strict=False)), default=0.0)


@dataclass
class Decision:
    """What the top rung can take from the source as it is, and why not when it cannot."""

    video: bool = False
    audio: bool = False
    codecs: str = ""  # the copied rung's RFC 6381 codecs
    reasons: list[str] = field(default_factory=list)


def scan_packets(src: Path) -> PacketScan:
    """Sizes, times and keyframe flags of every packet of the first video stream."""
    size = Path(src).stat().st_size
    command = [
        settings.FFPROBE_BINARY, "-v", "error", *SAFE_INPUT_FLAGS,
        "-select_streams", "v:0", "-show_entries", "packet=pts_time,dts_time,size,flags",
        "-of", "csv=p=0", f"file:{Path(src).resolve()}",
    ]  # fmt: skip
    limits = ffexec.measure_limits(size)
    # One line per packet: a generous bound from the bytes (a packet holds at least ~100).
    stdout_cap = max(16 * ffexec.MB, size // 100 * PACKET_BYTES)
    limits = ffexec.Limits(**{**limits.__dict__, "stdout_bytes": stdout_cap})
    result = ffexec.run(command, name="packet scan", limits=limits, capture=True)
    return parse_packets(result.stdout.decode("ascii", "replace"))


def parse_packets(text: str) -> PacketScan:
    times, sizes, keyframes, first_key = [], [], [], None
    for line in text.splitlines():
        parts = line.strip().split(",")
        if len(parts) < 4:
            continue
        pts, dts, size, flags = parts[:4]
        try:
            at = float(pts if pts not in ("", "N/A") else dts)
            length = int(size)
        except ValueError:
            continue
        if first_key is None:
            first_key = "K" in flags
        times.append(at)
        sizes.append(length)
        if "K" in flags:
            keyframes.append(at)
    if not times:
        return PacketScan([], 0.0, 0, 0, False)
    start = min(times)
    # A frame lasts about as long as the average spacing; the last one counts too.
    duration = (max(times) - start) * len(times) / max(len(times) - 1, 1)
    window = settings.MEDIA_HLS_SEGMENT_SECONDS
    buckets: dict[int, int] = {}
    for at, length in zip(times, sizes, strict=True):
        slot = int((at - start) // window)
        buckets[slot] = buckets.get(slot, 0) + length
    return PacketScan(
        keyframes=sorted(k - start for k in keyframes),
        duration=duration,
        average_bps=int(sum(sizes) * 8 / max(duration, 0.001)),
        peak_bps=int(max(buckets.values()) * 8 / window),
        starts_with_keyframe=bool(first_key),
    )


def _video_stream(info: ProbeResult) -> dict:
    streams = (info.raw or {}).get("streams") or []
    return next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not (s.get("disposition") or {}).get("attached_pic")
        ),
        {},
    )


def _audio_stream(info: ProbeResult) -> dict:
    streams = (info.raw or {}).get("streams") or []
    return next((s for s in streams if s.get("codec_type") == "audio"), {})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def decide(info: ProbeResult, top: profiles.VideoProfile, scan: PacketScan | None) -> Decision:
    """Can the top rung copy the source's video (and audio)? `scan` is None when the
    stream failed the cheap checks and was never scanned."""
    decision = Decision()
    stream, reasons = _video_stream(info), decision.reasons
    if not settings.MEDIA_REMUX:
        reasons.append("remuxing is turned off")
    if stream.get("codec_name") != "h264":
        reasons.append("not H.264")
    if stream.get("pix_fmt") not in ("yuv420p", "yuvj420p"):
        reasons.append("not 8-bit 4:2:0")
    bits = _int(stream.get("bits_per_raw_sample"))
    if bits not in (None, 8):
        reasons.append("not 8-bit")
    profile = stream.get("profile")
    if profile not in H264_PROFILES:
        reasons.append(f"H.264 profile {profile!r} is not copied")
    level = _int(stream.get("level"))
    if level is None or level <= 0 or level > round(float(top.h264_level) * 10):
        reasons.append("H.264 level above the rung's")
    if info.rotation:
        reasons.append("rotated (MPEG-TS keeps no display matrix)")
    if info.short_side != top.height:
        reasons.append("not the top rung's size")
    if stream.get("sample_aspect_ratio") not in (None, "1:1", "0:1"):
        reasons.append("non-square pixels")
    if stream.get("field_order") not in (None, "progressive", "unknown"):
        reasons.append("interlaced")
    if scan is not None:
        if not scan.starts_with_keyframe:
            reasons.append("does not start with a keyframe")
        if scan.longest_gop > 2 * settings.MEDIA_HLS_SEGMENT_SECONDS:
            reasons.append(f"keyframes up to {scan.longest_gop:.1f} s apart")
        if scan.average_bps > top.maxrate_kbps * 1000:
            reasons.append("above the rung's bitrate cap")
        if scan.peak_bps > top.bufsize_kbps * 1000:
            reasons.append("peaks above the rung's buffer")
    elif not reasons:
        reasons.append("not scanned")
    decision.video = not reasons
    if decision.video:
        decision.codecs = f"avc1.{H264_PROFILES[profile]}{level:02X}"
        decision.audio = info.has_audio and audio_copyable(info, top)
        if info.has_audio:
            decision.codecs += f",{AAC_CODECS}"
    return decision


def audio_copyable(info: ProbeResult, top: profiles.VideoProfile) -> bool:
    stream = _audio_stream(info)
    bit_rate = _int(stream.get("bit_rate"))
    return (
        stream.get("codec_name") == "aac"
        and stream.get("profile") == "LC"
        and (_int(stream.get("channels")) or 0) in (1, 2)
        and _int(stream.get("sample_rate")) in AUDIO_SAMPLE_RATES
        and bit_rate is not None
        and bit_rate <= top.audio_kbps * 1000 * AUDIO_HEADROOM
    )


def decide_for(src: Path, info: ProbeResult, top: profiles.VideoProfile) -> Decision:
    """`decide`, scanning the packets only when the stream passes the cheap checks."""
    first = decide(info, top, None)
    if first.reasons != ["not scanned"]:
        return first
    return decide(info, top, scan_packets(src))


def copy_output_args(info: ProbeResult, top: profiles.VideoProfile, decision: Decision, target):
    """The copied top rung as one more output of the ladder's process."""
    target.mkdir(parents=True, exist_ok=True)
    args = ["-map", "0:v:0", "-c:v", "copy"]
    if info.has_audio:
        args += ["-map", "0:a:0"]
        args += (
            ["-c:a", "copy"]
            if decision.audio
            else ffmpeg.audio_encode_args(top.audio_kbps, top.audio_channels)
        )
    return [*args, *ffmpeg.hls_output_args(target)]


def ladder_command(
    src: Path,
    info: ProbeResult,
    rungs: list[profiles.VideoProfile],
    out_dir: Path,
    decision: Decision,
) -> list[str]:
    """The ladder's one process, the top rung copied when `decision.video` says so."""
    if not decision.video:
        return ffmpeg.ladder_command(src, info, rungs, out_dir)
    top, rest = rungs[0], rungs[1:]
    command = ffmpeg.ladder_command(src, info, rest, out_dir)
    return [*command, *copy_output_args(info, top, decision, out_dir / top.name)]
