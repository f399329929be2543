"""Celery tasks of the media app: thin wrappers that load by id and call the pipeline."""

from celery import shared_task

from media import pipeline


@shared_task(
    name="media.process_asset",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=25,
    queue="media",
)
def process_asset(self, asset_id: str) -> str:
    """Probe, transcode and publish one asset; safe to run twice (see media/pipeline.py)."""
    try:
        return pipeline.asset_process(asset_id=asset_id)
    except pipeline.RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=None)
