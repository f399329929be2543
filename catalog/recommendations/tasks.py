"""Celery tasks of recommendations (run by beat every RECOMMENDATIONS_UPDATE_SECONDS)."""

from celery import shared_task


@shared_task(name="recommendations.update", acks_late=True)
def update() -> dict:
    """Process the plays and saves since the last run (watermark) and refresh the trending
    snapshot. Idempotent: the watermark is locked while a run works."""
    from dataclasses import asdict

    from catalog.recommendations.services import recommendations_update

    return asdict(recommendations_update())
