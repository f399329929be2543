"""Running one edit job: claim it, build its one FFmpeg command, run it with progress and
cancellation, and store the output as a new asset.

Runs are claimed in the database (the attempt number is the claim's token, a heartbeat
keeps it), so a redelivered task neither runs a job twice at once nor stores two results.
Cancelling flips the status; the run sees that on its next progress tick and kills FFmpeg.
Sources are only read; everything the run writes lives in a private temp directory that
is removed whatever happens.
"""

import logging
import shutil
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cnt.errors import ServiceUnavailable
from cnt.realtime import send_to_user
from media import ffmpeg, storage
from media.editing import commands
from media.editing.operations import (
    AUDIO,
    Context,
    Media,
    OperationError,
    asset_references,
    plan,
)
from media.jobs import JobSpec, job_claim, job_heartbeat, job_own_row, job_retry_or_fail
from media.jobs import RetryLater as RetryLater  # raised by run_job
from media.models import AssetPurpose, EditJob, EditJobStatus, MediaAsset
from media.probe import ProbeError, ProbeResult, probe_measured
from media.services import asset_create_from_path, clean_filename
from media.validation import MediaRejected

logger = logging.getLogger("cnt.media.editing")

ACTIVE = (EditJobStatus.QUEUED, EditJobStatus.RUNNING)
TICK_SECONDS = 0.5
# FFmpeg's share of the progress bar; storing and checking the result is the rest.
ENCODE_SHARE = 0.95
EVENT = "media.edit_job.updated"


# A run claims the job (see media/jobs.py); the attempt number is the claim's token.
JOB = JobSpec(
    model=EditJob,
    waiting=(EditJobStatus.QUEUED,),
    running=EditJobStatus.RUNNING,
    retry_status=EditJobStatus.QUEUED,
    failed=EditJobStatus.FAILED,
    keep_first_start=True,
    interrupted_message="The edit was interrupted too many times.",
)


class EditFailed(Exception):
    """A terminal failure of this job; `message` is readable by its owner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Stopped(Exception):
    """The job was cancelled or deleted, or another run took it over."""


def media_of(info: ProbeResult) -> Media:
    width, height = info.display_size
    return Media(
        duration=info.duration,
        has_audio=info.has_audio,
        has_video=info.has_video,
        width=width or 0,
        height=height or 0,
        fps=info.fps,
    )


def notify(job: EditJob) -> None:
    """Tell the owner's apps about the job (after commit)."""
    payload = {
        "id": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress, 3),
        "error": job.error,
        "result": str(job.result_id) if job.result_id else None,
    }
    owner_id = job.owner_id
    transaction.on_commit(lambda: send_to_user(owner_id, EVENT, payload))


def _prepare(job: EditJob) -> None:
    job.progress = 0.0
    notify(job)


def _mark_failed(job: EditJob, message: str) -> None:
    job.status = EditJobStatus.FAILED
    job.error = message[:2000]
    job.heartbeat_at = None
    job.finished_at = timezone.now()
    job.save()
    notify(job)


class Run:
    def __init__(self, job: EditJob, workdir: Path):
        self.job = job
        self.workdir = workdir
        self.notified = 0.0

    def tick(self, jobs: list[ffmpeg.Job]) -> None:
        """Each progress tick: record progress and keep the claim; stop if cancelled."""
        progress = round(jobs[0].progress * ENCODE_SHARE, 4)
        if not job_heartbeat(JOB, self.job, progress=progress):
            raise Stopped()
        if progress - self.notified >= 0.05:
            self.notified = progress
            self.job.progress = progress
            notify(self.job)

    def _assets(self, ids: list[str], kind: str) -> list[MediaAsset]:
        found = {
            str(a.id): a
            for a in MediaAsset.objects.filter(id__in=ids, owner_id=self.job.owner_id, kind=kind)
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise EditFailed("A source of this edit was deleted.")
        return [found[i] for i in ids]

    def _source(self, stack: ExitStack, asset: MediaAsset) -> commands.Source:
        local = stack.enter_context(storage.local_copy(asset.storage_key))
        try:
            return commands.Source(Path(local), probe_measured(local))
        except ProbeError as exc:
            raise EditFailed(f"A source can no longer be read: {exc.reason}")

    def build(self, stack: ExitStack) -> commands.Built:
        job = self.job
        operations = [dict(op) for op in job.operations]
        primary_assets = self._assets([str(i) for i in job.sources], job.kind)
        primary = [self._source(stack, asset) for asset in primary_assets]
        refs = asset_references(job.kind, operations)
        aux, images, ctx = {}, {}, Context(primary=[media_of(s.info) for s in primary])
        for _, asset_id, asset_kind in refs:
            asset = self._assets([asset_id], asset_kind)[0]
            if asset_kind == "image":
                images[asset_id] = Path(stack.enter_context(storage.local_copy(asset.storage_key)))
                ctx.images[asset_id] = (asset.width or 0, asset.height or 0)
            elif asset_id not in aux:
                aux[asset_id] = self._source(stack, asset)
                ctx.audio[asset_id] = media_of(aux[asset_id].info)
        try:
            steps = plan(job.kind, operations, ctx)
        except OperationError as exc:
            raise EditFailed(f"{'.'.join(map(str, exc.path))}: {exc.message}")
        self.filename = _result_name(primary_assets[0], job.kind)
        return commands.build(
            job.kind,
            steps,
            primary=primary,
            aux=aux,
            images=images,
            workdir=self.workdir,
            output_format=job.output_format or commands.AUDIO_OUTPUT_FORMATS[0],
        )

    def encode(self, built: commands.Built) -> None:
        process = ffmpeg.Job(built.args, built.duration, "edit", output_dir=self.workdir)
        ffmpeg.run_jobs([process], on_tick=self.tick, tick=TICK_SECONDS)
        if not built.output.is_file() or built.output.stat().st_size == 0:
            raise EditFailed("FFmpeg produced no output.")

    def publish(self, built: commands.Built) -> str:
        """Store the output as a new asset and finish the job, in one transaction."""
        purpose = AssetPurpose.AUDIO if self.job.kind == AUDIO else AssetPurpose.VIDEO
        with transaction.atomic():
            job = job_own_row(JOB, self.job).select_for_update().first()
            if job is None:
                raise Stopped()
            try:
                asset = asset_create_from_path(
                    owner=self.job.owner,
                    purpose=purpose,
                    path=built.output,
                    filename=f"{self.filename}.{built.extension}",
                )
            except MediaRejected as exc:
                raise EditFailed(f"The edited file was not accepted: {exc.detail}")
            job.result = asset
            job.status = EditJobStatus.SUCCEEDED
            job.progress = 1.0
            job.error = ""
            job.heartbeat_at = None
            job.finished_at = timezone.now()
            job.save()
            notify(job)
        return "succeeded"


def _result_name(asset: MediaAsset, kind: str) -> str:
    stem = Path(clean_filename(asset.original_filename) or kind).stem[:80] or kind
    return f"{stem} (edited)"


def run_job(*, job: EditJob) -> str:
    """Run one edit job to the end. Returns "succeeded", "failed", "cancelled" or "noop";
    raises RetryLater for transient trouble (storage down, another run holding the job)."""
    claimed = job_claim(JOB, job.id, fail=_mark_failed, prepare=_prepare, select_related=("owner",))
    if isinstance(claimed, str):
        return "noop" if claimed == "gone" else claimed
    job = claimed
    workdir = Path(tempfile.mkdtemp(prefix="cnt-edit-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    run = Run(job, workdir)
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            built = run.build(stack)
            run.encode(built)
        result = run.publish(built)
        logger.info("edit %s done in %.1fs", job.id, time.monotonic() - started)
        return result
    except Stopped:
        return "cancelled"
    except SoftTimeLimitExceeded:
        return _after_failure(job, "The edit took too long.", terminal=True)
    except EditFailed as exc:
        return _after_failure(job, exc.message, terminal=True)
    except ffmpeg.FFmpegError as exc:
        # The owner reads the short message; FFmpeg's own words stay in the staff-only log.
        logger.warning("edit job %s: %s\n%s", job.id, exc.message, exc.log)
        EditJob.objects.filter(id=job.id).update(error_log=exc.log[-8000:])
        return _after_failure(job, exc.message, terminal=True)
    except ServiceUnavailable as exc:
        return _after_failure(job, str(exc.detail), terminal=False)
    except Exception as exc:
        logger.exception("edit job %s failed", job.id)
        return _after_failure(job, f"The edit failed: {exc.__class__.__name__}", terminal=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _after_failure(job: EditJob, message: str, *, terminal: bool) -> str:
    """Fail for good (terminal errors, or after the configured attempts), else give the job
    back and raise RetryLater; "cancelled" if the run lost its claim meanwhile."""
    outcome = job_retry_or_fail(JOB, job, message, terminal=terminal, fail=_mark_failed)
    return "cancelled" if outcome == "gone" else outcome
