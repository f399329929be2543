"""The embedded default (a SQLite file) takes 20 simultaneous writers of each kind through
the real views: every write succeeds (before WAL and IMMEDIATE transactions most got 503
"database is locked"), and the counters equal the rows."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_twenty_simultaneous_writers_of_each_kind_all_succeed_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cnt.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "cnt" / "sqlite_writers.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["codes"] == {
        "follows": [201] * 20,
        "comments": [201] * 20,
        "progress": [200] * 20,
    }
    assert report["followers_count"] == report["followers"] == 20
    assert report["comments_count"] == report["comments"] == 20
    assert report["progress_rows"] == report["play_count"] == 20
    assert report["journal_mode"] == "wal"
    assert (tmp_path / "db.sqlite3").stat().st_size > 0
