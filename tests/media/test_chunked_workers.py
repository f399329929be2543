"""A long video's chunks run as a real chord on real Celery workers (Redis broker and
result backend); the pool process encoding one chunk is killed mid-chunk, its chunk is
redelivered, and the asset still comes out whole."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
import redis
from django.conf import settings

from media import samples, services, storage
from media.models import AssetStatus, MediaAsset
from tests.factories import UserFactory
from tests.media.test_chunked import _assert_plays_across_joins
from tests.media.test_worker_crash import CELERY, ROOT, _children, _wait_for, _worker_env

BROKER_DB = 10


def _chunk_encoders(worker_pid: int) -> dict[int, str]:
    """{pool process: the chunk its FFmpeg child encodes}."""
    found = {}
    for child in _children(worker_pid):
        for grandchild in _children(child):
            try:
                command = Path(f"/proc/{grandchild}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            names = [part.decode() for part in command if b"_%05d.ts" in part]
            if names:
                found[child] = Path(names[0]).name.split("_")[0]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_killed_chunk_is_redelivered_and_the_chord_completes(tmp_path, monkeypatch):
    redis.Redis(db=BROKER_DB).flushdb()
    source = samples.make_video(
        tmp_path / "long.mp4", seconds=20, width=854, height=480, keyframe_seconds=1,
        video_kbps=2500,
    )  # fmt: skip
    monkeypatch.setattr(services, "asset_schedule_processing", lambda **kwargs: None)
    asset = services.asset_create_from_path(
        owner=UserFactory(), purpose="video", path=source, filename="long.mp4"
    )
    url = f"redis://127.0.0.1:6379/{BROKER_DB}"
    env = {
        **_worker_env(tmp_path),
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "MEDIA_PARALLEL_MIN_SECONDS": "10",
        "MEDIA_CHUNK_SECONDS": "6",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [CELERY, "-A", "cnt", "worker", "-Q", "media,default", "-c", "2", "-P", "prefork",
         "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    killed = []
    try:
        worker_log = tmp_path / "worker.log"
        _wait_for(lambda: "ready." in worker_log.read_text(), 120, "the worker to start")
        subprocess.run(
            [CELERY, "-A", "cnt", "call", "media.process_asset", "--args", f'["{asset.id}"]'],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

        def encoding_chunk_one():
            for pool, chunk in _chunk_encoders(worker.pid).items():
                if chunk == "c00001":
                    os.kill(pool, signal.SIGKILL)
                    killed.append(pool)
                    return True
            return False

        _wait_for(encoding_chunk_one, 120, "chunk 1 to be encoding")

        def ready():
            return MediaAsset.objects.filter(id=asset.id, status=AssetStatus.READY).exists()

        _wait_for(ready, 240, "the chord to finish")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()

    asset.refresh_from_db()
    worker_log = (tmp_path / "worker.log").read_text()
    assert killed and asset.processing_attempts == 1, worker_log[-3000:]
    assert worker_log.count("media.finish_chunks[") >= 1
    base = Path(settings.MEDIA_ROOT) / asset.output_prefix / "hls"
    for name in ("480p", "360p"):
        _assert_plays_across_joins(base / name / "index.m3u8")
    assert not [k for k in storage.list_keys(asset.output_prefix) if "/chunks/" in k]
