"""The job helper (media/jobs.py) on real rows: exclusive claims, stale takeovers, backoff,
terminal failures and replays of finished jobs."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from media import jobs
from media.models import EditJob, EditJobStatus
from tests.factories import UserFactory

SPEC = jobs.JobSpec(
    model=EditJob,
    waiting=(EditJobStatus.QUEUED,),
    running=EditJobStatus.RUNNING,
    retry_status=EditJobStatus.QUEUED,
    failed=EditJobStatus.FAILED,
    keep_first_start=True,
    stale_seconds=lambda: 60,
    max_attempts=lambda: 3,
)


def make_job(**fields) -> EditJob:
    return EditJob.objects.create(
        owner=UserFactory(), kind="audio", sources=[], operations=[], **fields
    )


class Failures:
    """Records the `fail` calls and fails the row like a caller would."""

    def __init__(self):
        self.calls = []

    def __call__(self, row, message):
        self.calls.append((row.pk, message))
        row.status = EditJobStatus.FAILED
        row.error = message
        row.heartbeat_at = None
        row.save()


def run_in_threads(count, target):
    """Run `target(index)` in `count` threads with their own connections, started together."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        from django.db import connection as own

        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:
            results[index] = exc
        finally:
            own.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_a_locked_claim_is_exclusive_under_concurrency():
    job = make_job()
    fail = Failures()

    def claim(_):
        # Hold the row lock a moment, so the other run really waits on it.
        return jobs.job_claim(SPEC, job.pk, fail=fail, prepare=lambda row: time.sleep(0.3))

    results = run_in_threads(2, claim)
    won = [r for r in results if isinstance(r, EditJob)]
    busy = [r for r in results if isinstance(r, jobs.RetryLater)]
    assert len(won) == 1 and len(busy) == 1, results
    assert busy[0].countdown == 60
    job.refresh_from_db()
    assert (job.status, job.attempts) == (EditJobStatus.RUNNING, 1)
    assert job.heartbeat_at is not None and job.started_at is not None
    assert fail.calls == []


@pytest.mark.django_db(transaction=True)
def test_a_conditional_update_claim_is_exclusive_under_concurrency():
    job = make_job()
    results = run_in_threads(4, lambda _: jobs.job_claim_update(SPEC, job.pk))
    assert sorted(results) == [False, False, False, True]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (EditJobStatus.RUNNING, 1)


@pytest.mark.django_db
def test_a_live_claim_is_respected_and_a_stale_one_reclaimed():
    started = timezone.now() - timedelta(hours=1)
    job = make_job(
        status=EditJobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now(), started_at=started
    )
    first_run = EditJob.objects.get(pk=job.pk)
    with pytest.raises(jobs.RetryLater) as busy:
        jobs.job_claim(SPEC, job.pk, fail=Failures())
    assert busy.value.countdown == 60
    job.refresh_from_db()
    assert (job.status, job.attempts) == (EditJobStatus.RUNNING, 1)
    assert jobs.job_claim_update(SPEC, job.pk) is False

    EditJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    claimed = jobs.job_claim(SPEC, job.pk, fail=Failures())
    assert isinstance(claimed, EditJob) and claimed.attempts == 2
    assert claimed.started_at == started  # keep_first_start
    assert timezone.now() - claimed.heartbeat_at < timedelta(seconds=5)
    # The first run lost its claim: its heartbeats and failures no longer touch the row.
    assert jobs.job_heartbeat(SPEC, first_run, progress=0.5) is False
    assert jobs.job_retry_or_fail(SPEC, first_run, "late", fail=Failures()) == "gone"
    assert jobs.job_heartbeat(SPEC, claimed, progress=0.5) is True
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.error) == ("running", 2, 0.5, "")


@pytest.mark.django_db
def test_a_stale_conditional_claim_is_reclaimed():
    job = make_job(
        status=EditJobStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=61),
    )
    assert jobs.job_claim_update(SPEC, job.pk) is True
    job.refresh_from_db()
    assert job.attempts == 2 and timezone.now() - job.heartbeat_at < timedelta(seconds=5)


@pytest.mark.django_db
def test_transient_errors_retry_with_backoff_and_the_last_attempt_is_terminal():
    job = make_job()
    fail = Failures()
    countdowns = []
    for attempt in (1, 2):
        claimed = jobs.job_claim(SPEC, job.pk, fail=fail)
        assert claimed.attempts == attempt
        with pytest.raises(jobs.RetryLater) as retry:
            jobs.job_retry_or_fail(SPEC, claimed, f"storage down {attempt}", fail=fail)
        countdowns.append(retry.value.countdown)
        job.refresh_from_db()
        assert (job.status, job.error, job.heartbeat_at) == (
            "queued",
            f"storage down {attempt}",
            None,
        )
    assert countdowns == [15, 30]
    claimed = jobs.job_claim(SPEC, job.pk, fail=fail)
    assert claimed.attempts == 3
    assert jobs.job_retry_or_fail(SPEC, claimed, "storage down 3", fail=fail) == "failed"
    assert fail.calls == [(job.pk, "storage down 3")]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 3, "storage down 3")
    # A row that reached the limit while interrupted fails at its next claim.
    interrupted = make_job(status=EditJobStatus.RUNNING, attempts=3, error="")
    assert jobs.job_claim(SPEC, interrupted.pk, fail=fail) == "failed"
    assert fail.calls[-1] == (interrupted.pk, "The job was interrupted too many times.")


def test_backoff_doubles_up_to_its_cap():
    assert [jobs.backoff_seconds(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [
        15,
        30,
        60,
        120,
        240,
        480,
        600,
    ]


@pytest.mark.django_db
def test_a_terminal_error_is_not_retried():
    job = make_job()
    fail = Failures()
    claimed = jobs.job_claim(SPEC, job.pk, fail=fail)
    assert jobs.job_retry_or_fail(SPEC, claimed, "bad input", terminal=True, fail=fail) == "failed"
    assert fail.calls == [(job.pk, "bad input")]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 1, "bad input")
    assert jobs.job_claim(SPEC, job.pk, fail=fail) == "noop"


@pytest.mark.django_db
def test_conditional_claims_fail_and_release_only_a_held_job():
    job = make_job()
    assert jobs.job_release(SPEC, job.pk) is False
    assert jobs.job_fail(SPEC, job.pk, "x") is False
    assert jobs.job_claim_update(SPEC, job.pk) is True
    assert jobs.job_release(SPEC, job.pk) is True
    job.refresh_from_db()
    assert job.status == "queued"
    assert jobs.job_claim_update(SPEC, job.pk) is True
    assert jobs.job_fail(SPEC, job.pk, "e" * 3000) is True
    job.refresh_from_db()
    assert job.status == "failed" and len(job.error) == jobs.ERROR_MAX_LENGTH
    assert jobs.job_claim_update(SPEC, job.pk) is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [EditJobStatus.SUCCEEDED, EditJobStatus.FAILED, EditJobStatus.CANCELLED]
)
def test_running_a_finished_job_again_is_a_no_op(status):
    finished = timezone.now() - timedelta(minutes=5)
    job = make_job(status=status, attempts=1, finished_at=finished, error="kept")
    fail = Failures()
    assert jobs.job_claim(SPEC, job.pk, fail=fail) == "noop"
    assert jobs.job_claim_update(SPEC, job.pk) is False
    assert fail.calls == []
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at, job.error) == (status, 1, finished, "kept")
    assert jobs.job_claim(SPEC, uuid.uuid4(), fail=fail) == "gone"
