"""Search inside what was said: GET /api/v1/search over many hours of transcript segments,
next to a bare SQL query of the same data.

    DATABASE_URL=postgres://... python bench/transcript_search.py [--hours 10000]
        [--requests 300] [--keep] [--reuse]

Creates a throwaway PostgreSQL database (`cnt_bench_transcripts`, or $BENCH_DATABASE) on the
server of DATABASE_URL, migrates it, and fills it with approved podcasts of one hour each
(an audio asset apiece) and their transcript segments: a caption cue every ~5 s (720 an
hour), sentences drawn from a sermon vocabulary with a Zipf-like skew, loaded with COPY
(the GIN index is built after the load, as a bulk import would). Then measures sequential
searches through Django's test client for single words, two-word phrases and type-ahead
prefixes, and the bare SQL of the same transcript match (items by their transcript
document, approved, ranked, top 20, and three moments each). Prints p50/p95/p99 and the
ratio. The database is dropped at the end
unless --keep (--reuse skips the fill when it exists).

Target: transcript search p95 <= 30 ms over 10,000 hours.
"""

import argparse
import io
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import Stats, conninfo, create_database, database_urls, drop_database
from api import run as run_case

ROOT = Path(__file__).resolve().parents[1]
SEGMENTS_PER_HOUR = 720
BATCH = 500  # items per COPY batch

COMMON = (  # noqa: SIM905 - a word list reads better as text
    "god lord jesus christ love faith hope grace church people heart life world spirit "
    "word father brother sister pray prayer heaven peace mercy light truth kingdom power "
    "glory"
).split()
RARE = (  # noqa: SIM905 - a word list reads better as text
    "forgiveness reconciliation repentance redemption covenant shepherd prodigal "
    "samaritan wilderness jubilee tabernacle pentecost resurrection lamentation "
    "sanctification stewardship hospitality perseverance gethsemane bethlehem nazareth "
    "galilee jericho zacchaeus nicodemus barnabas macedonia corinth ephesus philippi "
    "thessalonica antioch damascus jordan sinai canaan babylon nineveh goliath gideon "
    "deborah boaz naomi ruth"
).split()
FILLER = (  # noqa: SIM905 - a word list reads better as text
    "and the we you our today is it that this was in of to for with when then he she they "
    "said says know see come go walk speak listen remember give take receive believe "
    "trust"
).split()


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 13)):
        roll = rng.random()
        if roll < 0.55:
            words.append(rng.choice(FILLER))
        elif roll < 0.95:
            words.append(COMMON[min(int(rng.paretovariate(1.2)) - 1, len(COMMON) - 1)])
        else:
            words.append(rng.choice(RARE))
    return " ".join(words).capitalize() + "."


def setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(bench_url: str, hours: int, seed: int = 5) -> float:
    """The podcasts (ORM bulk inserts) and their segments (COPY); returns the seconds."""
    import psycopg
    from django.contrib.auth import get_user_model

    from catalog.models import Artist, Podcast
    from media.models import MediaAsset

    rng = random.Random(seed)
    started = time.monotonic()
    User = get_user_model()
    owners = User.objects.bulk_create(
        [User(username=f"preacher{i}", email=f"p{i}@example.org") for i in range(200)]
    )
    artists = Artist.objects.bulk_create(
        [Artist(user=user, name=f"Pastor {i}") for i, user in enumerate(owners)]
    )
    assets, podcasts = [], []
    for index in range(hours):
        owner = owners[index % len(owners)]
        asset = MediaAsset(
            id=uuid.uuid4(),
            owner=owner,
            kind="audio",
            status="ready",
            storage_key=f"audio/{uuid.uuid4()}.mp3",
            output_prefix=f"derived/{uuid.uuid4()}",
            duration_seconds=3600.0,
        )
        assets.append(asset)
        podcasts.append(
            Podcast(
                owner=owner,
                artist=artists[index % len(artists)],
                title=f"Sunday service {index}",
                description="The week's sermon.",
                audio=asset,
                duration_seconds=3600,
                status="approved" if index % 10 else "pending",
            )
        )
    MediaAsset.objects.bulk_create(assets, batch_size=2000)
    Podcast.objects.bulk_create(podcasts, batch_size=2000)
    print(f"{hours} podcasts in {time.monotonic() - started:.0f}s", flush=True)

    with psycopg.connect(conninfo(bench_url), autocommit=True) as conn:
        conn.execute("DROP INDEX IF EXISTS media_transcript_segments_search_idx")
        columns = '(asset_id, position, start, "end", text, words)'
        conn.execute("DROP INDEX IF EXISTS media_transcripts_search_idx")
        transcript_columns = (
            "(asset_id, status, requested_language, language, source, words, paragraphs, "
            "caption_languages, text, error, attempts, created_at, updated_at)"
        )
        for first in range(0, len(assets), BATCH):
            buffer, documents = io.StringIO(), io.StringIO()
            for asset in assets[first : first + BATCH]:
                said = []
                for position in range(SEGMENTS_PER_HOUR):
                    start = position * 5.0
                    text = sentence(rng)
                    said.append(text)
                    buffer.write(f"{asset.id}\t{position}\t{start}\t{start + 4.8}\t{text}\t[]\n")
                document = "\\n".join(said)
                documents.write(
                    f'{asset.id}\tready\t\ten\tgenerated\t[]\t[]\t["en"]\t{document}\t\t1'
                    "\tnow\tnow\n"
                )
            with conn.cursor().copy(f"COPY media_transcript_segments {columns} FROM STDIN") as cp:
                cp.write(buffer.getvalue())
            with conn.cursor().copy(
                f"COPY media_transcripts {transcript_columns} FROM STDIN"
            ) as cp:
                cp.write(documents.getvalue())
            done = min(first + BATCH, len(assets))
            print(f"  {done * SEGMENTS_PER_HOUR:,} segments", flush=True)
        index_started = time.monotonic()
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute(
            "CREATE INDEX media_transcript_segments_search_idx "
            "ON media_transcript_segments USING gin (search_vector)"
        )
        conn.execute(
            "CREATE INDEX media_transcripts_search_idx "
            "ON media_transcripts USING gin (search_document)"
        )
        conn.execute("ANALYZE media_transcript_segments")
        conn.execute("ANALYZE media_transcripts")
        conn.execute("ANALYZE podcasts")
        print(f"GIN index in {time.monotonic() - index_started:.0f}s", flush=True)
    return time.monotonic() - started


def measure(bench_url: str, requests: int) -> int:
    import psycopg
    from django.test import Client

    from catalog.search import SPOKEN_CANDIDATES, terms_of, tsquery_text

    rng = random.Random(13)
    client = Client()
    queries = [rng.choice(RARE) for _ in range(150)]
    queries += [rng.choice(COMMON) for _ in range(100)]
    queries += [f"{rng.choice(COMMON)} {rng.choice(RARE)}" for _ in range(100)]
    queries += [rng.choice(RARE)[:5] for _ in range(50)]  # type-ahead prefixes
    rng.shuffle(queries)

    # No server-side prepared statements: after five runs psycopg would switch to a generic
    # plan, which for a full-text LIMIT query is a worse one than Django's (which sends
    # its parameters with each query) gets.
    bare = psycopg.connect(conninfo(bench_url), autocommit=True, prepare_threshold=None)

    def bare_search(i):
        # The transcript part of the endpoint's work, by hand: the items whose transcript
        # has the words (at most SPOKEN_CANDIDATES, ranked), approved, top 20, and the first
        # three matching segments of each.
        text = tsquery_text(terms_of(queries[i % len(queries)]))
        rows = bare.execute(
            "WITH q AS (SELECT to_tsquery('english'::regconfig, %s) AS q),"
            " spoken AS (SELECT t.asset_id, ts_rank(t.search_document, q.q) AS rank"
            "  FROM media_transcripts t, q WHERE t.search_document @@ q.q"
            f"  LIMIT {SPOKEN_CANDIDATES})"
            " SELECT p.id, p.title, p.audio_id, sp.rank FROM spoken sp JOIN podcasts p"
            " ON p.audio_id = sp.asset_id WHERE p.status = 'approved'"
            " ORDER BY sp.rank DESC, p.id DESC LIMIT 20",
            [text],
        ).fetchall()
        moments = tsquery_text(terms_of(queries[i % len(queries)]), any_term=True)
        bare.execute(
            "SELECT a.id, m.start, m.text FROM unnest(%s::uuid[]) AS a(id)"
            " CROSS JOIN (SELECT to_tsquery('english'::regconfig, %s) AS q) q"
            " CROSS JOIN LATERAL (SELECT s.start, s.text FROM media_transcript_segments s"
            "  WHERE s.asset_id = a.id AND s.search_vector @@ q.q ORDER BY s.position LIMIT 3) m",
            [[row[2] for row in rows], moments],
        ).fetchall()

    def endpoint(i):
        response = client.get("/api/v1/search", {"q": queries[i % len(queries)]})
        if response.status_code != 200:
            raise SystemExit(f"search -> {response.status_code}: {response.content[:300]!r}")
        return response

    hits = endpoint(0).json()
    print(f"'{queries[0]}': {hits['count']} hits, first moments {hits['results'][0]['moments']}")
    print(f"\n{requests} sequential requests per case, 30 warm-up; latency in ms")
    print(f"{'implementation':40} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}")
    results: dict[str, Stats] = {}
    cases = (("GET /api/v1/search (transcripts too)", endpoint), ("bare SQL", bare_search))
    for label, fn in cases:
        stats = run_case(fn, requests)
        results[label] = stats
        print(f"{label:40} {stats.rps:8.0f} {stats.p50:7.2f} {stats.p95:7.2f} {stats.p99:7.2f}")
    bare.close()
    api, base = results["GET /api/v1/search (transcripts too)"], results["bare SQL"]
    print(f"\nratio to bare SQL (p50): {api.p50 / base.p50:.1f}x")
    ok = api.p95 <= 30
    print(f"target: {'PASS' if ok else 'FAIL'}  transcript search p95 <= 30 ms ({api.p95:.1f})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()

    name = os.environ.get("BENCH_DATABASE", "cnt_bench_transcripts")
    admin_url, bench_url = database_urls(os.environ.get("DATABASE_URL", ""), name)
    reused = create_database(admin_url, name, args.reuse)
    try:
        setup_django(bench_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if not reused:
            seconds = fill(bench_url, args.hours)
            print(f"filled {args.hours:,} hours in {seconds:.0f}s", flush=True)
        return measure(bench_url, args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
