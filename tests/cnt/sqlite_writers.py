"""Twenty simultaneous writers of each kind (follows, comments, progress) through the real
views on the embedded default database: a SQLite file, with the settings as they are.

    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 python tests/cnt/sqlite_writers.py

Run by tests/cnt/test_sqlite_concurrency.py in a process of its own (the suite itself runs
on PostgreSQL). Prints one JSON object: the status codes per kind, the counters the writes
left and the database's journal mode.
"""

import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 20


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    assert connection.vendor == "sqlite" and settings.DATABASES["default"]["NAME"] != ":memory:"
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from catalog.models import ArtistFollower, PlaybackProgress
    from cnt.models import ModerationStatus
    from community.models import Comment, CommunityPost
    from tests.catalog.factories import ArtistFactory, MusicTrackFactory
    from tests.conftest import client_for
    from tests.factories import UserFactory

    users = UserFactory.create_batch(WRITERS)
    clients = [client_for(user) for user in users]
    artist = ArtistFactory()
    track = MusicTrackFactory(audio__duration_seconds=300)
    post = CommunityPost.objects.create(
        author=UserFactory(), body="Amen", status=ModerationStatus.APPROVED
    )
    connections.close_all()

    def storm(call):
        """Start one call per client at the same moment; return their status codes."""
        barrier = threading.Barrier(WRITERS)
        codes = [None] * WRITERS

        def run(index):
            try:
                barrier.wait()
                codes[index] = call(clients[index], index).status_code
            except Exception as exc:  # reported, not raised: the parent test asserts on it
                codes[index] = repr(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return codes

    codes = {
        "follows": storm(lambda c, _: c.post(f"/api/v1/artists/{artist.id}/follow")),
        "comments": storm(
            lambda c, i: c.post(
                f"/api/v1/community/posts/{post.pk}/comments", {"content": f"Amen {i}"}
            )
        ),
        "progress": storm(
            lambda c, i: c.post(f"/api/v1/music/{track.id}/progress", {"position": 40 + i})
        ),
    }
    artist.refresh_from_db()
    post.refresh_from_db()
    track.refresh_from_db()
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    print(
        json.dumps(
            {
                "codes": codes,
                "followers_count": artist.followers_count,
                "followers": ArtistFollower.objects.filter(artist=artist).count(),
                "comments_count": post.comments_count,
                "comments": Comment.objects.filter(post=post).count(),
                "progress_rows": PlaybackProgress.objects.count(),
                "play_count": track.play_count,
                "journal_mode": journal_mode,
            }
        )
    )


if __name__ == "__main__":
    main()
