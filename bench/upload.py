"""Upload memory benchmark: the server's peak memory for a 1 MiB and a 1 GiB upload.

Starts the real ASGI server (uvicorn, as `make run` does) per upload, streams a WAV file to
/api/v1/upload/audio with `requests`, and reads the server's peak RSS (VmHWM).

    python bench/upload.py [--large-mib 1024]
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import ROOT, setup

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def make_wav(path: Path, mib: float) -> Path:
    seconds = mib * 1024 * 1024 / (44100 * 2 * 2)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=440:duration={seconds:.3f}", "-ac", "2", "-c:a", "pcm_s16le",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


def measure(workdir: Path, env: dict, token: str, path: Path) -> tuple[float, float, float]:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "cnt.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/health/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        idle = peak_rss_mib(server.pid)
        start = time.perf_counter()
        with path.open("rb") as handle:
            response = requests.post(
                f"http://127.0.0.1:{port}/api/v1/upload/audio",
                files={"file": (path.name, handle, "audio/wav")},
                headers={"Authorization": f"Bearer {token}"},
                timeout=3600,
            )
        elapsed = time.perf_counter() - start
        assert response.status_code == 201, response.text[:500]
        return idle, peak_rss_mib(server.pid), elapsed
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large-mib", type=float, default=1024)
    args = parser.parse_args()
    # Processing is queued to an in-memory broker nobody consumes: this measures the upload.
    workdir = setup("upload", CELERY_TASK_ALWAYS_EAGER=0, CELERY_BROKER_URL="memory://localhost/")
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User

    user = User.objects.create(username="bench", email="bench@example.com")
    token = str(RefreshToken.for_user(user).access_token)
    env = {**os.environ, "MEDIA_MAX_AUDIO_BYTES": str(4 * 1024**3)}
    print("size        idle RSS   peak RSS   growth    time")
    results = {}
    for label, mib in (("1 MiB", 1), (f"{args.large_mib:.0f} MiB", args.large_mib)):
        path = make_wav(workdir / f"upload-{mib}.wav", mib)
        idle, peak, elapsed = measure(workdir, env, token, path)
        results[label] = peak
        print(f"{label:10} {idle:8.1f} MB {peak:8.1f} MB {peak - idle:7.1f} MB {elapsed:7.1f} s")
        path.unlink()
    small, large = results.values()
    print(f"peak difference: {large - small:.1f} MB (target: within 50 MB)")


if __name__ == "__main__":
    main()
