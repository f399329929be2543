"""The processing pipeline: probe -> HLS renditions -> poster and thumbnail -> waveform -> ready.

Safe to run twice. A run claims the asset in the database (a heartbeat keeps the claim),
writes every output under a run prefix with deterministic keys, skips outputs that an
interrupted attempt of the same run already stored, and publishes by switching the
asset's `output_prefix` in one transaction. The original is only ever read.
"""

import json
import logging
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create
from cnt.realtime import send_to_user
from media import downloads, ffmpeg, hls, image_assets, layout, profiles, remux, storage
from media.jobs import JobSpec, job_claim, job_heartbeat, job_retry_or_fail
from media.jobs import RetryLater as RetryLater  # the tasks catch pipeline.RetryLater
from media.models import (
    AssetKind,
    AssetStatus,
    MediaAsset,
    Rendition,
    RenditionKind,
    RenditionStatus,
)
from media.probe import ProbeError, probe_measured
from media.services import asset_notify_owner
from media.transcripts import transcripts_schedule_for_asset

logger = logging.getLogger("cnt.media.pipeline")


# A processing run claims the asset (see media/jobs.py); the attempt count is the asset's.
JOB = JobSpec(
    model=MediaAsset,
    waiting=(AssetStatus.UPLOADED,),
    running=AssetStatus.PROCESSING,
    retry_status=AssetStatus.UPLOADED,
    failed=AssetStatus.FAILED,
    attempts_field="processing_attempts",
    started_field="processing_started_at",
    # A reprocess or a takeover does not stop a running transcode; only deletion does.
    fenced=False,
    scope={"kind__in": [AssetKind.AUDIO, AssetKind.VIDEO]},
    noun="asset",
    interrupted_message="Processing was interrupted too many times.",
)


class AssetGone(Exception):
    """The asset was deleted while it was being processed."""


def declared_outputs(asset: MediaAsset) -> list[tuple[str, str]]:
    """[(rendition name, kind)] this asset should have, from the profiles."""
    meta = asset.metadata or {}
    if asset.kind == AssetKind.VIDEO:
        short = min(meta.get("width") or asset.width or 0, meta.get("height") or asset.height or 0)
        rungs = profiles.video_ladder_for(short)
        outputs = [(p.name, RenditionKind.HLS_VIDEO) for p in rungs]
        return [
            *outputs,
            ("poster", RenditionKind.POSTER),
            ("thumbnail", RenditionKind.THUMBNAIL),
            *_download_outputs(profiles.video_downloads_for(rungs)),
        ]
    if asset.kind == AssetKind.AUDIO:
        outputs = [(p.name, RenditionKind.HLS_AUDIO) for p in profiles.AUDIO_LADDER]
        return [
            *outputs,
            ("waveform", RenditionKind.WAVEFORM),
            *_download_outputs(profiles.audio_downloads()),
        ]
    return []


def _download_outputs(choices: list[profiles.DownloadChoice]) -> list[tuple[str, str]]:
    return [(choice.rendition, RenditionKind.DOWNLOAD) for choice in choices]


def _prepare(asset: MediaAsset) -> None:
    """The pipeline's part of a claim: a run id, one processing rendition per declared
    output (outputs no longer declared are dropped), and the owner told."""
    run_id = (asset.metadata or {}).get("run_id") or uuid.uuid4().hex[:16]
    asset.metadata = {**(asset.metadata or {}), "run_id": run_id}
    declared = declared_outputs(asset)
    existing = set(asset.renditions.values_list("name", flat=True))
    Rendition.objects.bulk_create(
        [
            Rendition(asset=asset, name=name, kind=kind)
            for name, kind in declared
            if name not in existing
        ]
    )
    asset.renditions.exclude(name__in=[n for n, _ in declared]).delete()
    asset.renditions.exclude(status=RenditionStatus.READY).update(
        status=RenditionStatus.PROCESSING, error=""
    )
    asset_notify_owner(asset=asset)


def _fail(asset: MediaAsset, message: str) -> None:
    asset.status = AssetStatus.FAILED
    asset.error = message[:2000]
    asset.heartbeat_at = None
    asset.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])
    asset.renditions.exclude(status=RenditionStatus.READY).update(
        status=RenditionStatus.FAILED, error=message[:2000]
    )
    asset_notify_owner(asset=asset)
    if asset.owner_id:
        notification_create(
            recipient=asset.owner_id,
            type=NotificationType.MEDIA_FAILED,
            title=f"{asset.original_filename or 'Your upload'} could not be processed",
            message=message[:500],
            data={"asset_id": str(asset.id), "kind": asset.kind},
        )


class Run:
    def __init__(self, asset: MediaAsset, run_id: str, workdir: Path):
        self.asset = asset
        self.run_id = run_id
        self.workdir = workdir
        self.prefix = layout.run_prefix(asset.purpose or asset.kind, asset.id, run_id)
        self.measured_duration: float | None = None
        self.poster_images: dict | None = None

    # --- bookkeeping --------------------------------------------------------------
    def heartbeat(self, progress: dict[str, float] | None = None) -> None:
        """Record progress and keep the claim; stop if the asset was deleted."""
        if not job_heartbeat(JOB, self.asset):
            raise AssetGone()
        for name, value in (progress or {}).items():
            Rendition.objects.filter(asset_id=self.asset.id, name=name).exclude(
                status=RenditionStatus.READY
            ).update(progress=round(value, 4))
        if progress and self.asset.owner_id:
            payload = {
                "id": str(self.asset.id),
                "status": AssetStatus.PROCESSING,
                "progress": {name: round(value, 3) for name, value in progress.items()},
            }
            send_to_user(self.asset.owner_id, "media.asset.progress", payload)

    def mark_ready(self, name: str, path: str, **fields) -> None:
        Rendition.objects.filter(asset_id=self.asset.id, name=name).update(
            status=RenditionStatus.READY, progress=1.0, path=path, error="", **fields
        )

    def stored(self, relative: str) -> bool:
        return default_storage.exists(f"{self.prefix}/{relative}")

    def upload_dir(self, relative: str, local: Path) -> None:
        """Store a directory; playlists last, so an index implies its segments are there."""
        files = sorted(
            (p for p in local.rglob("*") if p.is_file()), key=lambda p: (p.suffix == ".m3u8", p)
        )
        for path in files:
            storage.put_file(f"{self.prefix}/{relative}/{path.relative_to(local).as_posix()}", path)

    # --- steps --------------------------------------------------------------------
    def video_ladder(self, src: Path, info) -> None:
        rungs = profiles.video_ladder_for(info.short_side)
        if self.stored(profiles.MASTER_PLAYLIST):
            return
        out = self.workdir / profiles.HLS_DIR
        copy = remux.decide_for(src, info, rungs[0])
        job = ffmpeg.Job(
            remux.ladder_command(src, info, rungs, out, copy),
            info.duration,
            "ladder",
            max_duration=info.duration,
            output_dir=out,
        )
        ffmpeg.run_jobs(
            [job], on_tick=lambda jobs: self.heartbeat({r.name: jobs[0].progress for r in rungs})
        )
        variants = []
        for rung in rungs:
            stats = hls.variant_stats(out / rung.name)
            copied = copy.video and rung is rungs[0]
            variants.append((stats, copy.codecs if copied else rung.codecs))
            self.upload_dir(f"{profiles.HLS_DIR}/{rung.name}", out / rung.name)
        (out / "master.m3u8").write_text(hls.master_playlist(variants, info.fps))
        storage.put_file(f"{self.prefix}/{profiles.MASTER_PLAYLIST}", out / "master.m3u8")
        for stats, _ in variants:
            self.mark_ready(
                stats.name,
                f"{profiles.HLS_DIR}/{stats.name}/index.m3u8",
                width=stats.width,
                height=stats.height,
                bitrate=stats.average_bps,
                size_bytes=stats.size_bytes,
            )

    def audio_ladder(self, src: Path, info) -> None:
        out = self.workdir / profiles.HLS_DIR
        todo = [
            rung
            for rung in profiles.AUDIO_LADDER
            if not self.stored(f"{profiles.HLS_DIR}/{rung.name}/index.m3u8")
        ]
        jobs = [
            ffmpeg.Job(
                ffmpeg.audio_command(src, info, rung, out),
                info.duration,
                rung.name,
                max_duration=info.duration,
                output_dir=out / rung.name,
            )
            for rung in todo
        ]
        with ThreadPoolExecutor(max_workers=1) as pool:
            waveform = None
            if not self.stored(profiles.WAVEFORM):
                command = ffmpeg.pcm_command(src, info)
                count = settings.MEDIA_WAVEFORM_PEAKS
                waveform = pool.submit(hls.waveform_peaks, command, info.duration, count)
            if jobs:
                ffmpeg.run_jobs(
                    jobs, on_tick=lambda js: self.heartbeat({j.name: j.progress for j in js})
                )
            peaks = waveform.result() if waveform is not None else None
        if peaks is not None:
            path = self.workdir / profiles.WAVEFORM
            path.write_text(json.dumps(peaks, separators=(",", ":")))
            storage.put_file(f"{self.prefix}/{profiles.WAVEFORM}", path)
            self.mark_ready("waveform", profiles.WAVEFORM, size_bytes=path.stat().st_size)
        for rung in todo:
            stats = hls.variant_stats(out / rung.name)
            self.upload_dir(f"{profiles.HLS_DIR}/{rung.name}", out / rung.name)
            self.mark_ready(
                rung.name,
                f"{profiles.HLS_DIR}/{rung.name}/index.m3u8",
                bitrate=stats.average_bps,
                size_bytes=stats.size_bytes,
            )
        if self.stored(profiles.MASTER_PLAYLIST) and not todo:
            return
        variants = []
        for rung in profiles.AUDIO_LADDER:
            local = out / rung.name
            if not (local / "index.m3u8").exists():
                self.fetch_dir(f"{profiles.HLS_DIR}/{rung.name}", local)
            variants.append((hls.variant_stats(local), rung.codecs))
        (out / "master.m3u8").write_text(hls.master_playlist(variants))
        storage.put_file(f"{self.prefix}/{profiles.MASTER_PLAYLIST}", out / "master.m3u8")

    def fetch_dir(self, relative: str, local: Path) -> None:
        local.mkdir(parents=True, exist_ok=True)
        base = f"{self.prefix}/{relative}"
        for key in storage.list_keys(base):
            target = local / key[len(base) + 1 :]
            target.parent.mkdir(parents=True, exist_ok=True)
            storage.download(key, target)

    def stills(self, src: Path, info) -> None:
        if self.stored(profiles.POSTER) and self.stored(profiles.THUMBNAIL):
            self.poster_images = image_assets.poster_renditions(
                prefix=self.prefix, workdir=self.workdir, poster=None
            )
            if self.poster_images is not None:
                return
        poster, thumbnail = self.workdir / profiles.POSTER, self.workdir / profiles.THUMBNAIL
        ffmpeg.run_simple(ffmpeg.stills_command(src, info, poster, thumbnail), "poster")
        # The responsive set (WebP and JPEG at several widths) comes from the same frame.
        self.poster_images = image_assets.poster_renditions(
            prefix=self.prefix, workdir=self.workdir, poster=poster
        )
        for name, path in (("poster", poster), ("thumbnail", thumbnail)):
            storage.put_file(f"{self.prefix}/{path.name}", path)
            with Image.open(path) as image:
                size = image.size
            self.mark_ready(
                name, path.name, width=size[0], height=size[1], size_bytes=path.stat().st_size
            )

    # --- the run -----------------------------------------------------------------
    def execute(self) -> bool:
        """Make every output; False when the work was handed to chunk tasks instead."""
        with storage.local_copy(self.asset.storage_key) as src:
            try:
                info = probe_measured(src)
            except ProbeError as exc:
                error = ffmpeg.FFmpegLimitExceeded if exc.terminal else ffmpeg.FFmpegError
                raise error(exc.reason)
            # Assets stored before durations were measured may hold more than they claimed.
            if info.duration > settings.MEDIA_MAX_DURATION_SECONDS:
                raise ffmpeg.FFmpegLimitExceeded(
                    "The file is longer than the allowed duration.",
                    log=f"measured {info.duration:.3f}s, header {info.declared_duration}s",
                )
            self.measured_duration = info.duration
            self.heartbeat()
            if self.asset.kind == AssetKind.VIDEO:
                from media import chunked

                if chunked.wanted(info) and not self.stored(profiles.MASTER_PLAYLIST):
                    # Chunk tasks encode in parallel; the chord's body stitches and publishes.
                    self.stills(src, info)
                    chunked.start(self, src, info)
                    return False
                self.video_ladder(src, info)
                self.heartbeat()
                self.stills(src, info)
                rungs = profiles.video_ladder_for(info.short_side)
                downloads.make(self, profiles.video_downloads_for(rungs), duration=info.duration)
            else:
                self.audio_ladder(src, info)
                downloads.make(self, profiles.audio_downloads(), duration=info.duration)
        return True

    def publish(self) -> bool:
        """Point the asset at this run's outputs; False if the asset is gone."""
        with transaction.atomic():
            asset = MediaAsset.objects.select_for_update().filter(id=self.asset.id).first()
            if asset is None:
                return False
            previous = asset.output_prefix
            # Only the first publication tells the owner: a reprocess (new profiles, a fixed
            # ladder) changes files the owner already plays.
            is_first_publication = asset.processed_at is None
            meta = dict(asset.metadata or {})
            meta.pop("run_id", None)
            asset.metadata = meta
            asset.output_prefix = self.prefix
            images = dict(asset.images or {})
            images.pop(image_assets.POSTER_ROLE, None)
            asset.images = images
            if self.poster_images is not None:
                image_assets.image_set_publish(
                    asset=asset,
                    role=image_assets.POSTER_ROLE,
                    output_prefix=self.prefix,
                    described=self.poster_images,
                )
            if self.measured_duration:
                asset.duration_seconds = self.measured_duration
            asset.status = AssetStatus.READY
            asset.error = ""
            asset.processed_at = timezone.now()
            asset.heartbeat_at = None
            asset.save()
            if previous and previous != self.prefix:
                transaction.on_commit(lambda: storage.delete_prefix(previous))
            # Spoken-word content waiting for its transcript can have it now.
            transcripts_schedule_for_asset(asset=asset)
            asset_notify_owner(asset=asset)
            if asset.owner_id and is_first_publication:
                notification_create(
                    recipient=asset.owner_id,
                    type=NotificationType.MEDIA_READY,
                    title=f"{asset.original_filename or 'Your upload'} is ready to play",
                    data={"asset_id": str(asset.id), "kind": asset.kind},
                )
        return True


def asset_process(*, asset_id) -> str:
    """Process one asset. Returns "ready", "noop", "gone", "failed" or "dispatched" (a long
    video's chunks were handed to a chord); raises RetryLater."""
    claimed = job_claim(JOB, asset_id, fail=_fail, prepare=_prepare)
    if isinstance(claimed, str):
        return claimed
    asset = claimed
    run_id = asset.metadata["run_id"]
    workdir = Path(tempfile.mkdtemp(prefix="cnt-run-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    run = Run(asset, run_id, workdir)
    try:
        if not run.execute():
            return "dispatched"
        if not run.publish():
            raise AssetGone()
        return "ready"
    except AssetGone:
        storage.delete_prefix(layout.asset_root(asset.purpose or asset.kind, asset.id))
        return "gone"
    except ffmpeg.FFmpegError as exc:
        # FFmpeg's own words (paths, heap addresses) stay on the server: logged and kept in
        # the staff-only processing_log. A limit hit is terminal; any other failure is
        # retried, since a crash may come from the machine rather than the file.
        logger.warning("processing asset %s: %s\n%s", asset.id, exc.message, exc.log)
        MediaAsset.objects.filter(id=asset.id).update(processing_log=exc.log[-8000:])
        return job_retry_or_fail(JOB, asset, exc.message, terminal=exc.terminal, fail=_fail)
    except Exception as exc:
        logger.exception("processing asset %s failed", asset.id)
        message = f"Processing failed: {exc.__class__.__name__}"
        return job_retry_or_fail(JOB, asset, message, fail=_fail)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def asset_reprocess(*, asset: MediaAsset) -> None:
    """Rebuild every derived file from the original (the old set stays until the new one
    is published)."""
    from media.services import asset_schedule_processing

    with transaction.atomic():
        locked = MediaAsset.objects.select_for_update().get(id=asset.id)
        meta = dict(locked.metadata or {})
        meta.pop("run_id", None)
        locked.metadata = meta
        locked.status = AssetStatus.UPLOADED
        locked.processing_attempts = 0
        locked.heartbeat_at = None
        locked.error = ""
        locked.save()
        locked.renditions.update(status=RenditionStatus.PENDING, progress=0.0, error="")
        asset_schedule_processing(asset=locked)
