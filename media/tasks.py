"""Celery tasks of the media app: thin wrappers that load by id and call the pipeline."""

from celery import shared_task

from media import pipeline
from media.jobs import RetryLater


@shared_task(
    name="media.process_asset",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=25,
)
def process_asset(self, asset_id: str) -> str:
    """Probe, transcode and publish one asset; safe to run twice (see media/pipeline.py)."""
    try:
        return pipeline.asset_process(asset_id=asset_id)
    except RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)


@shared_task(
    name="media.process_image",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=10,
)
def process_image(self, asset_id: str, force: bool = False) -> str:
    """Render and publish an image asset's responsive renditions; safe to run twice (the
    keys are content-addressed, see media/image_assets.py). Storage errors retry."""
    from botocore.exceptions import BotoCoreError, ClientError

    from media.image_assets import image_asset_process

    try:
        return image_asset_process(asset_id=asset_id, force=force)
    except (OSError, RuntimeError, BotoCoreError, ClientError) as exc:
        raise self.retry(countdown=min(600, 15 * 2**self.request.retries), exc=exc)


@shared_task(name="media.purge_tus_uploads", acks_late=True)
def purge_tus_uploads() -> int:
    """Delete expired, unfinished resumable uploads and their partial files."""
    from media.tus import tus_purge_expired

    return tus_purge_expired()


@shared_task(
    name="media.run_edit_job",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=10,
)
def run_edit_job(self, job_id: str) -> str:
    """Run one audio/video edit and store its result as a new asset; safe to run twice
    (only queued or running jobs are loaded, and the run claims the row)."""
    from media.editing import services as editing
    from media.models import EditJob, EditJobStatus

    job = (
        EditJob.objects.filter(id=job_id, status__in=[EditJobStatus.QUEUED, EditJobStatus.RUNNING])
        .select_related("owner")
        .first()
    )
    if job is None:
        return "noop"
    try:
        return editing.edit_job_run(job=job)
    except RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)


@shared_task(name="media.purge_direct_uploads", acks_late=True)
def purge_direct_uploads() -> int:
    """Abort expired presigned multipart uploads and drop their staging objects."""
    from media.s3direct import direct_upload_purge_expired

    return direct_upload_purge_expired()


@shared_task(
    name="media.transcribe_asset",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=25,
)
def transcribe_asset(self, transcript_id: int) -> str:
    """Transcribe one asset and build its captions; safe to run twice (only a waiting
    transcript is claimed; see media/transcripts.py). Transient Deepgram errors retry."""
    from media.transcripts import transcript_run

    try:
        return transcript_run(transcript_id=transcript_id)
    except RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)


@shared_task(
    name="media.draft_outline",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=25,
)
def draft_outline(self, outline_id: int) -> str:
    """Draft an asset's chapters and summary from its transcript; safe to run twice (only a
    waiting outline is claimed; see media/outlines.py). Transient model errors retry."""
    from media.outlines import outline_run

    try:
        return outline_run(outline_id=outline_id)
    except RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)


@shared_task(
    name="media.transcode_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=False,  # a chord's header: the body waits for every chunk's result
    max_retries=3,
)
def transcode_chunk(self, asset_id: str, run_id: str, index: int) -> str:
    """Encode one chunk of a long video into every rung (see media/chunked.py); a chunk
    already stored is a no-op, so a redelivery or a second chord redoes nothing."""
    from media import chunked

    last = self.request.retries >= self.max_retries
    try:
        return chunked.chunk_run(asset_id=asset_id, run_id=run_id, index=index, last_attempt=last)
    except RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)


@shared_task(name="media.finish_chunks", acks_late=True, reject_on_worker_lost=True)
def finish_chunks(asset_id: str, run_id: str) -> str:
    """Stitch a long video's rung playlists from its chunks and publish it."""
    from media import chunked

    return chunked.chunks_finish(asset_id=asset_id, run_id=run_id)
