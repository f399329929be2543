"""Fill the bench catalogue fast: music tracks (bench/_catalogue.py's titles, descriptions
and tags), each streaming a processed audio asset with three HLS renditions and a waveform,
spread over a few hundred artists, and a few thousand community posts for the feed.

The rows are written with PostgreSQL's COPY (psycopg `cursor.copy`), not the ORM: a
million tracks, their assets and four million renditions load in minutes. Non-unique
indexes of the filled tables are dropped for the load and rebuilt after it (one sort
each instead of one insertion per row). Columns the generator does not set take their
model field's default, so a new field with a default needs no change here.
"""

import random
import time
import uuid
from datetime import timedelta

from _catalogue import ADJECTIVES, FIRST, GENRES, GROUPS, NOUNS, RENDITIONS, TAGS
from _catalogue import description as track_description
from _catalogue import title as track_title

BATCH = 20_000
POSTS_PER_1000_TRACKS = 20
MAX_POSTS = 5_000


class Copier:
    """COPY rows of one model: `varying` columns (attnames) per row, every other concrete
    column its field's default (computed once), `auto_now` columns the load's start."""

    def __init__(self, model, varying: list[str], now):
        from django.db import connection

        self.model = model
        self.varying = varying
        constant = {}
        for field in model._meta.concrete_fields:
            if field.attname in varying:
                continue
            if field.primary_key:
                continue  # the sequence numbers it
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            constant[field.column] = field.get_db_prep_save(value, connection)
        self.json_columns = {
            i
            for i, name in enumerate(varying)
            if model._meta.get_field(name).get_internal_type() == "JSONField"
        }
        columns = [model._meta.get_field(name).column for name in varying] + list(constant)
        self.constants = tuple(constant.values())
        quote = connection.ops.quote_name
        self.sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            "FROM STDIN"
        )

    def write(self, cursor, rows) -> int:
        from psycopg.types.json import Jsonb

        count = 0
        json_columns = self.json_columns
        with cursor.copy(self.sql) as copy:
            for row in rows:
                if json_columns:
                    row = [Jsonb(v) if i in json_columns else v for i, v in enumerate(row)]
                copy.write_row((*row, *self.constants))
                count += 1
        return count


def _non_unique_indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
        [table],
    )
    return cursor.fetchall()


def _creators(tracks: int, rng: random.Random):
    from django.contrib.auth import get_user_model

    from catalog.models import Artist

    User = get_user_model()
    wanted = max(50, tracks // 200)
    artists = list(Artist.objects.order_by("id").values_list("id", "user_id"))
    if len(artists) >= wanted:
        return artists
    start = len(artists)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com", password="!")
            for i in range(start, wanted)
        ],
        batch_size=2000,
    )
    names = [
        f"{rng.choice(FIRST).title()} {rng.choice(GROUPS).title()} {i}"
        for i in range(start, wanted)
    ]
    created = Artist.objects.bulk_create(
        [Artist(user=u, name=name) for u, name in zip(users, names, strict=True)],
        batch_size=2000,
    )
    return artists + [(a.id, a.user_id) for a in created]


def fill(tracks: int, seed: int = 7) -> int:
    """Grow the catalogue to `tracks` music tracks (a no-op when it has them); returns the
    number it has."""
    from django.db import connection
    from django.utils import timezone

    from catalog.lexicon import lexicon_rebuild
    from catalog.models import MusicTrack
    from media.models import MediaAsset, Rendition

    have = MusicTrack.objects.count()
    if have >= tracks:
        print(f"reusing {have} tracks")
        _posts(have)
        return have
    started = time.monotonic()
    rng = random.Random(seed + have)
    now = timezone.now()
    artists = _creators(tracks, rng)
    assets = Copier(
        MediaAsset,
        ["id", "owner_id", "kind", "purpose", "status", "storage_key", "content_type",
         "size_bytes", "duration_seconds", "output_prefix"],
        now,
    )  # fmt: skip
    renditions = Copier(Rendition, ["asset_id", "name", "kind", "status", "progress"], now)
    music = Copier(
        MusicTrack,
        ["id", "title", "description", "owner_id", "artist_id", "status", "album", "genre",
         "tags", "duration_seconds", "play_count", "audio_id", "created_at", "updated_at",
         "published_at"],
        now,
    )  # fmt: skip
    tables = [m._meta.db_table for m in (MediaAsset, Rendition, MusicTrack)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM music_tracks")
        first_id = cursor.fetchone()[0] + 1
        dropped = [index for table in tables for index in _non_unique_indexes(cursor, table)]
        for name, _ in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        try:
            last = first_id + tracks - have
            for start in range(first_id, last, BATCH):
                asset_rows, rendition_rows, track_rows = _batch(
                    rng, range(start, min(start + BATCH, last)), artists, now
                )
                assets.write(cursor, asset_rows)
                renditions.write(cursor, rendition_rows)
                music.write(cursor, track_rows)
                print(
                    f"  {min(start + BATCH, last) - first_id + have} tracks", end="\r", flush=True
                )
        finally:
            for _, definition in dropped:
                cursor.execute(definition)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('music_tracks', 'id'), "
            "(SELECT max(id) FROM music_tracks))"
        )
        for table in tables:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    lexicon_rebuild()
    _posts(tracks)
    print(
        f"filled {tracks - have} tracks (now {tracks}), {len(artists)} artists in "
        f"{time.monotonic() - started:.1f}s"
    )
    return tracks


def _batch(rng: random.Random, track_ids: range, artists: list, now):
    """The rows of one COPY batch: assets, their renditions, the tracks."""
    asset_rows, rendition_rows, track_rows = [], [], []
    for track_id in track_ids:
        artist_id, user_id = artists[track_id % len(artists)]
        asset_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        roll = rng.random()
        status = "approved" if roll < 0.9 else ("pending" if roll < 0.97 else "rejected")
        duration = rng.randint(120, 420)
        text = track_title(rng)
        # Newest first is a real ordering: each track a minute older than the one before.
        created = now - timedelta(minutes=track_id)
        asset_rows.append(
            (asset_id, user_id, "audio", "audio", "ready", f"audio/bench/{asset_id}.mp3",
             "audio/mpeg", 4_000_000, duration, f"derived/bench/{asset_id}")
        )  # fmt: skip
        for name, kind in RENDITIONS:
            rendition_rows.append((asset_id, name, kind, "ready", 1.0))
        track_rows.append(
            (track_id, text, track_description(rng, text), user_id, artist_id, status,
             f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}".title(), rng.choice(GENRES),
             rng.sample(TAGS, rng.randint(1, 3)), duration, int(rng.paretovariate(1.2) * 10),
             asset_id, created, created, created if status == "approved" else None)
        )  # fmt: skip
    return asset_rows, rendition_rows, track_rows


def _posts(tracks: int) -> None:
    """Approved community posts by the bench's artists, for the feed (a fixed few thousand:
    the feed reads its newest page whatever the table's size)."""
    from django.db import connection
    from django.utils import timezone

    from community.models import CommunityPost

    wanted = min(MAX_POSTS, max(100, tracks * POSTS_PER_1000_TRACKS // 1000))
    have = CommunityPost.objects.count()
    if have >= wanted:
        return
    from catalog.models import Artist

    rng = random.Random(have)
    authors = list(Artist.objects.values_list("user_id", flat=True)[:500])
    now = timezone.now()
    posts = Copier(
        CommunityPost,
        ["author_id", "body", "status", "likes_count", "comments_count", "created_at"],
        now,
    )
    rows = [
        (
            rng.choice(authors),
            f"{rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS)}: {track_title(rng)}.",
            "approved",
            rng.randint(0, 40),
            rng.randint(0, 8),
            now - timedelta(minutes=n),
        )
        for n in range(have, wanted)
    ]
    with connection.cursor() as cursor:
        posts.write(cursor, rows)
        cursor.execute(f'VACUUM ANALYZE "{CommunityPost._meta.db_table}"')
