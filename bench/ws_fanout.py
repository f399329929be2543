"""WebSocket fan-out benchmark: 1,000 sockets on the real server (uvicorn + Channels +
Redis channel layer), one notification pushed to each (e.g. a live stream starting for
1,000 followers); prints p50/p99 delivery latency.

    python bench/ws_fanout.py [--sockets 1000] [--redis redis://127.0.0.1:6379/5]
"""

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import ROOT, setup

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


async def run(port: int, tokens: dict[int, str], layer) -> list[float]:
    import websockets

    latencies: list[float] = []
    ready = asyncio.Event()
    connected = 0

    async def client(user_id: int, token: str):
        nonlocal connected
        uri = f"ws://127.0.0.1:{port}/ws/notifications/?token={token}"
        async with websockets.connect(uri, open_timeout=60, max_queue=None) as ws:
            await ws.recv()  # connection.ready: the group is joined
            connected += 1
            if connected == len(tokens):
                ready.set()
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            latencies.append(time.time() - message["data"]["sent_at"])

    tasks = []
    for user_id, token in tokens.items():
        tasks.append(asyncio.create_task(client(user_id, token)))
        if len(tasks) % 100 == 0:
            await asyncio.sleep(0.05)  # do not stampede the accept queue
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(f"{len(tokens)} sockets connected; broadcasting …", flush=True)
    from cnt.realtime import user_group

    for user_id in tokens:
        await layer.group_send(
            user_group(user_id),
            {
                "type": "push.event",
                "event": "live.stream.started",
                "payload": {"stream_id": 1, "sent_at": time.time()},
            },
        )
    await asyncio.gather(*tasks)
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    raise_fd_limit(4 * args.sockets + 256)
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # no groups left from an earlier run
    setup("ws", CELERY_TASK_ALWAYS_EAGER=1)
    os.environ["REDIS_URL"] = args.redis

    from channels_redis.core import RedisChannelLayer
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    users = User.objects.bulk_create(
        [User(username=f"fan{i}", email=f"fan{i}@example.com") for i in range(args.sockets)]
    )
    tokens = {user.id: str(AccessToken.for_user(user)) for user in users}
    port = free_port()
    env = {**os.environ, "REDIS_URL": args.redis}
    server = subprocess.Popen(
        [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--log-level", "warning", "--backlog", "4096", "cnt.asgi:application"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_serving(port)
        layer = RedisChannelLayer(hosts=[args.redis], prefix="cnt", capacity=10000)
        started = time.perf_counter()
        latencies = asyncio.run(run(port, tokens, layer))
        total = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # it waits on 1,000 open sockets to close
            server.kill()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"delivered {len(latencies)}/{args.sockets} in a run of {total:.1f} s")
    print(
        f"delivery latency  p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
        f"max {latencies[-1] * 1000:7.1f} ms   (target: p99 ≤ 1000 ms)"
    )


if __name__ == "__main__":
    main()
