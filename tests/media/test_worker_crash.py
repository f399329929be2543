"""A real Celery worker on the real Redis broker is killed mid-transcode; the redelivered
task still brings the asset to `ready` with one set of renditions and no orphans."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from media import gc, layout, samples, services, storage
from media.models import AssetStatus, MediaAsset, Rendition
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
BROKER_DB = 9


def _worker_env(tmp_path) -> dict:
    db = connection.settings_dict
    redis_url = f"redis://127.0.0.1:6379/{BROKER_DB}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cnt.settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "MEDIA_X264_PRESET": "ultrafast",
        "MEDIA_HLS_SEGMENT_SECONDS": "2",
        "MEDIA_HEARTBEAT_STALE_SECONDS": "3",
        "FILE_UPLOAD_TEMP_DIR": str(tmp_path),
    }


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


@pytest.mark.django_db(transaction=True)
def test_killed_worker_redelivers_and_finishes_cleanly(tmp_path, monkeypatch):
    redis.Redis(db=BROKER_DB).flushdb()
    source = samples.make_video(tmp_path / "long.mp4", seconds=40, width=1280, height=720)
    monkeypatch.setattr(services, "asset_schedule_processing", lambda **kwargs: None)
    asset = services.asset_create_from_path(
        owner=UserFactory(), purpose="video", path=source, filename="long.mp4"
    )
    env = _worker_env(tmp_path)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [CELERY, "-A", "cnt", "worker", "-Q", "media,default", "-c", "1", "-P", "prefork",
         "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        subprocess.run(
            [CELERY, "-A", "cnt", "call", "media.process_asset", "--args", f'["{asset.id}"]'],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

        def transcoding():
            return Rendition.objects.filter(asset=asset, name="720p", progress__gt=0.15).exists()

        _wait_for(transcoding, 90, "the transcode to start")
        for child in _children(worker.pid):  # the pool process running the task
            os.kill(child, signal.SIGKILL)

        def ready():
            return MediaAsset.objects.filter(id=asset.id, status=AssetStatus.READY).exists()

        # The redelivered run makes every rung, the data-saver ones and the downloads too.
        _wait_for(ready, 300, "the redelivered task to finish")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()

    asset.refresh_from_db()
    assert asset.processing_attempts == 2, (tmp_path / "worker.log").read_text()[-3000:]
    names = sorted(asset.renditions.values_list("name", flat=True))
    assert names == [
        "144p", "240p", "360p", "480p", "720p", "download_data-saver", "download_high",
        "download_standard", "poster", "thumbnail",
    ]  # fmt: skip
    assert set(asset.renditions.values_list("status", flat=True)) == {"ready"}
    root = layout.asset_root(asset.purpose, asset.id)
    runs = {key[len(root) + 1 :].split("/")[0] for key in storage.list_keys(root)}
    assert runs == {asset.output_prefix.rsplit("/", 1)[1]}
    assert list(gc.orphaned_keys(grace=timedelta(0))) == []
    playlist = Path(settings.MEDIA_ROOT) / asset.output_prefix / "hls" / "720p" / "index.m3u8"
    assert playlist.read_text().count("#EXTINF") == 20
