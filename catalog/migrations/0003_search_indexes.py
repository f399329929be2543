"""Search indexes (PostgreSQL only; SQLite searches with icontains and needs none).

GIN expression indexes over the weighted search document of each content table (title A,
tags B, description C) and over artist names, plus pg_trgm GIN indexes on titles and names
for typo tolerance. Content indexes are partial (approved rows only): search never returns
anything else. The expressions must stay identical to catalog/search.py's, or the planner
will not use them; tests/search/test_indexes.py checks that it does.
"""

from django.db import migrations

CONTENT_TABLES = ("podcasts", "movies", "music_tracks")

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(tags, '[]'::jsonb)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')"
)
ARTIST_NAME = "to_tsvector('english'::regconfig, coalesce(name, ''))"


def _statements():
    yield "CREATE EXTENSION IF NOT EXISTS pg_trgm"
    for table in CONTENT_TABLES:
        yield (
            f"CREATE INDEX IF NOT EXISTS {table}_search_idx ON {table} "
            f"USING gin (({DOCUMENT})) WHERE status = 'approved'"
        )
        yield (
            f"CREATE INDEX IF NOT EXISTS {table}_title_trgm_idx ON {table} "
            f"USING gin (title gin_trgm_ops) WHERE status = 'approved'"
        )
    yield f"CREATE INDEX IF NOT EXISTS artists_search_idx ON artists USING gin (({ARTIST_NAME}))"
    yield (
        "CREATE INDEX IF NOT EXISTS artists_name_trgm_idx ON artists USING gin (name gin_trgm_ops)"
    )


def _drops():
    for table in CONTENT_TABLES:
        yield f"DROP INDEX IF EXISTS {table}_search_idx"
        yield f"DROP INDEX IF EXISTS {table}_title_trgm_idx"
    yield "DROP INDEX IF EXISTS artists_search_idx"
    yield "DROP INDEX IF EXISTS artists_name_trgm_idx"
    # The pg_trgm extension stays: other objects may have come to depend on it.


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _statements():
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _drops():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_artist_is_trusted_movie_tags_musictrack_tags_and_more"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
