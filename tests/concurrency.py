"""Concurrent calls for the suite's race tests, on a bounded number of threads.

Every thread holds a database connection while it runs, and the suite shares its PostgreSQL
server with whatever else runs on it (pytest -n 2, other clients): an unbounded fan-out of 50
threads per test ran the server out of connections ("too many clients"). At most WORKERS
calls run at once, the first WORKERS of them released together by a barrier so they really
collide; each thread gives its connection back (to the pool) when its call ends. WORKERS
stays below DB_POOL_MAX_SIZE (default 10), as the test's own thread holds one connection.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

WORKERS = 8


def run_concurrently(calls, *, workers: int = WORKERS) -> list:
    """Run the calls on at most `workers` threads, the first of them started at the same
    moment; return their results in order (an exception is raised as it was)."""
    workers = min(workers, len(calls))
    barrier = threading.Barrier(workers)

    def run(indexed):
        index, call = indexed
        try:
            # The first `workers` calls are each taken by a thread of their own (each waits
            # here until all have arrived), so the barrier cannot block the pool.
            if index < workers:
                barrier.wait(timeout=60)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, enumerate(calls)))
