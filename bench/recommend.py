"""Recommendations benchmark: hit-rate@10 on held-out plays beside a popularity baseline, and
the latency of GET /api/v1/me/recommendations and GET /api/v1/music/{id}/related.

    DATABASE_URL=postgres://... python bench/recommend.py [--quick] [--users 100000]
        [--items 10000] [--eval 1000] [--keep] [--reuse]

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
import io
import itertools
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import Stats, conninfo, create_database, database_urls, drop_database, setup_django

CLUSTERS = 20
IN_CLUSTER = 0.8  # share of a listener's plays from their own cluster
HELD_OUT = 2
TRACKS_PER_ARTIST = 10
CATEGORIES = 8


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(conn, model, rows, progress: str = "") -> int:
    """COPY dicts of field values into `model`'s table; absent fields take the field's
    default (auto_now fields: now). Returns the number of rows."""
    now = datetime.now(UTC)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    auto = model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.generated and not (f.primary_key and auto and f.attname not in first)
    ]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
            defaults[field.attname] = ""
    count = 0
    with conn.cursor().copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for row in itertools.chain([first], rows):
            values = [row[f.attname] if f.attname in row else defaults[f.attname] for f in fields]
            buffer.write("\t".join(_text(v) for v in values) + "\n")
            count += 1
            if count % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
                if progress:
                    print(f"\r  {progress}: {count:,}", end="", flush=True)
        copy.write(buffer.getvalue())
    if progress:
        print(f"\r  {progress}: {count:,}")
    table = model._meta.db_table
    pk = model._meta.pk
    if pk.get_internal_type() in ("AutoField", "BigAutoField"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column}'), "
            f"(SELECT COALESCE(MAX({pk.column}), 1) FROM {table}))"
        )
    return count


def generate(users: int, items: int, evaluated: int, seed: int = 3):
    """Listening histories: {user: [item, ...]} in play order, the held-out plays of the
    evaluated users, each track's cluster and artist."""
    rng = random.Random(seed)
    cluster_of = [i % CLUSTERS for i in range(items)]
    # Popularity: Zipf-like over a random order of the catalogue.
    order = list(range(items))
    rng.shuffle(order)
    weight = [0.0] * items
    for rank, item in enumerate(order, start=1):
        weight[item] = 1 / rank**0.8
    members = [[i for i in range(items) if cluster_of[i] == c] for c in range(CLUSTERS)]

    def cumulative(pool):
        total, out = 0.0, []
        for item in pool:
            total += weight[item]
            out.append(total)
        return out

    member_cum = [cumulative(pool) for pool in members]
    everything = list(range(items))
    everything_cum = cumulative(everything)
    histories, held_out = {}, {}
    chosen = set(rng.sample(range(users), min(evaluated, users)))
    for user in range(users):
        cluster = rng.randrange(CLUSTERS)
        wanted = min(4 + int(rng.expovariate(1 / 12)), 60) + (HELD_OUT if user in chosen else 0)
        played, seen = [], set()
        for _ in range(wanted * 3):
            if len(played) >= wanted:
                break
            if rng.random() < IN_CLUSTER:
                item = rng.choices(members[cluster], cum_weights=member_cum[cluster])[0]
            else:
                item = rng.choices(everything, cum_weights=everything_cum)[0]
            if item not in seen:
                seen.add(item)
                played.append(item)
        if user in chosen and len(played) > HELD_OUT + 2:
            histories[user], held_out[user] = played[:-HELD_OUT], played[-HELD_OUT:]
        else:
            histories[user] = played
    return histories, held_out, cluster_of


def load(conn, users: int, items: int, histories: dict, cluster_of: list) -> list[tuple]:
    """Users, artists, categories, tracks (each streaming a processed audio asset) and the
    training plays; returns the plays as (played_at, user_id, track_id), oldest first."""
    from django.contrib.auth import get_user_model

    from catalog.models import Artist, Category, MusicTrack
    from media.models import MediaAsset, Rendition

    User = get_user_model()
    rng = random.Random(5)
    artists = max(CLUSTERS, items // TRACKS_PER_ARTIST)
    copy_rows(
        conn,
        User,
        (
            {"id": n + 1, "username": f"listener{n}", "email": f"l{n}@example.org", "password": "!"}
            for n in range(users + artists)
        ),
        "users",
    )
    copy_rows(
        conn,
        Artist,
        ({"id": a + 1, "user_id": users + a + 1, "name": f"Artist {a}"} for a in range(artists)),
    )
    copy_rows(
        conn,
        Category,
        (
            {"id": c + 1, "name": f"Category {c}", "slug": f"category-{c}"}
            for c in range(CATEGORIES)
        ),
    )
    # Each artist's tracks are in one cluster: artist a sings cluster a % CLUSTERS.
    by_cluster: dict[int, list[int]] = {}
    for a in range(artists):
        by_cluster.setdefault(a % CLUSTERS, []).append(a)
    assets = [uuid.uuid4() for _ in range(items)]
    artist_of = [rng.choice(by_cluster[cluster_of[i]]) for i in range(items)]
    copy_rows(
        conn,
        MediaAsset,
        (
            {
                "id": assets[i],
                "owner_id": users + artist_of[i] + 1,
                "kind": "audio",
                "purpose": "audio",
                "status": "ready",
                "storage_key": f"audio/bench/{assets[i]}.mp3",
                "content_type": "audio/mpeg",
                "size_bytes": 4_000_000,
                "duration_seconds": 240.0,
                "output_prefix": f"derived/bench/{assets[i]}",
            }
            for i in range(items)
        ),
    )
    renditions = [("aac_256k", "hls_audio"), ("aac_128k", "hls_audio"), ("waveform", "waveform")]
    copy_rows(
        conn,
        Rendition,
        (
            {"asset_id": asset, "name": name, "kind": kind, "status": "ready", "progress": 1.0}
            for asset in assets
            for name, kind in renditions
        ),
    )
    listeners = Counter(item for played in histories.values() for item in played)
    now = datetime.now(UTC)
    copy_rows(
        conn,
        MusicTrack,
        (
            {
                "id": i + 1,
                "title": f"Track {i}",
                "owner_id": users + artist_of[i] + 1,
                "artist_id": artist_of[i] + 1,
                "category_id": rng.randrange(CATEGORIES) + 1,
                "audio_id": assets[i],
                "status": "approved" if i % 50 else "pending",
                "duration_seconds": 240,
                "play_count": listeners[i],
                "published_at": now - timedelta(days=30),
            }
            for i in range(items)
        ),
        "tracks",
    )
    plays = []
    start = now - timedelta(days=6)
    for user, played in histories.items():
        for n, item in enumerate(played):
            at = start + timedelta(seconds=rng.uniform(0, 5.5 * 86400) * (n + 1) / len(played))
            plays.append((at, user + 1, item + 1))
    plays.sort()
    return plays


def copy_plays(conn, plays: list[tuple], first_id: int, label: str) -> None:
    from catalog.models import PlaybackProgress, PlayEvent

    copy_rows(
        conn,
        PlayEvent,
        (
            {
                "id": first_id + n,
                "user_id": u,
                "content_type": "music",
                "object_id": t,
                "played_at": at,
            }
            for n, (at, u, t) in enumerate(plays)
        ),
        f"play events ({label})",
    )
    copy_rows(
        conn,
        PlaybackProgress,
        (
            {
                "user_id": u,
                "content_type": "music",
                "object_id": t,
                "position_seconds": 240.0,
                "duration_seconds": 240.0,
                "is_completed": True,
                "last_counted_at": at,
                "updated_at": at,
            }
            for at, u, t in plays
        ),
    )


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

    User = get_user_model()
    client = Client()
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5k users x 1k items")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--eval", type=int, default=1000, help="listeners with held-out plays")
    parser.add_argument("--requests", type=int, default=300, help="related requests")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
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
        return measure(histories, held_out, args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
