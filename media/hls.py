"""HLS playlists and waveform peaks: measured from the files the pipeline produced."""

import json
import subprocess
from array import array
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from media import profiles
from media.ffmpeg import FFmpegError, _die_with_parent


@dataclass
class VariantStats:
    name: str
    segments: int
    duration: float
    size_bytes: int
    peak_bps: int
    average_bps: int
    width: int | None = None
    height: int | None = None


def parse_media_playlist(path: Path) -> list[tuple[float, str]]:
    """[(duration, uri)] of a media playlist."""
    entries, pending = [], None
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("#EXTINF:"):
            pending = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            entries.append((pending, line))
            pending = None
    return entries


def variant_stats(variant_dir: Path) -> VariantStats:
    entries = parse_media_playlist(variant_dir / "index.m3u8")
    if not entries:
        raise FFmpegError(f"FFmpeg wrote no segments for {variant_dir.name}.")
    sizes = [(variant_dir / uri).stat().st_size for _, uri in entries]
    duration = sum(d for d, _ in entries)
    peak = max(int(size * 8 / max(d, 0.5)) for (d, _), size in zip(entries, sizes, strict=True))
    width, height = _segment_size(variant_dir / entries[0][1])
    return VariantStats(
        name=variant_dir.name,
        segments=len(entries),
        duration=duration,
        size_bytes=sum(sizes),
        peak_bps=peak,
        average_bps=int(sum(sizes) * 8 / max(duration, 0.001)),
        width=width,
        height=height,
    )


def _segment_size(segment: Path) -> tuple[int | None, int | None]:
    result = subprocess.run(
        [
            settings.FFPROBE_BINARY, "-v", "error", "-protocol_whitelist", "file",
            "-select_streams", "v:0", "-show_entries", "stream=width,height",
            "-of", "json", f"file:{segment.resolve()}",
        ],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    streams = json.loads(result.stdout or b"{}").get("streams") or []
    if not streams:
        return None, None
    return streams[0].get("width"), streams[0].get("height")


def master_playlist(variants: list[tuple[VariantStats, str]], fps: float | None = None) -> str:
    """A master playlist listing variants (best first) by relative URI."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for stats, codecs in sorted(variants, key=lambda v: v[0].peak_bps, reverse=True):
        attributes = [f"BANDWIDTH={stats.peak_bps}", f"AVERAGE-BANDWIDTH={stats.average_bps}"]
        if stats.width and stats.height:
            attributes.append(f"RESOLUTION={stats.width}x{stats.height}")
            if fps:
                attributes.append(f"FRAME-RATE={fps:.3f}")
        attributes.append(f'CODECS="{codecs}"')
        lines += [f"#EXT-X-STREAM-INF:{','.join(attributes)}", f"{stats.name}/index.m3u8"]
    return "\n".join(lines) + "\n"


def waveform_peaks(command: list[str], duration: float, count: int) -> dict:
    """Decode to 8 kHz mono PCM (streamed) and reduce to `count` peaks in 0..1."""
    block = max(1, profiles.WAVEFORM_SAMPLE_RATE // 100)  # 10 ms of samples
    fine = array("H")
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )
    try:
        carry = b""
        while chunk := process.stdout.read(block * 2 * 512):
            data = carry + chunk
            usable = len(data) - len(data) % (block * 2)
            samples, carry = array("h", data[:usable]), data[usable:]
            for start in range(0, len(samples), block):
                part = samples[start : start + block]
                fine.append(min(32767, max(max(part), -min(part))))
        if carry:
            samples = array("h", carry[: len(carry) - len(carry) % 2])
            if samples:
                fine.append(min(32767, max(max(samples), -min(samples))))
        stderr = process.stderr.read()
        if process.wait() != 0:
            text = stderr[-1000:].decode("utf-8", "replace").strip()
            raise FFmpegError(f"FFmpeg failed (waveform): {text}", process.returncode)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    peaks = []
    total = len(fine)
    for i in range(count):
        start = i * total // count
        end = max(start + 1, (i + 1) * total // count)
        window = fine[start:end] if start < total else array("H", [0])
        peaks.append(round(max(window) / 32767, 4))
    return {
        "version": 1,
        "length": count,
        "duration": round(duration, 3),
        "sample_rate": profiles.WAVEFORM_SAMPLE_RATE,
        "peaks": peaks,
    }
