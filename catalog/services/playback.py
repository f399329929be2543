"""Writes for playback: where a listener is in an item, and counting plays.

A play counts past 30 seconds (or the end of a shorter item), at most once per listener and
item an hour; the progress row is locked while deciding."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog import policies, read_cache, selectors
from catalog.models import (
    PlaybackProgress,
    PlayEvent,
)
from cnt.errors import InvalidInput

PLAY_THRESHOLD_SECONDS = 30
PLAY_COUNT_WINDOW = timedelta(hours=1)
POSITION_TOLERANCE_SECONDS = 5


def _play_threshold(duration: float) -> float:
    """30 seconds, or the end (less a second) of an item shorter than that."""
    if duration and duration <= PLAY_THRESHOLD_SECONDS:
        return max(duration - 1, 0)
    return PLAY_THRESHOLD_SECONDS


def _is_completed(position: float, duration: float) -> bool:
    return bool(duration) and position >= min(duration - 1, duration * 0.95)


def playback_progress_record(
    *, user, obj, position: float, duration: float | None = None
) -> tuple[PlaybackProgress, bool, int]:
    """Store where the user is in an item and count a play when they pass the threshold,
    at most once per user and item per hour.

    Returns (progress, counted, plays_count). The progress row is locked while deciding, so
    concurrent reports from the same listener count once.
    """
    known = selectors.content_duration(obj)
    length = known or duration or 0
    if length and position > length + POSITION_TOLERANCE_SECONDS:
        raise InvalidInput(errors={"position": [f"Must not exceed the duration ({length:g} s)."]})
    model = type(obj)
    item_type = selectors.type_of(model)
    now = timezone.now()
    with transaction.atomic():
        progress, _ = PlaybackProgress.objects.select_for_update().get_or_create(
            user=user, content_type=item_type, object_id=obj.pk
        )
        progress.position_seconds = position
        progress.duration_seconds = length
        progress.is_completed = _is_completed(position, length)
        counted = (
            policies.counts_as_public_play(obj)
            and position > 0
            and position >= _play_threshold(length)
            and (
                progress.last_counted_at is None
                or now - progress.last_counted_at >= PLAY_COUNT_WINDOW
            )
        )
        if counted:
            progress.last_counted_at = now
            PlayEvent.objects.create(user=user, content_type=item_type, object_id=obj.pk)
            model.objects.filter(pk=obj.pk).update(play_count=F("play_count") + 1)
            read_cache.detail_forget(model=model, pk=obj.pk)
        progress.save()
        plays = model.objects.filter(pk=obj.pk).values_list("play_count", flat=True).get()
    return progress, counted, plays
