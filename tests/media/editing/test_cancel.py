"""Cancelling a running edit: the task notices on its next progress tick, kills FFmpeg,
stores nothing and removes its temp directory."""

import os
import subprocess
import threading
import time

import pytest
from django.db import connection

from media import samples, tasks
from media.models import EditJob, MediaAsset
from tests.media.editing.conftest import post, ready_asset

pytestmark = [pytest.mark.django_db(transaction=True)]


def ffmpeg_children() -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(os.getpid()), "-x", "ffmpeg"], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_cancel_kills_ffmpeg_and_leaves_nothing(
    owner, owner_client, tmp_path, settings, monkeypatch, temp_dir
):
    settings.MEDIA_X264_PRESET = "placebo"  # a job that runs long enough to be cancelled
    long_video = samples.make_video(tmp_path / "long.mp4", seconds=30, width=640, height=360)
    source = ready_asset(owner, "video", long_video)
    queued = []
    monkeypatch.setattr(tasks.run_edit_job, "delay", lambda job_id: queued.append(job_id))

    response = post(
        owner_client,
        "video-editing/",
        {
            "source": str(source.id),
            "operations": [
                {"type": "filters", "blur": 4, "sepia": True},
                {"type": "text_overlay", "text": "Long job", "size": 48},
            ],
        },
    )
    assert response.status_code == 202
    [job_id] = queued
    assert str(job_id) == response.json()["id"]

    outcome = {}

    def worker():
        try:
            outcome["result"] = tasks.run_edit_job.apply(args=[job_id]).get()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        [pid] = wait_for(ffmpeg_children, 20, "FFmpeg to start")
        wait_for(lambda: EditJob.objects.get(id=job_id).progress > 0, 20, "progress")
        assert EditJob.objects.get(id=job_id).status == "running"
        assert any(p.name.startswith("cnt-edit-") for p in temp_dir.iterdir())

        response = owner_client.delete(f"/api/v1/video-editing/jobs/{job_id}")
        assert response.status_code == 202
        assert response.json()["status"] == "cancelled"
    finally:
        thread.join(timeout=30)
    assert not thread.is_alive()

    assert outcome["result"] == "cancelled"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert ffmpeg_children() == []
    job = EditJob.objects.get(id=job_id)
    assert job.status == "cancelled" and job.result is None and job.finished_at
    assert list(MediaAsset.objects.values_list("id", flat=True)) == [source.id]
    assert list(temp_dir.iterdir()) == []
