"""The embedded mode with its worker, as `make run` starts it (honcho, Procfile.dev): on a
SQLite file, without Redis, an upload answers before any transcode (the worker does it,
through kombu's filesystem broker), its progress and "ready" arrive over the notifications
socket from the worker's process (cnt/channel_spool.py), and one Ctrl-C stops everything."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from media import samples

ROOT = Path(__file__).resolve().parents[2]
TOKEN_SCRIPT = (
    "from rest_framework_simplejwt.tokens import RefreshToken\n"
    "from tests.factories import UserFactory\n"
    "print(RefreshToken.for_user(UserFactory()).access_token)\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def embedded(tmp_path):
    """A migrated SQLite file, a user's access token, and `make run`'s processes."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cnt.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        EMBEDDED_WORKER="1",
        LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    token = subprocess.run(
        [*manage, "shell", "-c", TOKEN_SCRIPT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()[-1]
    port = free_port()
    log = (tmp_path / "honcho.log").open("w")
    honcho = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "honcho"), "-f", "Procfile.dev", "start", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health/", 90)
        yield {"port": port, "token": token, "honcho": honcho, "dir": tmp_path}
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
        log.close()


def descendants(pid: int) -> set[int]:
    """Every process under `pid` (honcho's shells, uvicorn, the Celery worker and its pool)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_an_upload_answers_at_once_and_becomes_ready_over_the_socket(embedded):
    port, token = embedded["port"], embedded["token"]
    tone = samples.make_tone(embedded["dir"] / "tone.mp3", seconds=4, frequency=440)
    with connect(f"ws://127.0.0.1:{port}/ws/notifications/?token={token}") as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connection.ready"
        with tone.open("rb") as upload:
            response = requests.post(
                f"http://127.0.0.1:{port}/api/v1/upload/audio",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("tone.mp3", upload, "audio/mpeg")},
                timeout=30,
            )
        assert response.status_code == 201, response.text
        asset = response.json()
        # The answer came before any transcode: nothing is processed, nothing is ready.
        assert asset["status"] == "uploaded"
        assert all(r["status"] == "pending" for r in asset.get("renditions", []))

        events = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=max(1, deadline - time.monotonic())))
            data = message.get("data") or {}
            if data.get("id") == asset["id"]:
                events.append((message["type"], data["status"]))
                if data["status"] in {"ready", "failed"}:
                    break
    assert events[-1] == ("media.asset.updated", "ready"), events
    # Progress arrived from the worker's process while it transcoded.
    assert ("media.asset.progress", "processing") in events
    detail = requests.get(
        f"http://127.0.0.1:{port}/api/v1/media/assets/{asset['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert detail.json()["status"] == "ready"
    # The task went through the filesystem broker beside the SQLite file.
    assert (embedded["dir"] / "broker" / "queue").is_dir()

    honcho = embedded["honcho"]
    children = descendants(honcho.pid)
    assert len(children) >= 4  # at least web and worker, each under honcho's shell
    os.killpg(honcho.pid, signal.SIGINT)  # Ctrl-C in the terminal
    honcho.wait(timeout=60)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in children)
