"""Edit jobs over the API (permission matrix, list, cancel) and the task's guarantees
(safe to run twice, stale claims, failures)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media import tasks
from media.editing import runner
from media.editing import services as editing
from media.models import EditJob, MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.editing.conftest import post, ready_asset, stored_path

pytestmark = [pytest.mark.django_db]


def queued_job(owner, source, kind="audio", **fields) -> EditJob:
    """A job as edit_job_create leaves it, without running it."""
    operations = [{"type": "trim", "start": 0.0, "end": 1.0}]
    return EditJob.objects.create(
        owner=owner,
        kind=kind,
        sources=[str(source.id)],
        operations=operations,
        output_format="aac" if kind == "audio" else "mp4",
        **fields,
    )


@pytest.fixture
def source(owner, wav_4s):
    return ready_asset(owner, "audio", wav_4s)


# --- permission matrix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "audio-editing/"),
        ("post", "audio-editing/trim"),
        ("post", "video-editing/crop"),
        ("get", "audio-editing/jobs/"),
        ("get", "video-editing/jobs"),
        ("get", "audio-editing/jobs/{id}"),
        ("delete", "audio-editing/jobs/{id}/"),
        ("post", "quotes"),
    ],
)
def test_anonymous_callers_get_401_and_nothing_changes(api_client, owner, source, method, path):
    job = queued_job(owner, source)
    response = getattr(api_client, method)(f"/api/v1/{path.format(id=job.id)}", {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    job.refresh_from_db()
    assert job.status == "queued" and EditJob.objects.count() == 1


def test_other_users_see_404_and_cannot_cancel(owner, source):
    job = queued_job(owner, source)
    other = client_for(UserFactory())
    assert other.get(f"/api/v1/audio-editing/jobs/{job.id}").status_code == 404
    response = other.delete(f"/api/v1/audio-editing/jobs/{job.id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert other.get("/api/v1/audio-editing/jobs/").json()["results"] == []
    job.refresh_from_db()
    assert job.status == "queued"


def test_a_moderator_does_not_see_others_jobs_either(owner, source, admin_client_api):
    job = queued_job(owner, source)
    assert admin_client_api.get(f"/api/v1/audio-editing/jobs/{job.id}").status_code == 404


def test_the_owner_reads_the_job(owner_client, owner, source):
    job = queued_job(owner, source)
    response = owner_client.get(f"/api/v1/audio-editing/jobs/{job.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(job.id),
        "kind": "audio",
        "status": "queued",
        "progress": 0.0,
        "error": "",
        "sources": [str(source.id)],
        "operations": [{"type": "trim", "start": 0.0, "end": 1.0}],
        "output_format": "aac",
        "result": None,
        "created_at": body["created_at"],
        "started_at": None,
        "finished_at": None,
    }


def test_jobs_are_listed_per_kind_newest_first_in_bounded_queries(
    owner_client, owner, source, pattern_video, django_assert_max_num_queries
):
    video = ready_asset(owner, "video", pattern_video)
    audio_jobs = []
    for _ in range(6):
        result = ready_asset(owner, "audio", stored_path(source))
        audio_jobs.append(queued_job(owner, source, status="succeeded", result=result))
    video_job = queued_job(owner, video, kind="video")
    queued_job(UserFactory(), source)
    with django_assert_max_num_queries(6):
        body = owner_client.get("/api/v1/audio-editing/jobs/?page_size=4").json()
    assert body["count"] == 6
    assert [j["id"] for j in body["results"]] == [str(j.id) for j in reversed(audio_jobs)][:4]
    assert all(j["result"]["kind"] == "audio" for j in body["results"])
    assert body["next"]
    video_body = owner_client.get("/api/v1/video-editing/jobs").json()
    assert [j["id"] for j in video_body["results"]] == [str(video_job.id)]
    # A job is only reachable under its own kind.
    assert owner_client.get(f"/api/v1/audio-editing/jobs/{video_job.id}").status_code == 404


# --- cancel ----------------------------------------------------------------------------------


def test_cancelling_a_queued_job_stops_it_before_it_runs(
    owner_client, source, django_capture_on_commit_callbacks, spawned
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(
            owner_client, "audio-editing/trim", {"source": str(source.id), "start": 0, "end": 1}
        )
    job_id = response.json()["id"]
    response = owner_client.delete(f"/api/v1/audio-editing/jobs/{job_id}")
    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    for callback in callbacks:  # the task arrives after the cancel
        callback()
    job = EditJob.objects.get(id=job_id)
    assert job.status == "cancelled" and job.result is None and job.attempts == 0
    assert spawned == []
    assert tasks.run_edit_job.apply(args=[job_id]).get() == "noop"
    again = owner_client.delete(f"/api/v1/audio-editing/jobs/{job_id}")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_a_finished_job_cannot_be_cancelled(owner_client, owner, source):
    job = queued_job(owner, source, status="succeeded")
    response = owner_client.delete(f"/api/v1/audio-editing/jobs/{job.id}")
    assert response.status_code == 409
    job.refresh_from_db()
    assert job.status == "succeeded"


# --- the task --------------------------------------------------------------------------------


def test_running_twice_stores_one_result(owner, source, spawned, temp_dir):
    job = queued_job(owner, source)
    assert tasks.run_edit_job.apply(args=[str(job.id)]).get() == "succeeded"
    assert tasks.run_edit_job.apply(args=[str(job.id)]).get() == "noop"
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 1 and job.result_id
    assert MediaAsset.objects.filter(owner=owner).count() == 2
    assert len(spawned) == 1
    assert list(temp_dir.iterdir()) == []


def test_a_live_claim_is_respected_and_a_stale_one_taken_over(owner, source, settings):
    job = queued_job(owner, source, status="running", attempts=1, heartbeat_at=timezone.now())
    with pytest.raises(editing.RetryLater):
        editing.edit_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1
    stale = timezone.now() - timedelta(seconds=settings.MEDIA_HEARTBEAT_STALE_SECONDS + 1)
    EditJob.objects.filter(id=job.id).update(heartbeat_at=stale)
    assert editing.edit_job_run(job=job) == "succeeded"
    job.refresh_from_db()
    assert job.attempts == 2 and job.result_id


def test_too_many_interrupted_attempts_fail_the_job(owner, source, settings):
    job = queued_job(owner, source, status="running", attempts=settings.MEDIA_MAX_ATTEMPTS)
    assert editing.edit_job_run(job=job) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted" in job.error and job.finished_at


def test_a_source_that_became_unreadable_fails_with_a_readable_error(owner, source, temp_dir):
    job = queued_job(owner, source)
    stored_path(source).write_bytes(b"not media at all")
    assert tasks.run_edit_job.apply(args=[str(job.id)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("A source can no longer be read")
    assert job.result is None and MediaAsset.objects.count() == 1
    assert list(temp_dir.iterdir()) == []


def test_a_deleted_source_fails_the_job(owner, source):
    job = queued_job(owner, source)
    MediaAsset.objects.filter(id=source.id).delete()
    assert tasks.run_edit_job.apply(args=[str(job.id)]).get() == "failed"
    job.refresh_from_db()
    assert job.error == "A source of this edit was deleted."


def test_ffmpeg_errors_fail_the_job_and_leave_nothing(owner, source, monkeypatch, temp_dir):
    from media.editing import commands

    original = commands.build_audio

    def broken(*args, **kwargs):
        built = original(*args, **kwargs)
        index = built.args.index("-filter_complex") + 1
        built.args[index] = built.args[index].replace("atrim", "nosuchfilter")
        return built

    monkeypatch.setattr(commands, "build_audio", broken)
    job = queued_job(owner, source)
    assert tasks.run_edit_job.apply(args=[str(job.id)]).get() == "failed"
    job.refresh_from_db()
    # The owner reads a short reason; FFmpeg's own words stay in the staff-only log.
    assert job.status == "failed" and job.error == "The file could not be processed (edit)."
    assert "nosuchfilter" in job.error_log
    body = client_for(owner).get(f"/api/v1/audio-editing/jobs/{job.id}").json()
    assert body["error"] == job.error and "error_log" not in body
    assert job.result is None and MediaAsset.objects.count() == 1
    assert list(temp_dir.iterdir()) == []


def test_storage_trouble_is_retried_later(owner, source, monkeypatch):
    from cnt.errors import ServiceUnavailable

    def down(**kwargs):
        raise ServiceUnavailable("File storage is unavailable; try again shortly.")

    original = runner.asset_create_from_path
    monkeypatch.setattr(runner, "asset_create_from_path", down)
    job = queued_job(owner, source)
    with pytest.raises(editing.RetryLater):
        editing.edit_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1 and "storage" in job.error
    monkeypatch.setattr(runner, "asset_create_from_path", original)
    assert editing.edit_job_run(job=job) == "succeeded"
