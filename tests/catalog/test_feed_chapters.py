"""Published chapters reach podcast apps: the feed links our Podcasting 2.0 JSON chapters
document where the owner gave no chapters URL of their own, and the document is public."""

import feedparser
import pytest
from django.test import Client

from media import outlines
from tests.catalog.factories import ArtistFactory, PodcastFactory
from tests.catalog.test_podcast_feeds import stored_audio
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _feed_settings(settings):
    settings.PODCAST_FEED_SITE_URL = "https://app.cnt.example"
    settings.OPENAI_API_KEY = ""


def _episode(**extra):
    owner = UserFactory()
    artist = ArtistFactory(user=owner)
    audio = stored_audio(owner, b"ID3" + b"\0" * 2000)
    return PodcastFactory(owner=owner, artist=artist, audio=audio, **extra)


def _chapters_link(artist_id):
    response = Client().get(f"/feeds/podcasts/{artist_id}.xml")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    [entry] = feed.entries
    return response.content.decode(), entry


def test_the_feed_links_published_chapters_and_the_document_lists_them():
    podcast = _episode()
    body, _ = _chapters_link(podcast.artist_id)
    assert "podcast:chapters" not in body  # nothing published yet

    outlines.outline_publish(
        asset=podcast.audio,
        user=podcast.owner,
        summary="",
        chapters=[{"start": 0, "title": "Welcome"}, {"start": 60, "title": "The word"}],
    )
    body, _ = _chapters_link(podcast.artist_id)
    link = f"http://testserver/api/v1/podcast/{podcast.pk}/chapters.json"
    assert f'<podcast:chapters url="{link}" type="application/json+chapters"' in body

    response = Client().get(link, HTTP_ACCEPT="application/json+chapters")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json+chapters"
    assert response.json() == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0.0, "endTime": 60.0, "title": "Welcome"},
            {"startTime": 60.0, "endTime": 120.0, "title": "The word"},
        ],
    }


def test_the_owners_own_chapters_url_comes_first():
    podcast = _episode(chapters_url="https://files.cnt.example/c/1.json")
    outlines.outline_publish(
        asset=podcast.audio, user=podcast.owner, summary="", chapters=[{"start": 0, "title": "A"}]
    )
    body, _ = _chapters_link(podcast.artist_id)
    assert 'url="https://files.cnt.example/c/1.json"' in body
    assert "chapters.json" not in body


def test_the_feed_reads_chapters_without_a_query_per_episode(django_assert_max_num_queries):
    podcast = _episode()
    for _ in range(3):
        other = PodcastFactory(
            owner=podcast.owner,
            artist=podcast.artist,
            audio=stored_audio(podcast.owner, b"ID3" + b"\0" * 100),
        )
        outlines.outline_publish(
            asset=other.audio, user=other.owner, summary="", chapters=[{"start": 0, "title": "A"}]
        )
    Client().get(f"/feeds/podcasts/{podcast.artist_id}.xml")  # warm the cached parts
    with django_assert_max_num_queries(4):
        response = Client().get(f"/feeds/podcasts/{podcast.artist_id}.xml")
    assert response.content.decode().count("podcast:chapters") == 3
