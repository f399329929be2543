"""HLS playlists and waveform peaks: measured from the files the pipeline produced."""

import json
from array import array
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings

from media import ffexec, profiles
from media.ffexec import FFmpegError


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
    command = [
        settings.FFPROBE_BINARY, "-v", "error", "-protocol_whitelist", "file",
        "-select_streams", "v:0", "-show_entries", "stream=width,height",
        "-of", "json", f"file:{segment.resolve()}",
    ]  # fmt: skip
    result = ffexec.run(command, name="segment probe", limits=ffexec.probe_limits(), capture=True)
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


class _PeakReader:
    """Reduces streamed 16-bit PCM to one peak per 10 ms as FFmpeg writes it."""

    def __init__(self):
        self.block = max(1, profiles.WAVEFORM_SAMPLE_RATE // 100)  # 10 ms of samples
        self.fine = array("H")
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        usable = len(data) - len(data) % (self.block * 2)
        samples, self.carry = array("h", data[:usable]), data[usable:]
        for start in range(0, len(samples), self.block):
            part = samples[start : start + self.block]
            self.fine.append(min(32767, max(max(part), -min(part))))

    def finish(self) -> array:
        samples = array("h", self.carry[: len(self.carry) - len(self.carry) % 2])
        if samples:
            self.fine.append(min(32767, max(max(samples), -min(samples))))
        self.carry = b""
        return self.fine


def waveform_peaks(command: list[str], duration: float, count: int) -> dict:
    """Decode to 8 kHz mono PCM (streamed) and reduce to `count` peaks in 0..1.

    `duration` is the measured one: PCM past it (plus a margin) stops the run."""
    reader = _PeakReader()
    expected = int((duration * 1.05 + 5) * profiles.WAVEFORM_SAMPLE_RATE * 2)
    limits = replace(ffexec.work_limits(duration), stdout_bytes=expected)
    ffexec.run(command, name="waveform", limits=limits, on_stdout=reader.feed)
    fine = reader.finish()
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


def _bandwidth(stream_inf: str) -> int:
    for attribute in stream_inf.split(":", 1)[-1].split(","):
        key, _, value = attribute.partition("=")
        if key == "BANDWIDTH" and value.isdigit():
            return int(value)
    return 0


def master_for_quality(master: str, quality: str | None) -> str:
    """The master playlist cut down to the tiers a quality preference plays (see
    profiles.QUALITY_TIERS). A master made before a tier existed keeps its lowest variant
    for data-saver and every variant for high, so each preference always plays."""
    tiers = profiles.QUALITY_TIERS.get(quality or profiles.AUTO)
    if not tiers:
        return master
    head, variants, pending = [], [], None
    for line in master.splitlines():
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = line
        elif pending is not None and line and not line.startswith("#"):
            variants.append((pending, line))
            pending = None
        elif pending is None:
            head.append(line)
    kept = [v for v in variants if profiles.tier_of(v[1].split("/", 1)[0]) in tiers]
    if not kept and variants:
        if profiles.DATA_SAVER in tiers:
            kept = [min(variants, key=lambda v: _bandwidth(v[0]))]
        else:
            kept = variants
    lines = [*head]
    for stream_inf, uri in kept:
        lines += [stream_inf, uri]
    return "\n".join(line for line in lines if line) + "\n"
