"""API benchmark: list, detail, search and the community feed at 100k and 1M music tracks,
next to bare SQL and the framework's floor.

    DATABASE_URL=postgres://... python bench/api.py [--sizes 100000,1000000] [--quick]
        [--requests 400] [--keep] [--reuse]

Creates a throwaway PostgreSQL database (`cnt_bench`, or $BENCH_DATABASE) on the server of
DATABASE_URL, migrates it and, for each size in turn (smallest first, growing the same
catalogue), fills it with realistic tracks (COPY: bench/_fill.py), then measures sequential
requests through Django's test client against /api/v1/music, /api/v1/music/{id},
/api/v1/search and /api/v1/community/posts, and the same data fetched by bare SQL with
psycopg. Prints requests per second, p50/p95/p99 latency, queries per request, the ratio
to bare SQL and to the floor, and how each case grows from one size to the next. When
bench/_http.py is there, each size's run ends with the same reads over HTTP (uvicorn).
The database is dropped at the end unless --keep (--reuse skips the fill when the
catalogue is already that large).

The floor is an empty DRF view behind the same authentication, URLconf and middleware
(bench-only route). Targets: an uncached detail p50 within 3x the floor, a cached one within
1.5x, a list page within 2x (bare SQL + floor), search p95 <= 15 ms at 100k tracks and
<= 30 ms at 1M.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from _bare import BareQueries
from _fill import fill

ROOT = Path(__file__).resolve().parents[1]
SIZES = [100_000, 1_000_000]
QUICK_SIZES = [2_000, 10_000]
WARMUP = 30


def database_urls(url: str, name: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench/api.py needs DATABASE_URL=postgres://... (PostgreSQL).")
    return (
        urlunsplit(parts._replace(path="/postgres")),
        urlunsplit(parts._replace(path=f"/{name}")),
    )


def conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def create_database(admin_url: str, name: str, reuse: bool) -> bool:
    """Create the bench database; True when it already existed and is reused."""
    with psycopg.connect(conninfo(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(conninfo(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
    os.environ["DEBUG"] = "0"
    # A fresh cache namespace: every run starts cold, whatever an earlier run left in Redis.
    os.environ["CACHE_KEY_PREFIX"] = f"bench-{time.time_ns()}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Stats:
    def __init__(self, latencies: list[float], elapsed: float):
        ordered = sorted(latencies)
        self.rps = len(latencies) / elapsed
        self.p50 = statistics.median(ordered) * 1000
        self.p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
        self.p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000


def run(fn, requests: int, warmup: int = WARMUP) -> Stats:
    for i in range(warmup):
        fn(i)
    latencies = []
    started = time.perf_counter()
    for i in range(warmup, warmup + requests):  # past the warm-up's inputs
        t = time.perf_counter()
        fn(i)
        latencies.append(time.perf_counter() - t)
    return Stats(latencies, time.perf_counter() - started)


class QueryCounter:
    """Counts the ORM's queries (the test client resets connection.queries per request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


FLOOR_PATH = "/bench/floor"


def install_floor() -> None:
    """The framework's floor: an empty DRF view that authenticates the way the real
    endpoints do (the default authentication and permission classes) and answers a small
    fixed JSON body, routed through the same URLconf and middleware."""
    from django.urls import clear_url_caches, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    import cnt.urls

    class FloorView(APIView):
        def get(self, request):
            return Response({"id": 1, "title": "floor", "duration": 1.0})

    if not any(getattr(p, "name", None) == "bench-floor" for p in cnt.urls.urlpatterns):
        route = path(FLOOR_PATH.lstrip("/"), FloorView.as_view(), name="bench-floor")
        cnt.urls.urlpatterns.insert(0, route)
    clear_url_caches()


def http_cases(inputs) -> list[tuple[str, str, list[str]]]:
    """The reads to repeat over HTTP: (case, label, the paths to GET in turn)."""
    return [
        ("floor", "GET /bench/floor", [FLOOR_PATH]),
        ("detail", "GET /api/v1/music/{id} (each once)", inputs.detail_paths),
        ("detail", "GET /api/v1/music/{id} (popular)", inputs.popular_paths),
        ("list", "GET /api/v1/music", [inputs.list_path]),
        ("search", "GET /api/v1/search (words)", inputs.search_paths),
    ]


class Inputs:
    """What the cases read: 500 approved ids in random order, the same ids by popularity
    (Zipf), and the search queries (bench/_bare.py)."""

    def __init__(self, bare: BareQueries):
        ids = bare.ids
        self.list_path = "/api/v1/music?page_size=20"
        self.detail_paths = [f"/api/v1/music/{pk}" for pk in ids]
        self.popular_paths = [f"/api/v1/music/{pk}" for pk in bare.popular]
        self.search_paths = [f"/api/v1/search?q={q}" for q in bare.queries]
        self.music_search_paths = [f"{p}&type=music" for p in self.search_paths]
        self.typo_paths = [f"/api/v1/search?q={q}" for q in bare.typos]
        self.feed_path = "/api/v1/community/posts?page_size=20"


def measure(bench_url: str, requests: int, tracks: int) -> list[tuple]:
    """Every case once, printed as it runs; [(case, label, stats, queries)]."""
    from django.db import connection
    from django.test import Client

    client = Client()
    bare = BareQueries(conninfo(bench_url))
    inputs = Inputs(bare)

    def get(path):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} -> {response.status_code}: {response.content[:300]!r}")
        return response

    def cycle(paths):
        return lambda i: get(paths[i % len(paths)])

    install_floor()
    cases = [
        ("floor", "GET /bench/floor (empty DRF view)", cycle([FLOOR_PATH])),
        ("list", "GET /api/v1/music", cycle([inputs.list_path])),
        ("list", "bare SQL", bare.list),
        ("detail", "GET /api/v1/music/{id} (popular)", cycle(inputs.popular_paths)),
        ("detail", "GET /api/v1/music/{id} (each once)", cycle(inputs.detail_paths)),
        ("detail", "bare SQL", bare.detail),
        ("search", "GET /api/v1/search (words)", cycle(inputs.search_paths)),
        ("search", "GET /api/v1/search?type=music", cycle(inputs.music_search_paths)),
        ("search", "GET /api/v1/search (typos)", cycle(inputs.typo_paths)),
        ("search", "bare SQL (FTS, music only)", bare.search),
        ("feed", "GET /api/v1/community/posts", cycle([inputs.feed_path])),
    ]
    print(f"\n{tracks} tracks: {requests} sequential requests per case, {WARMUP} warm-up; ms")
    print(
        f"{'case':8} {'implementation':34} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}  queries"
    )
    rows = []
    for case, label, fn in cases:
        stats = run(fn, requests)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            fn(WARMUP + requests)  # an input the run has not seen (a cache miss for details)
        n = counter.count if not label.startswith("bare") else "-"
        rows.append((case, label, stats, n))
        print(
            f"{case:8} {label:34} {stats.rps:8.0f} {stats.p50:7.2f} {stats.p95:7.2f} "
            f"{stats.p99:7.2f}  {n}"
        )
    bare.close()
    report_targets(rows, tracks)
    measure_over_http(bench_url, inputs, rows)
    return rows


def search_target(tracks: int) -> float:
    return 15.0 if tracks <= 100_000 else 30.0


def report_targets(rows: list[tuple], tracks: int) -> None:
    floor = next(stats for case, _, stats, _ in rows if case == "floor")
    bare = {case: stats for case, label, stats, _ in rows if label.startswith("bare")}
    print(f"\nratios (p50) to bare SQL and to the floor ({floor.p50:.2f} ms):")
    verdicts = []
    for case, label, stats, _ in rows:
        if case == "floor" or label.startswith("bare"):
            continue
        base = bare.get(case)
        to_bare = f"{stats.p50 / base.p50:5.1f}x bare SQL" if base else " " * 15
        print(f"  {case:8} {label:34} {to_bare}  {stats.p50 / floor.p50:5.1f}x floor")
        if case == "detail" and "each once" in label:
            verdicts.append(
                (f"detail uncached p50 <= 3x floor ({label})", stats.p50 <= 3 * floor.p50)
            )
        if case == "detail" and "popular" in label:
            verdicts.append(
                (f"detail cached p50 <= 1.5x floor ({label})", stats.p50 <= 1.5 * floor.p50)
            )
        if case == "list":
            limit = 2 * (base.p50 + floor.p50)
            verdicts.append((f"list p50 <= 2x (bare SQL + floor) ({label})", stats.p50 <= limit))
        if case == "search":
            target = search_target(tracks)
            verdicts.append((f"search p95 <= {target:.0f} ms ({label})", stats.p95 <= target))
    print(f"\ntargets at {tracks} tracks:")
    for text, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


def measure_over_http(bench_url: str, inputs: Inputs, rows: list[tuple]) -> None:
    """The same reads served by uvicorn, when bench/_http.py (the HTTP side) is there."""
    try:
        from _http import measure_http
    except ImportError:
        return
    floor = next(stats for case, _, stats, _ in rows if case == "floor")
    try:
        measure_http(bench_url, http_cases(inputs), in_process_floor_ms=floor.p50)
    except TypeError:  # a measure_http without the in-process floor argument
        measure_http(bench_url, http_cases(inputs))


def report_growth(results: dict[int, list[tuple]]) -> None:
    """Each case's p50 (and p95) at every size, and the ratio largest/smallest."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    low, high = sizes[0], sizes[-1]
    head = " ".join(f"{f'p50@{s // 1000}k':>10}" for s in sizes)
    print(f"\ngrowth from {low} to {high} tracks (ms; ratio {high // 1000}k/{low // 1000}k):")
    print(f"{'case':8} {'implementation':34} {head} {'ratio':>6} {'p95 ratio':>9}")
    by_size = {size: {(c, lbl): s for c, lbl, s, _ in rows} for size, rows in results.items()}
    for case, label, _, _ in results[low]:
        stats = [by_size[size].get((case, label)) for size in sizes]
        if any(s is None for s in stats):
            continue
        cells = " ".join(f"{s.p50:10.2f}" for s in stats)
        ratio = stats[-1].p50 / stats[0].p50
        p95_ratio = stats[-1].p95 / stats[0].p95
        print(f"{case:8} {label:34} {cells} {ratio:5.2f}x {p95_ratio:8.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="catalogue sizes to measure at, comma-separated (default 100000,1000000)",
    )
    parser.add_argument("--tracks", type=int, help="one size only (same as --sizes N)")
    parser.add_argument(
        "--quick", action="store_true", help=f"a small run: sizes {QUICK_SIZES}, 100 requests"
    )
    parser.add_argument("--requests", type=int, default=None, help="per case (default 400)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()
    if args.tracks:
        sizes = [args.tracks]
    elif args.quick:
        sizes = QUICK_SIZES
    else:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    requests = args.requests or (100 if args.quick else 400)

    name = os.environ.get("BENCH_DATABASE", "cnt_bench")
    admin_url, bench_url = database_urls(os.environ.get("DATABASE_URL", ""), name)
    create_database(admin_url, name, args.reuse)
    results = {}
    try:
        setup_django(bench_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        for size in sizes:
            tracks = fill(size)  # more than `size` when a reused catalogue is larger
            results[tracks] = measure(bench_url, requests, tracks)
        report_growth(results)
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
