"""Background jobs stored on a row: one way to claim, keep, retry and fail them.

Used by the transcode pipeline (MediaAsset), edit jobs (EditJob) and the live recording
import (LiveStream). A run claims its row before any work, so a redelivered task never runs
the same job twice at once: either under a row lock (`job_claim`, which also counts the
attempt and can fail a job interrupted too often) or with one conditional UPDATE
(`job_claim_update`). A heartbeat keeps the claim; a claim whose heartbeat is older than
the stale limit is taken to have died with its worker and may be taken over. Transient
errors give the row back and raise RetryLater with an exponential backoff; known terminal
errors, and the last allowed attempt, fail the job for good.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

ERROR_MAX_LENGTH = 2000


class RetryLater(Exception):
    """Try this job again in `countdown` seconds (the task turns it into a Celery retry)."""

    def __init__(self, countdown: int, reason: str = ""):
        super().__init__(reason)
        self.countdown = countdown


def _stale_seconds() -> int:
    return settings.MEDIA_HEARTBEAT_STALE_SECONDS


def _max_attempts() -> int:
    return settings.MEDIA_MAX_ATTEMPTS


@dataclass(frozen=True)
class JobSpec:
    """Where one kind of job keeps its state on its row. Settings are read at call time."""

    model: type[models.Model]
    # Statuses a run may claim the row from, the status while claimed, where a failed
    # attempt waits for its retry, and the terminal failure.
    waiting: tuple[str, ...]
    running: str
    retry_status: str
    failed: str
    status_field: str = "status"
    error_field: str = "error"
    heartbeat_field: str = "heartbeat_at"
    attempts_field: str | None = "attempts"
    started_field: str | None = "started_at"
    # True: the first start of the job is kept across attempts.
    keep_first_start: bool = False
    # True: heartbeats and failures touch the row only while this run's claim holds
    # (status running and the same attempt number), so a cancel or a takeover stops it.
    fenced: bool = True
    # Extra filter of the rows this job runs on (e.g. only audio and video assets).
    scope: dict = field(default_factory=dict)
    # "another run holds the <noun>"
    noun: str = "job"
    interrupted_message: str = "The job was interrupted too many times."
    stale_seconds: Callable[[], int] = _stale_seconds
    max_attempts: Callable[[], int] = _max_attempts

    def attempts_of(self, row) -> int:
        return getattr(row, self.attempts_field) if self.attempts_field else 0


def backoff_seconds(attempt: int, *, base: int = 15, cap: int = 600) -> int:
    """Seconds before retry number `attempt` (1, 2, ...): base, 2*base, 4*base ... at most cap."""
    return min(cap, base * 2 ** (max(attempt, 1) - 1))


def _is_fresh(spec: JobSpec, row, now) -> bool:
    heartbeat = getattr(row, spec.heartbeat_field)
    return bool(heartbeat) and now - heartbeat < timedelta(seconds=spec.stale_seconds())


def job_claim(
    spec: JobSpec,
    job_id,
    *,
    fail: Callable[[models.Model, str], None],
    prepare: Callable[[models.Model], None] | None = None,
    select_related: tuple[str, ...] = (),
):
    """Take the job for this run under a row lock. Returns the claimed row (its attempt
    number is the claim's token) or why not: "gone" (no such row), "noop" (finished or not
    runnable) or "failed" (interrupted too many times; `fail` was called). Raises
    RetryLater while another run holds a live claim.

    `prepare(row)` adds the caller's own changes to the claimed row before it is saved, in
    the claim's transaction."""
    now = timezone.now()
    with transaction.atomic():
        queryset = spec.model.objects.select_for_update(of=("self",))
        if select_related:
            queryset = queryset.select_related(*select_related)
        row = queryset.filter(pk=job_id, **spec.scope).first()
        if row is None:
            return "gone"
        status = getattr(row, spec.status_field)
        if status not in (*spec.waiting, spec.running):
            return "noop"
        if status == spec.running and _is_fresh(spec, row, now):
            raise RetryLater(spec.stale_seconds(), f"another run holds the {spec.noun}")
        if spec.attempts_field and spec.attempts_of(row) >= spec.max_attempts():
            fail(row, getattr(row, spec.error_field) or spec.interrupted_message)
            return "failed"
        setattr(row, spec.status_field, spec.running)
        if spec.attempts_field:
            setattr(row, spec.attempts_field, spec.attempts_of(row) + 1)
        if spec.started_field and not (spec.keep_first_start and getattr(row, spec.started_field)):
            setattr(row, spec.started_field, now)
        setattr(row, spec.heartbeat_field, now)
        setattr(row, spec.error_field, "")
        if prepare is not None:
            prepare(row)
        row.save()
    return row


def job_own_row(spec: JobSpec, row) -> models.QuerySet:
    """The job's row, while this run's claim holds it (for fenced jobs)."""
    queryset = spec.model.objects.filter(pk=row.pk)
    if spec.fenced:
        queryset = queryset.filter(**{spec.status_field: spec.running})
        if spec.attempts_field:
            queryset = queryset.filter(**{spec.attempts_field: spec.attempts_of(row)})
    return queryset


def job_heartbeat(spec: JobSpec, row, **fields) -> bool:
    """Keep the claim (and store `fields`, e.g. progress). False once the claim is lost:
    the row was deleted, or (fenced jobs) cancelled or taken over by another run."""
    fields[spec.heartbeat_field] = timezone.now()
    return bool(job_own_row(spec, row).update(**fields))


def job_retry_or_fail(
    spec: JobSpec,
    row,
    message: str,
    *,
    terminal: bool = False,
    fail: Callable[[models.Model, str], None],
) -> str:
    """After an attempt failed: fail for good (a terminal error, or the last allowed
    attempt; `fail` is called and "failed" returned), else give the row back and raise
    RetryLater with the backoff of this attempt. "gone" when the claim was lost meanwhile."""
    with transaction.atomic():
        locked = job_own_row(spec, row).select_for_update().first()
        if locked is None:
            return "gone"
        if terminal or spec.attempts_of(locked) >= spec.max_attempts():
            fail(locked, message)
            return "failed"
        setattr(locked, spec.status_field, spec.retry_status)
        setattr(locked, spec.error_field, message[:ERROR_MAX_LENGTH])
        setattr(locked, spec.heartbeat_field, None)
        update_fields = [spec.status_field, spec.error_field, spec.heartbeat_field]
        if any(f.name == "updated_at" for f in spec.model._meta.concrete_fields):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        attempts = spec.attempts_of(locked)
    raise RetryLater(backoff_seconds(attempts), message)


# --- claims by one conditional UPDATE (no lock held, nothing else to do in the claim) --------


def job_claim_update(spec: JobSpec, job_id) -> bool:
    """Take the job with one conditional UPDATE: from a waiting status, or from a running
    claim whose heartbeat went stale. True if this run now holds it."""
    now = timezone.now()
    stale = now - timedelta(seconds=spec.stale_seconds())
    claimable = Q(**{f"{spec.status_field}__in": spec.waiting}) | Q(
        **{spec.status_field: spec.running, f"{spec.heartbeat_field}__lt": stale}
    )
    changes = {spec.status_field: spec.running, spec.heartbeat_field: now}
    if spec.attempts_field:
        changes[spec.attempts_field] = F(spec.attempts_field) + 1
    if spec.started_field:
        changes[spec.started_field] = now
    return bool(spec.model.objects.filter(claimable, pk=job_id, **spec.scope).update(**changes))


def job_release(spec: JobSpec, job_id) -> bool:
    """Give a claimed job back after a transient error, for the retry to claim again."""
    return bool(
        spec.model.objects.filter(pk=job_id, **{spec.status_field: spec.running}).update(
            **{spec.status_field: spec.retry_status}
        )
    )


def job_fail(spec: JobSpec, job_id, message: str) -> bool:
    """Fail a claimed job for good (a terminal error: retrying will not help)."""
    return bool(
        spec.model.objects.filter(pk=job_id, **{spec.status_field: spec.running}).update(
            **{spec.status_field: spec.failed, spec.error_field: message[:ERROR_MAX_LENGTH]}
        )
    )
