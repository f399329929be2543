"""Recommendations benchmark: hit-rate@10 on held-out plays beside a popularity baseline, and
the latency of GET /api/v1/me/recommendations and GET /api/v1/music/{id}/related.

    DATABASE_URL=postgres://... python bench/recommend.py [--quick] [--users 100000]
        [--items 10000] [--eval 1000] [--keep] [--reuse] [--profile N]

Creates a throwaway PostgreSQL database (`cnt_bench_recommend`, or $BENCH_DATABASE) on the
server of DATABASE_URL, migrates it and loads, with COPY, listening data with planted taste
clusters: music tracks in CLUSTERS clusters (each artist's tracks in one), listeners who
each belong to a cluster and play mostly its tracks (popular ones more often), the rest
from the whole catalogue's popularity. Every play is a play event and a finished playback
row. For a sample of listeners the last two plays are held out (never loaded).

The update task then runs twice, as beat would run it: over the first 90% of the plays and
over the rest (the incremental run reads only those). Then each sampled listener asks for
ten recommendations: a hit is a held-out track among them. The baseline recommends the ten
most played tracks the listener has not played. Prints both hit-rates and their ratio, and
p50/p95/p99 of the two endpoints. The database is dropped at the end unless --keep
(--reuse skips the load when the database exists).

Targets: hit-rate@10 at least 2x the baseline; p95 <= 20 ms at 100k users x 10k items
(--quick: 5k users x 1k items).
"""

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _recommend_data import CLUSTERS, HELD_OUT, copy_plays, generate, load
from api import Stats, conninfo, create_database, database_urls, drop_database, setup_django


def timed_update(label: str) -> None:
    from catalog.recommendations.services import recommendations_update

    started = time.monotonic()
    result = recommendations_update()
    seconds = time.monotonic() - started
    print(
        f"update ({label}): {result.plays:,} plays -> {result.engagements:,} engagements, "
        f"{result.pairs:,} pairs changed, in {result.runs} run(s), {seconds:.1f}s"
    )


def measure(histories: dict, held_out: dict, requests: int) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from catalog.recommendations.cache import generation_bump

    User = get_user_model()
    client = Client()
    # Every listener's first request computes their list (none is left from an earlier run
    # on a reused database; item summaries may be cached, as the warm-up would leave them).
    generation_bump()
    popular = [item for item, _ in Counter(i for p in histories.values() for i in p).most_common()]
    evaluated = sorted(held_out)
    users = {u.pk: u for u in User.objects.filter(pk__in=[u + 1 for u in evaluated])}
    rec_hits = base_hits = 0
    latencies = []
    warm = [evaluated[i % len(evaluated)] for i in range(30)]
    for n, user in enumerate([*warm, *evaluated]):
        token = str(AccessToken.for_user(users[user + 1]))
        started = time.perf_counter()
        response = client.get(
            "/api/v1/me/recommendations",
            {"page_size": 10},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(
                f"recommendations -> {response.status_code}: {response.content[:300]!r}"
            )
        if n < len(warm):
            continue
        latencies.append(elapsed)
        got = {row["item"]["id"] - 1 for row in response.json()["results"]}
        wanted = set(held_out[user])
        rec_hits += bool(got & wanted)
        played = set(histories[user])
        baseline = [item for item in popular if item not in played and item % 50][:10]
        base_hits += bool(set(baseline) & wanted)
        if (n - len(warm)) % 100 == 0:
            print(f"\r  evaluated {n - len(warm):,}/{len(evaluated):,}", end="", flush=True)
    print()
    recs = Stats(latencies, sum(latencies))
    rng = random.Random(17)
    targets = [rng.choice(popular[:2000]) + 1 for _ in range(requests)]
    targets = [t for t in targets if (t - 1) % 50] or [2]

    def related(i):
        response = client.get(
            f"/api/v1/music/{targets[i % len(targets)]}/related", {"page_size": 10}
        )
        if response.status_code != 200:
            raise SystemExit(f"related -> {response.status_code}: {response.content[:300]!r}")

    from api import FLOOR_PATH, install_floor, run

    rel = run(related, requests)
    # The framework's floor: an empty DRF view behind the same authentication and middleware.
    install_floor()
    token = str(AccessToken.for_user(users[evaluated[0] + 1]))
    floor = run(lambda i: client.get(FLOOR_PATH, HTTP_AUTHORIZATION=f"Bearer {token}"), requests)
    total = len(evaluated)
    rec_rate, base_rate = rec_hits / total, base_hits / total
    print(f"\nhit-rate@10 over {total:,} listeners with {HELD_OUT} held-out plays each")
    print(f"{'recommender':36} {'hit-rate@10':>12}")
    print(f"{'co-occurrence (me/recommendations)':36} {rec_rate:12.3f}")
    print(f"{'popularity baseline':36} {base_rate:12.3f}")
    ratio = rec_rate / base_rate if base_rate else float("inf")
    print(f"ratio: {ratio:.1f}x")
    print(f"\nlatency in ms (sequential, {total:,} and {requests:,} requests)")
    print(f"{'endpoint':36} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}")
    cases = (
        ("GET me/recommendations", recs),
        ("GET music/{id}/related", rel),
        ("floor (empty view, same auth)", floor),
    )
    for label, stats in cases:
        print(f"{label:36} {stats.rps:8.0f} {stats.p50:7.2f} {stats.p95:7.2f} {stats.p99:7.2f}")
    print(f"ratio to the floor (p50): recommendations {recs.p50 / floor.p50:.1f}x")
    print(
        f"\ntarget: {'PASS' if ratio >= 2 else 'FAIL'}  hit-rate@10 >= 2x baseline ({ratio:.1f}x)"
    )
    fast = recs.p95 <= 20
    print(f"target: {'PASS' if fast else 'FAIL'}  recommendations p95 <= 20 ms ({recs.p95:.1f})")
    return 0


def profile(histories: dict, held_out: dict, requests: int) -> None:
    """cProfile `requests` recommendation requests of listeners the measurement did not ask
    for (nothing of theirs is cached), and print where the time went."""
    import cProfile
    import pstats

    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    others = [u + 1 for u in histories if u not in held_out][:requests]
    users = list(get_user_model().objects.filter(pk__in=others))
    tokens = [str(AccessToken.for_user(user)) for user in users]
    client = Client()
    profiler = cProfile.Profile()
    profiler.enable()
    for token in tokens:
        client.get(
            "/api/v1/me/recommendations", {"page_size": 10}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    profiler.disable()
    print(f"\ncProfile of {len(tokens)} requests (cumulative):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5k users x 1k items")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--eval", type=int, default=1000, help="listeners with held-out plays")
    parser.add_argument("--requests", type=int, default=300, help="related requests")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="then cProfile N more requests"
    )
    args = parser.parse_args()
    if args.quick:
        args.users, args.items = 5_000, 1_000

    name = os.environ.get("BENCH_DATABASE", "cnt_bench_recommend")
    admin_url, bench_url = database_urls(os.environ.get("DATABASE_URL", ""), name)
    reused = create_database(admin_url, name, args.reuse)
    os.environ["RECOMMENDATIONS_SETTLE_SECONDS"] = "0"
    started = time.monotonic()
    histories, held_out, cluster_of = generate(args.users, args.items, args.eval)
    print(
        f"{args.users:,} listeners x {args.items:,} tracks in {CLUSTERS} taste clusters: "
        f"{sum(map(len, histories.values())):,} training plays, {len(held_out):,} listeners "
        f"with held-out plays (generated in {time.monotonic() - started:.0f}s)",
        flush=True,
    )
    try:
        setup_django(bench_url)
        import psycopg
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if not reused:
            with psycopg.connect(conninfo(bench_url), autocommit=True) as conn:
                plays = load(conn, args.users, args.items, histories, cluster_of)
                split = int(len(plays) * 0.9)
                copy_plays(conn, plays[:split], 1, "first 90%")
                conn.execute("ANALYZE")
            timed_update("first 90% of the plays")
            with psycopg.connect(conninfo(bench_url), autocommit=True) as conn:
                copy_plays(conn, plays[split:], split + 1, "last 10%")
                conn.execute("ANALYZE")
            timed_update("incremental: the last 10%")
            with psycopg.connect(conninfo(bench_url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        status = measure(histories, held_out, args.requests)
        if args.profile:
            profile(histories, held_out, args.profile)
        return status
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
