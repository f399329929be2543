"""SQLite (the embedded default): an FTS5 trigram index of the typo lexicon, which
catalog/search_sqlite.py corrects query words through; kept by catalog/lexicon.py as the
lexicon changes. PostgreSQL has its GiST trigram index instead (0004): nothing to do there."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_words_fts USING fts5(word, tokenize='trigram')"
    )
    schema_editor.execute("DELETE FROM search_words_fts")
    schema_editor.execute("INSERT INTO search_words_fts(word) SELECT word FROM search_words")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_words_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_podcast_feed_fields"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
