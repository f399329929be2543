"""API benchmark: list, detail and search over 100k music tracks, next to bare SQL.

    DATABASE_URL=postgres://... python bench/api.py [--tracks 100000] [--requests 400] [--keep]

Creates a throwaway PostgreSQL database (`cnt_bench`, or $BENCH_DATABASE) on the server of
DATABASE_URL, migrates it, fills it with realistic tracks (bulk_create, titles from word
lists), then measures sequential requests through Django's test client against whichever of
/api/v1/music, /api/v1/music/{id} and /api/v1/search exist (an ORM list/detail stands in
for a missing endpoint), and the same data fetched by bare SQL with psycopg. Prints
requests per second, p50/p95/p99 latency and the ratio to bare SQL. The database is dropped
at the end unless --keep (and --reuse skips the fill when it is already there).

The floor is an empty DRF view behind the same authentication, URLconf and middleware
(bench-only route). Targets: an uncached detail p50 within 3x the floor, a cached one within
1.5x, a list page within 2x (bare SQL + floor), search p95 <= 15 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from _catalogue import ADJECTIVES, NOUNS, VERBS, fill

ROOT = Path(__file__).resolve().parents[1]


TYPO_QUERIES = ["amzing grace", "shepard", "hallelujh", "kingdon", "glorius", "fiath"]


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


def run(fn, requests: int, warmup: int = 30) -> Stats:
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


def resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()

    name = os.environ.get("BENCH_DATABASE", "cnt_bench")
    admin_url, bench_url = database_urls(os.environ.get("DATABASE_URL", ""), name)
    create_database(admin_url, name, args.reuse)
    try:
        setup_django(bench_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        fill(args.tracks)
        return measure(bench_url, args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, name)


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

    cnt.urls.urlpatterns.insert(0, path(FLOOR_PATH.lstrip("/"), FloorView.as_view()))
    clear_url_caches()


def measure(bench_url: str, requests: int) -> int:
    from django.db import connection
    from django.test import Client

    from catalog.models import MusicTrack
    from catalog.search import CANDIDATES, DOCUMENT_COLUMN, terms_of, tsquery_text

    rng = random.Random(11)
    client = Client()
    ids = list(
        MusicTrack.objects.filter(status="approved")
        .order_by("?")
        .values_list("id", flat=True)[:500]
    )
    words = ADJECTIVES + NOUNS + VERBS
    queries = [rng.choice(words) for _ in range(200)]
    queries += [f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}" for _ in range(100)]
    queries += [rng.choice(NOUNS)[:4] for _ in range(50)]  # type-ahead prefixes
    rng.shuffle(queries)
    typos = TYPO_QUERIES

    bare = psycopg.connect(conninfo(bench_url), autocommit=True)
    # What a list row and a detail carry: the track, its artist, category, audio asset with
    # the state of its renditions, and its cover (one query, as lean as SQL gets).
    fields = (
        "m.id, m.title, m.description, m.duration_seconds, m.play_count, m.tags, m.album, "
        "m.genre, m.lyrics, m.status, m.created_at, m.updated_at, m.published_at, "
        "a.id, a.name, a.is_verified, c.id, c.name, c.slug, "
        "au.id, au.kind, au.status, au.output_prefix, au.duration_seconds, "
        "th.id, th.kind, th.status, th.output_prefix, "
        "(SELECT json_agg(json_build_object('name', r.name, 'status', r.status)) "
        " FROM media_renditions r WHERE r.asset_id = au.id)"
    )
    joins = (
        "music_tracks m LEFT JOIN artists a ON a.id = m.artist_id "
        "LEFT JOIN categories c ON c.id = m.category_id "
        "LEFT JOIN media_assets au ON au.id = m.audio_id "
        "LEFT JOIN media_assets th ON th.id = m.thumbnail_id"
    )

    def bare_list(i):
        bare.execute("SELECT count(*) FROM music_tracks WHERE status = 'approved'").fetchone()
        bare.execute(
            f"SELECT {fields} FROM {joins} "
            "WHERE m.status = 'approved' ORDER BY m.created_at DESC, m.id DESC LIMIT 20"
        ).fetchall()

    def bare_detail(i):
        bare.execute(
            f"SELECT {fields} FROM {joins} WHERE m.id = %s AND m.status = 'approved'",
            [ids[i % len(ids)]],
        ).fetchone()

    # Reads of a catalogue follow popularity: Zipf-distributed over the same 500 items.
    popular = rng.choices(ids, weights=[1 / (rank + 1) for rank in range(len(ids))], k=5000)

    document = f"m.{DOCUMENT_COLUMN}"

    # What a search hit carries.
    hit_fields = "m.id, m.title, m.description, m.duration_seconds, a.id, a.name, m.thumbnail_id"

    def bare_search(i):
        # The same work as the endpoint's page query: rank at most CANDIDATES matches.
        text = tsquery_text(terms_of(queries[i % len(queries)]))
        bare.execute(
            f"SELECT {hit_fields}, c.r, count(*) OVER () FROM ("
            f"  SELECT m.id, ts_rank({document}, to_tsquery('english'::regconfig, %s)) AS r"
            "   FROM music_tracks m WHERE m.status = 'approved'"
            f"  AND ({document}) @@ to_tsquery('english'::regconfig, %s) LIMIT %s"
            ") c JOIN music_tracks m ON m.id = c.id LEFT JOIN artists a ON a.id = m.artist_id"
            " ORDER BY c.r DESC, m.id DESC LIMIT 20",
            [text, text, CANDIDATES],
        ).fetchall()

    def get(path):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} -> {response.status_code}: {response.content[:300]!r}")
        return response

    install_floor()
    cases = [("floor", "GET /bench/floor (empty DRF view)", lambda i: get(FLOOR_PATH))]
    if resolves("/api/v1/music"):
        cases.append(("list", "GET /api/v1/music", lambda i: get("/api/v1/music?page_size=20")))
    else:

        def orm_list(i):
            queryset = MusicTrack.objects.filter(status="approved")
            queryset.count()
            list(queryset.select_related("artist").order_by("-created_at", "-id")[:20])

        cases.append(("list", "ORM list (no /api/v1/music)", orm_list))
    cases.append(("list", "bare SQL", bare_list))
    if ids and resolves(f"/api/v1/music/{ids[0]}"):
        cases.append(
            (
                "detail",
                "GET /api/v1/music/{id} (popular)",
                lambda i: get(f"/api/v1/music/{popular[i % len(popular)]}"),
            )
        )
        cases.append(
            (
                "detail",
                "GET /api/v1/music/{id} (each once)",
                lambda i: get(f"/api/v1/music/{ids[i % len(ids)]}"),
            )
        )
    else:

        def orm_detail(i):
            MusicTrack.objects.select_related("artist").get(pk=ids[i % len(ids)], status="approved")

        cases.append(("detail", "ORM get (no /api/v1/music/{id})", orm_detail))
    cases.append(("detail", "bare SQL", bare_detail))
    if resolves("/api/v1/search"):
        cases += [
            (
                "search",
                "GET /api/v1/search (words)",
                lambda i: get(f"/api/v1/search?q={queries[i % len(queries)]}"),
            ),
            (
                "search",
                "GET /api/v1/search?type=music",
                lambda i: get(f"/api/v1/search?q={queries[i % len(queries)]}&type=music"),
            ),
            (
                "search",
                "GET /api/v1/search (typos)",
                lambda i: get(f"/api/v1/search?q={typos[i % len(typos)]}"),
            ),
        ]
    cases.append(("search", "bare SQL (FTS, music only)", bare_search))

    print(f"\n{requests} sequential requests per case, 30 warm-up; latency in ms")
    print(
        f"{'case':8} {'implementation':34} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}  queries"
    )
    results = {}
    for case, label, fn in cases:
        stats = run(fn, requests)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            fn(30 + requests)  # an input the run has not seen (a cache miss for details)
        results.setdefault(case, []).append((label, stats))
        n = counter.count if not label.startswith("bare") else "-"
        print(
            f"{case:8} {label:34} {stats.rps:8.0f} {stats.p50:7.2f} {stats.p95:7.2f} "
            f"{stats.p99:7.2f}  {n}"
        )
    bare.close()

    floor = results["floor"][0][1]
    print(f"\nratios (p50) to bare SQL and to the floor ({floor.p50:.2f} ms):")
    verdicts = []
    for case, rows in results.items():
        if case == "floor":
            continue
        base = next(stats for label, stats in rows if label.startswith("bare"))
        for label, stats in rows:
            if label.startswith("bare"):
                continue
            print(
                f"  {case:8} {label:34} {stats.p50 / base.p50:5.1f}x bare SQL  "
                f"{stats.p50 / floor.p50:5.1f}x floor"
            )
            if not label.startswith("GET"):
                continue
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
                verdicts.append(
                    (f"list p50 <= 2x (bare SQL + floor) ({label})", stats.p50 <= limit)
                )
            if case == "search":
                verdicts.append((f"search p95 <= 15 ms ({label})", stats.p95 <= 15))
    print("\ntargets:")
    for text, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
