import pytest
from django.db import connection

TABLES = {
    "users",
    "artists",
    "podcasts",
    "movies",
    "music_tracks",
    "community_posts",
    "comments",
    "likes",
    "playlists",
    "playlist_items",
    "bank_details",
    "payment_accounts",
    "donations",
    "live_streams",
    "document_assets",
    "support_messages",
    "bible_stories",
    "notifications",
    "categories",
    "email_verification",
    "artist_followers",
}


@pytest.mark.django_db
def test_the_21_tables_exist_after_migrating():
    assert connection.vendor == "postgresql"
    existing = set(connection.introspection.table_names())
    assert len(TABLES) == 21
    assert TABLES - existing == set()


@pytest.mark.django_db
def test_feed_indexes_exist_on_content_tables():
    with connection.cursor() as cursor:
        for table, index in [
            ("podcasts", "podcast_feed_idx"),
            ("music_tracks", "musictrack_feed_idx"),
            ("community_posts", "community_posts_feed_idx"),
            ("notifications", "notifications_inbox_idx"),
        ]:
            constraints = connection.introspection.get_constraints(cursor, table)
            assert index in constraints, (table, index)
            assert constraints[index]["index"] is True
