"""Offline downloads: one progressive file per useful quality (MP4 for video, M4A for
audio), made by the pipeline and listed by the API with its exact size and duration.

The files are made in the pipeline, right after the HLS rungs, by remuxing a rung's
segments (`-c copy`, no second encode) into a faststart MP4: the API can then state each
file's exact byte size and duration before anyone starts a download, every byte is
served from storage with Range (local files) or by a redirect to S3 (which does Range
itself), and nothing is transcoded on the request path. The cost is storage: the chosen
rungs are held twice, once as segments and once as a file.

Which rungs become downloads is data in media/profiles.py (DownloadChoice).
"""

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from cnt import signing
from media import ffexec, ffmpeg, hls, profiles, storage
from media.models import AssetStatus, MediaAsset, RenditionKind, RenditionStatus
from media.probe import input_args

# The path a download is requested at: the rung's file, then the file name to save it as.
URL_PATH = re.compile(
    rf"^{profiles.DOWNLOADS_DIR}/(?P<rung>[a-z0-9_]+)/(?P<name>[a-z0-9][a-z0-9-]{{0,99}})"
    r"\.(?P<extension>mp4|m4a)$"
)
TITLE_SLUG_LENGTH = 60


@dataclass(frozen=True)
class Made:
    path: Path
    size_bytes: int
    duration: float
    width: int | None
    height: int | None

    @property
    def bitrate(self) -> int:
        return int(self.size_bytes * 8 / max(self.duration, 0.001))


def remux_command(source_ts: Path, target: Path) -> list[str]:
    """Copy a rung's streams into a faststart MP4 (M4A for audio): no decoding."""
    muxer = "ipod" if target.suffix == ".m4a" else "mp4"
    return [
        *ffmpeg.base_command(), *input_args(source_ts, "mpegts"),
        "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-bsf:a", "aac_adtstoasc",
        "-movflags", "+faststart", "-f", muxer, str(target),
    ]  # fmt: skip


def remux(variant_dir: Path, target: Path, *, duration: float) -> Made:
    """The rung's segments, joined (MPEG-TS segments of one encode concatenate into one
    valid stream) and remuxed into `target`; its size and duration as stored."""
    entries = hls.parse_media_playlist(variant_dir / "index.m3u8")
    if not entries:
        raise ffmpeg.FFmpegError(f"No segments to make a download of {variant_dir.name}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    joined = target.with_suffix(".ts")
    try:
        with joined.open("wb") as out:
            for _, uri in entries:
                with (variant_dir / uri).open("rb") as segment:
                    shutil.copyfileobj(segment, out, 1024 * 1024)
        ffmpeg.run_simple(remux_command(joined, target), "download", duration=duration)
    finally:
        joined.unlink(missing_ok=True)
    return _measure(target)


def _measure(path: Path) -> Made:
    command = [
        settings.FFPROBE_BINARY, "-v", "error", "-protocol_whitelist", "file",
        "-show_entries", "format=duration:stream=codec_type,width,height",
        "-of", "json", f"file:{path.resolve()}",
    ]  # fmt: skip
    result = ffexec.run(command, name="download probe", limits=ffexec.probe_limits(), capture=True)
    data = json.loads(result.stdout or b"{}")
    video = next((s for s in data.get("streams", ()) if s.get("codec_type") == "video"), {})
    return Made(
        path=path,
        size_bytes=path.stat().st_size,
        duration=round(float(data.get("format", {}).get("duration") or 0), 3),
        width=video.get("width"),
        height=video.get("height"),
    )


def make(run, choices: list[profiles.DownloadChoice], *, duration: float) -> None:
    """The pipeline's step (`run` is a media.pipeline.Run): each missing download remuxed
    from its rung, from this run's local segments or else fetched back from storage."""
    ready = set(
        run.asset.renditions.filter(status=RenditionStatus.READY).values_list("name", flat=True)
    )
    for choice in choices:
        if choice.rendition in ready and run.stored(choice.path):
            continue
        local = run.workdir / profiles.HLS_DIR / choice.rung
        if not (local / "index.m3u8").exists():
            run.fetch_dir(f"{profiles.HLS_DIR}/{choice.rung}", local)
        made = remux(local, run.workdir / choice.path, duration=duration)
        storage.put_file(f"{run.prefix}/{choice.path}", made.path)
        run.mark_ready(
            choice.rendition,
            choice.path,
            width=made.width,
            height=made.height,
            bitrate=made.bitrate,
            size_bytes=made.size_bytes,
            duration_seconds=made.duration,
        )
        run.heartbeat()


# --- the API's list ------------------------------------------------------------------------


def file_name(title: str, label: str, extension: str) -> str:
    """A clean name to save the file as: ASCII letters, digits and hyphens ("Psalm 23 —
    Sunday" at 720p is psalm-23-sunday-720p.mp4)."""
    slug = slugify(title or "").replace("_", "-")[:TITLE_SLUG_LENGTH].strip("-") or "media"
    return f"{slug}-{slugify(label)}.{extension}"


def _label(rendition) -> str:
    rung = Path(rendition.path).stem
    if rendition.path.endswith(".mp4"):
        return rung  # named by the short side, as the rungs are (portrait video too)
    profile = next((p for p in profiles.AUDIO_LADDER if p.name == rung), None)
    kbps = profile.audio_kbps if profile else round((rendition.bitrate or 0) / 1000)
    return f"{kbps}k"


def download_list(asset: MediaAsset, *, request, title: str, quality: str) -> list[dict]:
    """The asset's ready downloads, best first, from its prefetched renditions (no query);
    the one the listener's quality preference picks is marked `is_default`."""
    if asset.status != AssetStatus.READY or not asset.output_prefix:
        return []
    order = {q: i for i, q in enumerate(profiles.DOWNLOAD_QUALITIES)}
    found = {}
    for rendition in asset.renditions.all():
        if rendition.kind != RenditionKind.DOWNLOAD or rendition.status != RenditionStatus.READY:
            continue
        name = rendition.name.removeprefix("download_")
        if name in order:
            found[name] = rendition
    orders = profiles.DEFAULT_DOWNLOAD_ORDER
    preference = orders.get(quality, orders[profiles.AUTO])
    default = next((q for q in preference if q in found), None)
    items = []
    for name in sorted(found, key=order.__getitem__):
        rendition = found[name]
        label = _label(rendition)
        rung, extension = Path(rendition.path).stem, rendition.path.rsplit(".", 1)[-1]
        filename = file_name(title, label, extension)
        url_path = f"{profiles.DOWNLOADS_DIR}/{rung}/{filename}"
        items.append(
            {
                "quality": name,
                "label": label,
                "url": signing.playback_url(request, asset.id, url_path),
                "filename": filename,
                "content_type": "video/mp4" if extension == "mp4" else "audio/mp4",
                "size": rendition.size_bytes,
                "duration": rendition.duration_seconds,
                "width": rendition.width,
                "height": rendition.height,
                "bitrate": rendition.bitrate,
                "is_default": name == default,
            }
        )
    return items


def resolve(path: str) -> tuple[str, str, str] | None:
    """(stored path under the output prefix, content type, file name) of a download URL
    path, or None when it is not one."""
    match = URL_PATH.match(path)
    if match is None:
        return None
    extension = match["extension"]
    stored = f"{profiles.DOWNLOADS_DIR}/{match['rung']}.{extension}"
    content_type = "video/mp4" if extension == "mp4" else "audio/mp4"
    return stored, content_type, f"{match['name']}.{extension}"
