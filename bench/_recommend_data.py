"""Data of bench/recommend.py: listening histories with planted taste clusters and their
load into PostgreSQL with COPY (users, artists, categories, tracks with processed audio,
play events and finished playback rows)."""

import io
import itertools
import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

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
