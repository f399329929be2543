"""Typo-tolerant search on the embedded default database (a SQLite file), through the real
view: content approved by the moderation services (which feed the lexicon and its FTS5
trigram mirror), then queries with typos.

    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 python tests/search/sqlite_search.py

Run by tests/search/test_sqlite_search.py in a process of its own (the suite itself runs on
PostgreSQL). Prints one JSON object: the hits and mode per query, and the FTS index's words.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    assert connection.vendor == "sqlite"
    call_command("migrate", verbosity=0)

    from catalog.lexicon import lexicon_rebuild
    from catalog.moderation import content_submit, content_type_for
    from cnt.models import ModerationStatus
    from tests.moderation.factories import ArtistFactory, make

    def publish(content_type, **fields):
        obj = make(content_type, status=ModerationStatus.PENDING, **fields)
        content_submit(content_type=content_type_for(obj), obj=obj, trusted=True)
        return obj

    choir = ArtistFactory(name="Grace Choir")
    publish("music", title="Amazing Grace", owner=choir.user, tags=["hymn"])
    publish("podcast", title="The Evening Hymn", description="Songs of the evening.")
    publish("movie", title="The Prodigal Returns")
    hidden = make("music", title="Wonderful Pending", status=ModerationStatus.PENDING)

    client = Client()

    def search(query):
        body = client.get("/api/v1/search", {"q": query}).json()
        return {
            "mode": body["mode"],
            "hits": [[row["type"], row["title"]] for row in body["results"]],
        }

    def indexed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT word FROM search_words_fts ORDER BY word")
            return [row[0] for row in cursor.fetchall()]

    report = {"queries": {}}
    for query in ("amzing grce", "hymm", "prodgal", "grace", "wonderfull", "zzzq"):
        report["queries"][query] = search(query)
    report["indexed"] = indexed()
    # A rebuild (daily) drops words nothing uses any more from the FTS mirror too.
    hidden.delete()
    make("music", title="Glorious Day", status=ModerationStatus.APPROVED)  # past the services
    lexicon_rebuild()
    report["after_rebuild"] = {"indexed": indexed(), "glorius": search("glorius")}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
