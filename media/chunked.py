"""Long videos in parallel: cut at keyframes, encode the chunks on many workers (a Celery
chord), stitch the rung playlists from the chunks' segments without a second encode.

The run that claimed the asset makes one pass over the source (no video decoding): the
video is stream-copied into chunks of about MEDIA_CHUNK_SECONDS, each starting at a
keyframe; the audio is encoded once for the whole file (one AAC track per bitrate the
rungs use) and travels in the same chunk files, so each chunk carries exactly the AAC
packets of its stretch; a top rung that can be copied from the source (media/remux.py) is
packaged in the same pass. Each chunk task encodes the video of its chunk into every rung
and copies that chunk's audio packets, shifting its timestamps back onto the source's
timeline: the rung playlists are the chunks' segments in order, with continuous
timestamps, and the audio is one unbroken encode, so no join has a gap or a priming
silence. A rotated source is not chunked (MPEG-TS keeps no display matrix).

Stored results make a dying worker cost one chunk: the plan and the chunk sources are
stored before the chord is sent, each chunk stores its segments and then its manifest,
and a chunk whose manifest exists is not encoded again. A rerun of the asset (a
redelivered or retried processing task) sends a chord of the missing chunks only.
"""

import json
import logging
import math
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from django.conf import settings

from media import downloads, ffexec, ffmpeg, hls, layout, profiles, remux, storage
from media.jobs import RetryLater, backoff_seconds
from media.models import AssetStatus, MediaAsset
from media.probe import ProbeResult, input_args

logger = logging.getLogger("cnt.media.chunked")

PLAN = "chunks/plan.json"
SOURCES = "chunks/src"
DONE = "chunks/done"
CHUNK_FORMAT = "mpegts"


def wanted(info: ProbeResult) -> bool:
    """Is this video long enough to be encoded in chunks?"""
    return (
        info.has_video
        and not info.rotation
        and settings.MEDIA_CHUNK_SECONDS > 0
        and info.duration >= settings.MEDIA_PARALLEL_MIN_SECONDS
    )


def _name(index: int) -> str:
    return f"{index:05d}"


def _done_key(index: int) -> str:
    return f"{DONE}/{_name(index)}.json"


def _chunk_source_key(index: int) -> str:
    return f"{SOURCES}/{_name(index)}.ts"


def _read_json(key: str) -> dict:
    from django.core.files.storage import default_storage

    with default_storage.open(key, "rb") as handle:
        return json.loads(handle.read())


def _put_json(key: str, data: dict, workdir: Path) -> None:
    path = workdir / Path(key).name
    path.write_text(json.dumps(data, separators=(",", ":")))
    storage.put_file(key, path)


# --- the claiming run: split, then hand the chunks out --------------------------------------


def chunk_seconds(duration: float) -> float:
    """The chunk length for a video of `duration` seconds: about MEDIA_CHUNK_SECONDS, the
    count rounded up to a multiple of MEDIA_CHUNK_PARALLELISM so the workers finish together
    (600 s in 120 s chunks is 5, which keeps two workers busy for 3 chunks' time; in 6 chunks
    of about 100 s each does 3), each a whole number of HLS segments long. The cuts land on
    the next keyframe after each multiple."""
    target = settings.MEDIA_CHUNK_SECONDS
    parallel = max(1, settings.MEDIA_CHUNK_PARALLELISM)
    if duration <= 0:
        return float(target)
    count = math.ceil(max(1, math.ceil(duration / target)) / parallel) * parallel
    # A whole number of HLS segments per chunk, so only the last chunk ends on a short one;
    # rounding the length to segments can change the count, so try the next counts too.
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    for n in range(count, count + 8 * parallel, parallel):
        seconds = math.ceil(duration / n / segment) * segment
        if math.ceil(duration / seconds) % parallel == 0:
            return float(seconds)
    return duration / count


def split_command(
    src: Path, info: ProbeResult, audio: list[list[int]], out: Path, copy_args: list[str]
) -> list[str]:
    """`audio`: the [kbps, channels] of each audio track the rungs use, in order."""
    command = [*ffmpeg.base_command(), *input_args(src, info.demuxer), "-map", "0:v:0"]
    command += ["-c:v", "copy"]
    for j, (kbps, channels) in enumerate(audio):
        command += [
            "-map", "0:a:0", f"-c:a:{j}", "aac", f"-b:a:{j}", f"{kbps}k",
            f"-ac:a:{j}", str(channels), f"-ar:a:{j}", str(profiles.AUDIO_SAMPLE_RATE),
        ]  # fmt: skip
    command += [
        "-f", "segment", "-segment_time", f"{chunk_seconds(info.duration):g}",
        "-segment_format", CHUNK_FORMAT, str(out / "%05d.ts"),
    ]  # fmt: skip
    return [*command, *copy_args]


def _chunk_times(path: Path) -> tuple[float, float]:
    """(start, duration) of a chunk file, as FFmpeg will read it."""
    command = [
        settings.FFPROBE_BINARY, "-v", "error", "-protocol_whitelist", "file",
        "-show_entries", "format=start_time:format=duration", "-of", "json",
        f"file:{path.resolve()}",
    ]  # fmt: skip
    result = ffexec.run(command, name="chunk probe", limits=ffexec.probe_limits(), capture=True)
    fmt = json.loads(result.stdout or b"{}").get("format") or {}
    return float(fmt.get("start_time") or 0.0), float(fmt.get("duration") or 0.0)


def split(src: Path, info: ProbeResult, workdir: Path, on_tick=None) -> tuple[dict, list[Path]]:
    """The one pass over the source: chunk files under `workdir/chunks`, a copyable top
    rung under `workdir/hls/<rung>`. Returns the plan and the chunk files."""
    rungs = profiles.video_ladder_for(info.short_side)
    decision = remux.decide_for(src, info, rungs[0])
    copied = rungs[0] if decision.video else None
    encoded = rungs[1:] if copied else rungs
    tracks = {(r.audio_kbps, r.audio_channels) for r in encoded} if info.has_audio else set()
    audio = [list(track) for track in sorted(tracks, reverse=True)]
    chunks_dir, out = workdir / "chunks", workdir / profiles.HLS_DIR
    chunks_dir.mkdir(parents=True, exist_ok=True)
    copy_args = remux.copy_output_args(info, copied, decision, out / copied.name) if copied else []
    # The chunks hold a copy of the source's video: its size adds to the usual output cap.
    limits = ffexec.work_limits(info.duration)
    size = Path(src).stat().st_size
    limits = replace(
        limits,
        output_bytes=limits.output_bytes + 2 * size,
        file_bytes=max(limits.file_bytes, size + 64 * ffexec.MB),
    )
    job = ffmpeg.Job(
        split_command(src, info, audio, chunks_dir, copy_args),
        info.duration,
        "split",
        max_duration=info.duration,
        output_dir=workdir,
        limits=limits,
    )
    ffmpeg.run_jobs([job], on_tick=on_tick)
    files = sorted(chunks_dir.glob("*.ts"))
    if not files:
        raise ffmpeg.FFmpegError("FFmpeg wrote no chunks.")
    starts = [_chunk_times(path) for path in files]
    plan = {
        "version": 1,
        "duration": info.duration,
        "fps": info.fps,
        "size": list(info.display_size),
        "has_audio": info.has_audio,
        "audio_tracks": audio,
        "rungs": [r.name for r in encoded],
        "chunks": [
            {"offset": round(start - starts[0][0], 6), "duration": duration}
            for start, duration in starts
        ],
        "copied": None,
    }
    if copied:
        stats = hls.variant_stats(out / copied.name)
        plan["copied"] = {"name": copied.name, "codecs": decision.codecs, "stats": stats.__dict__}
    return plan, files


def plan_and_split(run, src: Path, info: ProbeResult) -> dict:
    """Cut the source into stored chunks (once per run) and return the plan."""
    if run.stored(PLAN):
        return _read_json(f"{run.prefix}/{PLAN}")
    plan, files = split(src, info, run.workdir, on_tick=lambda jobs: run.heartbeat())
    for index, path in enumerate(files):
        storage.put_file(f"{run.prefix}/{_chunk_source_key(index)}", path)
    if plan["copied"]:
        name = plan["copied"]["name"]
        run.upload_dir(f"{profiles.HLS_DIR}/{name}", run.workdir / profiles.HLS_DIR / name)
    _put_json(f"{run.prefix}/{PLAN}", plan, run.workdir)  # last: a plan implies its chunks
    shutil.rmtree(run.workdir / "chunks", ignore_errors=True)
    return plan


def dispatch(run, plan: dict) -> int:
    """Send a chord of the chunks not stored yet, whose body stitches and publishes.
    Returns how many chunks were sent."""
    from celery import chord

    from media import tasks

    asset_id, run_id = str(run.asset.id), run.run_id
    missing = [i for i in range(len(plan["chunks"])) if not run.stored(_done_key(i))]
    body = tasks.finish_chunks.si(asset_id, run_id)
    if not missing:
        body.apply_async()
        return 0
    chord([tasks.transcode_chunk.si(asset_id, run_id, i) for i in missing], body).apply_async()
    return len(missing)


def start(run, src: Path, info: ProbeResult) -> int:
    plan = plan_and_split(run, src, info)
    run.heartbeat()
    return dispatch(run, plan)


# --- one chunk --------------------------------------------------------------------------


def _rung(name: str) -> profiles.VideoProfile:
    return next(r for r in profiles.VIDEO_LADDER if r.name == name)


def chunk_command(plan: dict, index: int, src: Path, out: Path) -> list[str]:
    """Encode one chunk into every rung, its audio copied, on the source's timeline."""
    rungs = [_rung(name) for name in plan["rungs"]]
    width, height = plan["size"]
    shape = ProbeResult(
        demuxer=CHUNK_FORMAT, format_names=[CHUNK_FORMAT], duration=0.0, bit_rate=None,
        has_video=True, has_audio=plan["has_audio"], width=width, height=height,
        fps=plan["fps"],
    )  # fmt: skip
    offset = plan["chunks"][index]["offset"]
    command = [*ffmpeg.base_command(), *input_args(src, CHUNK_FORMAT)]
    command += ["-filter_complex", ffmpeg.ladder_graph(shape, rungs)]
    for i, rung in enumerate(rungs):
        target = out / rung.name
        target.mkdir(parents=True, exist_ok=True)
        command += ["-map", f"[v{i}]"]
        if plan["has_audio"]:
            track = [rung.audio_kbps, rung.audio_channels]
            command += ["-map", f"0:a:{plan['audio_tracks'].index(track)}"]
        # Frames keep their own timestamps (no frame-rate grid), so the joins line up.
        command += ["-fps_mode:v", "passthrough", "-enc_time_base:v", "-1"]
        command += ffmpeg.video_encode_args(rung, plan["fps"])
        if plan["has_audio"]:
            command += ["-c:a", "copy"]
        command += ["-output_ts_offset", f"{offset:.6f}"]
        command += ffmpeg.hls_output_args(target, f"c{_name(index)}_%05d.ts", "chunk.m3u8")
    return command


def chunk_run(*, asset_id, run_id: str, index: int, last_attempt: bool = False) -> str:
    """Encode one chunk of a claimed run. "done", "noop" (stored already, or the run is
    over), "gone" or "failed"; raises RetryLater on a transient error."""
    from media import pipeline

    asset = MediaAsset.objects.filter(id=asset_id).first()
    if asset is None:
        return "gone"
    if asset.status != AssetStatus.PROCESSING or (asset.metadata or {}).get("run_id") != run_id:
        return "noop"
    workdir = Path(tempfile.mkdtemp(prefix="cnt-chunk-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    run = pipeline.Run(asset, run_id, workdir)
    try:
        if run.stored(_done_key(index)):
            return "noop"
        plan = _read_json(f"{run.prefix}/{PLAN}")
        src, out = workdir / "chunk.ts", workdir / profiles.HLS_DIR
        storage.download(f"{run.prefix}/{_chunk_source_key(index)}", src)
        seconds = plan["chunks"][index]["duration"] or settings.MEDIA_CHUNK_SECONDS
        job = ffmpeg.Job(
            chunk_command(plan, index, src, out),
            seconds,
            f"chunk {index}",
            max_duration=seconds,
            output_dir=out,
        )
        ffmpeg.run_jobs([job], on_tick=lambda jobs: run.heartbeat())
        manifest = {}
        for name in plan["rungs"]:
            local = out / name
            entries = hls.parse_media_playlist(local / "chunk.m3u8")
            if not entries:
                raise ffmpeg.FFmpegError(f"FFmpeg wrote no segments for {name}.")
            for _, uri in entries:
                storage.put_file(f"{run.prefix}/{profiles.HLS_DIR}/{name}/{uri}", local / uri)
            width, height = hls._segment_size(local / entries[0][1])
            manifest[name] = {
                "entries": [[d, uri, (local / uri).stat().st_size] for d, uri in entries],
                "width": width,
                "height": height,
            }
        _put_json(f"{run.prefix}/{_done_key(index)}", {"rungs": manifest}, workdir)
        done = sum(1 for _ in storage.list_keys(f"{run.prefix}/{DONE}"))
        run.heartbeat({name: done / len(plan["chunks"]) for name in plan["rungs"]})
        return "done"
    except pipeline.AssetGone:
        storage.delete_prefix(layout.asset_root(asset.purpose or asset.kind, asset.id))
        return "gone"
    except ffmpeg.FFmpegError as exc:
        logger.warning("asset %s chunk %s: %s\n%s", asset.id, index, exc.message, exc.log)
        if exc.terminal or last_attempt:
            MediaAsset.objects.filter(id=asset.id).update(processing_log=exc.log[-8000:])
            pipeline._fail(asset, exc.message)
            return "failed"
        raise RetryLater(backoff_seconds(index % 4 + 1), exc.message)
    except Exception as exc:
        # A storage or database hiccup: retry the chunk; an error out of a chord's header
        # would leave the body, and so the asset, waiting for good.
        logger.exception("asset %s chunk %s failed", asset.id, index)
        if last_attempt:
            pipeline._fail(asset, f"Processing failed: {exc.__class__.__name__}")
            return "failed"
        raise RetryLater(backoff_seconds(index % 4 + 1), str(exc)[:200])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- the chord's body: stitch and publish -----------------------------------------------


def media_playlist(entries: list[tuple[float, str]]) -> str:
    target = max((round(d + 0.4999) for d, _ in entries), default=1)
    lines = [
        "#EXTM3U", "#EXT-X-VERSION:6", f"#EXT-X-TARGETDURATION:{max(target, 1)}",
        "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS",
    ]  # fmt: skip
    for duration, uri in entries:
        lines += [f"#EXTINF:{duration:.6f},", uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST"]) + "\n"


def _stats(name: str, entries: list, width, height) -> hls.VariantStats:
    duration = sum(d for d, _, _ in entries)
    size = sum(s for _, _, s in entries)
    return hls.VariantStats(
        name=name,
        segments=len(entries),
        duration=duration,
        size_bytes=size,
        peak_bps=max(int(s * 8 / max(d, 0.5)) for d, _, s in entries),
        average_bps=int(size * 8 / max(duration, 0.001)),
        width=width,
        height=height,
    )


def chunks_finish(*, asset_id, run_id: str) -> str:
    """Stitch every rung from the stored chunks, write the master and publish. "ready",
    "noop" (the run is over), "incomplete" (a chunk is missing) or "gone"."""
    from media import pipeline

    asset = MediaAsset.objects.filter(id=asset_id).first()
    if asset is None:
        return "gone"
    if asset.status != AssetStatus.PROCESSING or (asset.metadata or {}).get("run_id") != run_id:
        return "noop"
    workdir = Path(tempfile.mkdtemp(prefix="cnt-stitch-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    run = pipeline.Run(asset, run_id, workdir)
    try:
        plan = _read_json(f"{run.prefix}/{PLAN}")
        if not run.stored(profiles.MASTER_PLAYLIST):
            count = len(plan["chunks"])
            if not all(run.stored(_done_key(i)) for i in range(count)):
                return "incomplete"
            manifests = [_read_json(f"{run.prefix}/{_done_key(i)}")["rungs"] for i in range(count)]
            variants = []
            if plan["copied"]:
                stats = hls.VariantStats(**plan["copied"]["stats"])
                variants.append((stats, plan["copied"]["codecs"]))
            for name in plan["rungs"]:
                entries = [tuple(e) for m in manifests for e in m[name]["entries"]]
                path = workdir / f"{name}.m3u8"
                path.write_text(media_playlist([(d, uri) for d, uri, _ in entries]))
                storage.put_file(f"{run.prefix}/{profiles.HLS_DIR}/{name}/index.m3u8", path)
                first = manifests[0][name]
                stats = _stats(name, entries, first["width"], first["height"])
                variants.append((stats, _rung(name).codecs))
            master = workdir / "master.m3u8"
            master.write_text(hls.master_playlist(variants, plan["fps"]))
            storage.put_file(f"{run.prefix}/{profiles.MASTER_PLAYLIST}", master)
            for stats, _ in variants:
                run.mark_ready(
                    stats.name,
                    f"{profiles.HLS_DIR}/{stats.name}/index.m3u8",
                    width=stats.width,
                    height=stats.height,
                    bitrate=stats.average_bps,
                    size_bytes=stats.size_bytes,
                )
        # The offline downloads, remuxed from the stitched rungs as for any video.
        names = ([plan["copied"]["name"]] if plan["copied"] else []) + plan["rungs"]
        choices = profiles.video_downloads_for([_rung(name) for name in names])
        downloads.make(run, choices, duration=plan["duration"])
        run.measured_duration = plan["duration"]
        if not run.publish():
            storage.delete_prefix(layout.asset_root(asset.purpose or asset.kind, asset.id))
            return "gone"
        storage.delete_prefix(f"{run.prefix}/chunks")  # the chunk sources and manifests
        return "ready"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
