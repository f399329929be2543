"""The inputs of bench/api.py's cases and the same reads as bare SQL (psycopg, no Django):
what a list row and a detail carry, and a search pass."""

import random

import psycopg
from _catalogue import ADJECTIVES, NOUNS, VERBS

TYPO_QUERIES = ["amzing grace", "shepard", "hallelujh", "kingdon", "glorius", "fiath"]

# What a list row and a detail carry: the track, its artist, category, audio asset with the
# state of its renditions, and its cover (one query, as lean as SQL gets).
FIELDS = (
    "m.id, m.title, m.description, m.duration_seconds, m.play_count, m.tags, m.album, "
    "m.genre, m.lyrics, m.status, m.created_at, m.updated_at, m.published_at, "
    "a.id, a.name, a.is_verified, c.id, c.name, c.slug, "
    "au.id, au.kind, au.status, au.output_prefix, au.duration_seconds, "
    "th.id, th.kind, th.status, th.output_prefix, "
    "(SELECT json_agg(json_build_object('name', r.name, 'status', r.status)) "
    " FROM media_renditions r WHERE r.asset_id = au.id)"
)
JOINS = (
    "music_tracks m LEFT JOIN artists a ON a.id = m.artist_id "
    "LEFT JOIN categories c ON c.id = m.category_id "
    "LEFT JOIN media_assets au ON au.id = m.audio_id "
    "LEFT JOIN media_assets th ON th.id = m.thumbnail_id"
)
# What a search hit carries.
HIT_FIELDS = "m.id, m.title, m.description, m.duration_seconds, a.id, a.name, m.thumbnail_id"


class BareQueries:
    """Inputs (500 approved ids, the same by popularity, search queries) and bare reads."""

    def __init__(self, conninfo: str, seed: int = 11):
        from catalog.models import MusicTrack

        rng = random.Random(seed)
        self.ids = list(
            MusicTrack.objects.filter(status="approved")
            .order_by("?")
            .values_list("id", flat=True)[:500]
        )
        # Reads of a catalogue follow popularity: Zipf-distributed over the same 500 items.
        weights = [1 / (rank + 1) for rank in range(len(self.ids))]
        self.popular = rng.choices(self.ids, weights=weights, k=5000)
        words = ADJECTIVES + NOUNS + VERBS
        queries = [rng.choice(words) for _ in range(200)]
        queries += [f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}" for _ in range(100)]
        queries += [rng.choice(NOUNS)[:4] for _ in range(50)]  # type-ahead prefixes
        rng.shuffle(queries)
        self.queries = queries
        self.typos = TYPO_QUERIES
        self.conn = psycopg.connect(conninfo, autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def list(self, i):
        self.conn.execute("SELECT count(*) FROM music_tracks WHERE status = 'approved'").fetchone()
        self.conn.execute(
            f"SELECT {FIELDS} FROM {JOINS} "
            "WHERE m.status = 'approved' ORDER BY m.created_at DESC, m.id DESC LIMIT 20"
        ).fetchall()

    def detail(self, i):
        self.conn.execute(
            f"SELECT {FIELDS} FROM {JOINS} WHERE m.id = %s AND m.status = 'approved'",
            [self.ids[i % len(self.ids)]],
        ).fetchone()

    def search(self, i):
        from catalog.search import CANDIDATES, DOCUMENT_COLUMN, terms_of, tsquery_text

        # The same work as the endpoint's page query: rank at most CANDIDATES matches.
        text = tsquery_text(terms_of(self.queries[i % len(self.queries)]))
        document = f"m.{DOCUMENT_COLUMN}"
        self.conn.execute(
            f"SELECT {HIT_FIELDS}, c.r, count(*) OVER () FROM ("
            f"  SELECT m.id, ts_rank({document}, to_tsquery('english'::regconfig, %s)) AS r"
            "   FROM music_tracks m WHERE m.status = 'approved'"
            f"  AND ({document}) @@ to_tsquery('english'::regconfig, %s) LIMIT %s"
            ") c JOIN music_tracks m ON m.id = c.id LEFT JOIN artists a ON a.id = m.artist_id"
            " ORDER BY c.r DESC, m.id DESC LIMIT 20",
            [text, text, CANDIDATES],
        ).fetchall()
