"""Celery tasks of the live app: thin, by id, safe to run twice."""

from celery import shared_task

from live import recording, services


@shared_task(name="live.notify_followers", acks_late=True)
def notify_followers(stream_id: int) -> int:
    """Notify the host's followers that a stream went live (once per stream)."""
    return services.stream_notify_followers(stream_id=stream_id)


@shared_task(
    name="live.import_recording",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def import_recording(self, stream_id: int) -> str:
    """Import a finished recording as a podcast; transient failures are retried."""
    try:
        return recording.recording_import(stream_id=stream_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60 * (self.request.retries + 1))


@shared_task(name="live.purge_webhook_events", acks_late=True)
def purge_webhook_events() -> int:
    """Daily: drop the dedupe records of long-applied LiveKit webhooks. Safe to run twice."""
    from live.webhooks import webhook_events_purge

    return webhook_events_purge()
