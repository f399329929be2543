"""`make cluster` runs the production topology on one machine: the production settings,
two web processes, a Celery worker per queue, beat, PostgreSQL, Redis and a local S3. An
upload goes through it end to end: the request answers before the transcode, the media
worker publishes the HLS ladder to S3, and the signed URL plays from there."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import psycopg
import pytest
import redis

from media import samples

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13  # apart from the suite's per-worker databases (15, 14, ...)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432"))
    return f"{parts.scheme}://{parts.netloc}"


def _call(method: str, url: str, *, token: str = "", body=None, files=None, timeout=60):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if files is not None:
        boundary = "cnt-cluster-test"
        name, content = files
        data = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read(), response.headers


def _wait_ready(base: str, process, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the cluster stopped:\n{log.read_text()[-3000:]}")
        try:
            status, _, _ = _call("GET", f"{base}/ready/", timeout=5)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"the cluster was not ready in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def cluster(tmp_path):
    port, s3_port = _free_port(), _free_port()
    database = f"cnt_cluster_{os.getpid()}_{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
        and not key.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        CLUSTER_PORT=str(port),
        CLUSTER_S3_PORT=str(s3_port),
        CLUSTER_DB=database,
        CLUSTER_REDIS_DB=str(REDIS_DB),
        CLUSTER_PG=_server_url(),
        CLUSTER_VAR=str(tmp_path / "var"),
        DB_POOL_MAX_SIZE="2",
    )
    redis.Redis(db=REDIS_DB).flushdb()
    log = tmp_path / "cluster.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts/cluster.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, log, seconds=300)
        yield {"base": base, "s3": f"http://127.0.0.1:{s3_port}", "log": log}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # one Ctrl-C stops everything
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        redis.Redis(db=REDIS_DB).flushdb()


def test_an_upload_goes_through_the_production_topology_end_to_end(cluster, tmp_path):
    base = cluster["base"]
    _, body, _ = _call(
        "POST",
        f"{base}/api/v1/auth/register",
        body={
            "email": "cluster@example.com",
            "username": "cluster_user",
            "password": "Sea-Otter-Lantern-91",
            "display_name": "Cluster",
        },
    )
    token = json.loads(body)["access"]
    tone = samples.make_tone(tmp_path / "tone.mp3", seconds=4, frequency=440)

    status, body, _ = _call(
        "POST", f"{base}/api/v1/upload/audio", token=token, files=("tone.mp3", tone.read_bytes())
    )
    assert status == 201
    asset = json.loads(body)
    # Answered before the transcode: the media worker does that, in another process.
    assert asset["status"] in ("uploaded", "processing")

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        _, body, _ = _call("GET", f"{base}/api/v1/media/assets/{asset['id']}", token=token)
        asset = json.loads(body)
        if asset["status"] in ("ready", "failed"):
            break
        time.sleep(1)
    assert asset["status"] == "ready", asset["error"] or cluster["log"].read_text()[-3000:]

    # The ladder is in the S3 bucket, and the signed master playlist plays from there.
    s3 = boto3.client(
        "s3",
        endpoint_url=cluster["s3"],
        region_name="us-east-1",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster",
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="cnt-cluster")["Contents"]]
    assert any(key.endswith("master.m3u8") for key in keys)
    assert sum(key.endswith((".ts", ".m4s", ".aac")) for key in keys) >= 3
    status, master, headers = _call("GET", asset["hls_url"])
    assert status == 200 and master.startswith(b"#EXTM3U")

    log = cluster["log"].read_text()
    # Two web processes, a worker per queue and beat ran, on the production settings.
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2
    # The transcode ran on the media queue's worker, the sign-up email on the default one.
    assert re.search(r"media\.1 +\| .*Task media\.process_asset\[[^]]+\] succeeded", log)
    assert re.search(r"default\.1 +\| .*Task accounts\.send_otp_email\[[^]]+\] succeeded", log)
    assert "beat: Starting..." in log
