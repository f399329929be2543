"""How many PostgreSQL connections one uvicorn process keeps after a burst of requests.

    DATABASE_URL=postgres://.../cnt_x python bench/db_connections.py [--requests 250]
        [--concurrency 20] [--path /ready/ --path /api/v1/music] [--port 8765]

Starts `uvicorn cnt.asgi:application` (one process, the environment as given: the database
must be migrated), sends the requests from a thread pool of --concurrency, samples the
server's connections to that database (pg_stat_activity) every 20 ms while they run, and
prints the status codes, the peak and the connections still open one second after the last
answer. Before the connection pool (CONN_MAX_AGE=60 under ASGI) every request thread kept
its own connection; with the pool the figure stays at DB_POOL_MAX_SIZE or below.
"""

import argparse
import collections
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]


def server_connections(conn, dbname: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [dbname],
    ).fetchone()
    return row[0]


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"uvicorn exited with {process.returncode}")
        try:
            httpx.get(f"{base}/health/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    sys.exit("uvicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--path", action="append", dest="paths")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    paths = args.paths or ["/ready/", "/api/v1/music"]

    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/db_connections.py needs DATABASE_URL=postgres://... (PostgreSQL).")
    dbname = parts.path.lstrip("/")
    monitor = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
    base = f"http://127.0.0.1:{args.port}"

    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--port", str(args.port), "--log-level", "warning"]
        + ["cnt.asgi:application"],
        cwd=ROOT,
    )
    try:
        wait_until_up(base, process)
        idle_before = server_connections(monitor, dbname)
        peak, done = [idle_before], threading.Event()

        def sample():
            while not done.is_set():
                peak.append(server_connections(monitor, dbname))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        client = httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=200))

        def call(index: int) -> int:
            try:
                return client.get(paths[index % len(paths)]).status_code
            except httpx.HTTPError as exc:
                return type(exc).__name__

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            codes = collections.Counter(pool.map(call, range(args.requests)))
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        time.sleep(1)
        after = server_connections(monitor, dbname)
        print(
            f"{args.requests} requests at {args.concurrency}-way concurrency in {elapsed:.1f} s "
            f"({args.requests / elapsed:.0f} req/s) on {', '.join(paths)}"
        )
        print(f"status codes: {dict(codes)}")
        print(f"server connections: before {idle_before}, peak {max(peak)}, after {after}")
    finally:
        process.terminate()
        process.wait(10)
        monitor.close()


if __name__ == "__main__":
    main()
