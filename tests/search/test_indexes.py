"""The search queries use the indexes of migrations catalog/0003, 0004 and bible/0004
(PostgreSQL only)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import kinds
from catalog.lexicon import lexicon_rebuild
from catalog.models import Artist, Movie, MusicTrack, Podcast
from catalog.search import SearchResults
from cnt.models import ModerationStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORDS = ["river", "mountain", "valley", "harbor", "garden", "city", "road", "journey"]
INDEXES = {
    "podcasts_search_idx",
    "movies_search_idx",
    "music_tracks_search_idx",
    "bible_stories_search_idx",
    "artists_search_idx",
    "artists_name_trgm_idx",
    "search_words_trgm_idx",
}


@pytest.fixture(autouse=True)
def _postgres_only():
    # The suite runs on PostgreSQL (make test); the indexes exist only there.
    assert connection.vendor == "postgresql"


@pytest.fixture
def populated(db):
    """Enough approved rows, analysed, for the planner to prefer an index over a scan."""
    owner = UserFactory()
    User = type(owner)
    users = User.objects.bulk_create(
        [User(username=f"band{n}", email=f"band{n}@example.com", password="!") for n in range(2000)]
    )
    artists = Artist.objects.bulk_create(
        [
            Artist(user=user, name=f"Band {WORDS[n % len(WORDS)]} {n}")
            for n, user in enumerate(users)
        ]
    )
    for model in (Podcast, Movie, MusicTrack):
        model.objects.bulk_create(
            [
                model(
                    title=f"Song number {n} of the {WORDS[n % len(WORDS)]}",
                    description="Recorded live.",
                    owner=owner,
                    artist=artists[n % len(artists)],
                    status=ModerationStatus.APPROVED,
                )
                for n in range(3000)
            ]
        )
    with connection.cursor() as cursor:
        for table in ("podcasts", "movies", "music_tracks", "artists"):
            cursor.execute(f"ANALYZE {table}")


def test_the_migration_created_the_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)]
        )
        assert {row[0] for row in cursor.fetchall()} == INDEXES
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)


def drop_other_indexes():
    """Under LIMIT, on a few thousand rows, the planner may walk any index that covers
    `status` instead; the question here is whether the search indexes *can* serve the
    queries, so the other indexes of the content tables go (for this transaction only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND NOT indexname = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
            [["podcasts", "movies", "music_tracks", "bible_stories"], list(INDEXES)],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


def forbid_scans(cursor):
    # On a few thousand rows a scan may still be cheapest; what matters here is that the
    # query's expressions and operators match the indexes, so plain scans are ruled out.
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("SET LOCAL enable_indexscan = off")


def plan_of(search: SearchResults, tsquery: str) -> str:
    sql, params = search.page_sql(tsquery)
    with connection.cursor() as cursor:
        forbid_scans(cursor)
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_each_searchable_kind_stores_its_search_document():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, is_generated FROM information_schema.columns "
            "WHERE column_name = 'search_document' ORDER BY table_name"
        )
        assert cursor.fetchall() == [
            ("bible_stories", "ALWAYS"),
            ("media_transcripts", "ALWAYS"),  # what was said, one document per asset
            ("movies", "ALWAYS"),
            ("music_tracks", "ALWAYS"),
            ("podcasts", "ALWAYS"),
        ]
    tables = {kind.model._meta.db_table for kind in kinds.searchable_kinds()}
    assert tables == {"bible_stories", "movies", "music_tracks", "podcasts"}


def test_full_text_and_artist_matching_use_their_indexes(populated):
    drop_other_indexes()
    plan = plan_of(SearchResults(query="amazing grace"), "amazing:* & grace:*")
    for name in (
        "podcasts_search_idx",
        "movies_search_idx",
        "music_tracks_search_idx",
        "bible_stories_search_idx",
        "media_transcripts_search_idx",  # items by what was said in them
    ):
        assert name in plan
    assert "artists_search_idx" in plan


def test_typo_correction_walks_the_lexicon_index(populated):
    lexicon_rebuild()
    with CaptureQueriesContext(connection) as captured:
        corrections = SearchResults(query="mountian jurney").corrections()
    assert corrections["mountian"][0] == "mountain"
    assert corrections["jurney"][0] == "journey"
    with connection.cursor() as cursor:
        # The nearest-word walk is an index scan ordered by distance; only plain scans go.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {captured.captured_queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_words_trgm_idx" in plan  # the nearest-word walk
    # The "is it a known word" probe: the pattern-ops index PostgreSQL gets for the key.
    assert re.search(r"Index Only Scan using search_words_word_\w+_like", plan), plan
