"""Stored search documents and the typo-correction lexicon.

PostgreSQL only (SQLite searches with icontains): each content table gets a stored
generated `search_document` column (title A, tags B, description C) with a partial GIN
index, replacing the expression index of 0003. Ranking reads the stored vector instead of
re-parsing every candidate's text, which was most of a search's cost. The title trigram
indexes go: typos are now corrected against `search_words` (one row per word of an
approved title, tag or artist name, with a GiST trigram index for nearest-word look-ups,
re-ranked by fuzzystrmatch's levenshtein(); Django's own pattern-ops index on the key
serves prefix probes).
The column is not on the Django models; catalog/search.py names it. PostgreSQL refuses to
change the type of a column a generated column reads: a later migration altering title,
tags or description must drop `search_document` first and add it back after.
"""

import re

from django.db import migrations, models

CONTENT_TABLES = ("podcasts", "movies", "music_tracks")

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(tags, '[]'::jsonb)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')"
)
OLD_DOCUMENT_INDEX = f"USING gin (({DOCUMENT})) WHERE status = 'approved'"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # levenshtein(), for corrections trigrams rank poorly (swapped letters).
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
        for table in CONTENT_TABLES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_title_trgm_idx")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN search_document tsvector "
                f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
            )
            schema_editor.execute(
                f"CREATE INDEX {table}_search_idx ON {table} "
                "USING gin (search_document) WHERE status = 'approved'"
            )
            # The rewrite left the table without statistics; plan with fresh ones.
            schema_editor.execute(f"ANALYZE {table}")
        schema_editor.execute(
            "CREATE INDEX search_words_trgm_idx ON search_words USING gist (word gist_trgm_ops)"
        )
    fill_lexicon(apps)


def fill_lexicon(apps):
    words = set()
    for name in ("Podcast", "Movie", "MusicTrack"):
        model = apps.get_model("catalog", name)
        rows = model.objects.filter(status="approved").values_list("title", "tags")
        for title, tags in rows.iterator(chunk_size=5000):
            words.update(_words(title, *(tags or [])))
    for name in apps.get_model("catalog", "Artist").objects.values_list("name", flat=True):
        words.update(_words(name))
    SearchWord = apps.get_model("catalog", "SearchWord")
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=5000, ignore_conflicts=True
    )


def _words(*texts):
    for text in texts:
        for word in re.findall(r"[^\W_]+", str(text).lower()):
            if 3 <= len(word) <= 40:
                yield word


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in CONTENT_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")
        schema_editor.execute(f"CREATE INDEX {table}_search_idx ON {table} {OLD_DOCUMENT_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX {table}_title_trgm_idx ON {table} "
            "USING gin (title gin_trgm_ops) WHERE status = 'approved'"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
            options={
                "db_table": "search_words",
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
