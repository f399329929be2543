"""Bible stories are searchable: a stored generated `search_document` (title A, scripture
reference B, description C) with a partial GIN index, as catalog/0004 gives podcasts,
movies and music. PostgreSQL only; catalog/search.py names the column. PostgreSQL refuses
to change the type of a column a generated column reads: a later migration altering title,
scripture_reference or description must drop `search_document` first and add it back."""

from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(scripture_reference, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE bible_stories ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX bible_stories_search_idx ON bible_stories "
        "USING gin (search_document) WHERE status = 'approved'"
    )
    # Titles of stories already approved join the typo lexicon at its next rebuild
    # (daily, or `manage.py search_lexicon_rebuild`).


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS bible_stories_search_idx")
    schema_editor.execute("ALTER TABLE bible_stories DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("bible", "0003_document_cover_scripture_links"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
