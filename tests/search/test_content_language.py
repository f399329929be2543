"""Content carries a `language`: set when publishing, returned, filtered on by lists and by
search (full text and the SQLite fallback); a bad code is a 400 that changes nothing."""

import pytest

from catalog import search as search_module
from catalog.lexicon import lexicon_rebuild
from catalog.models import Podcast
from cnt.models import ModerationStatus
from tests.catalog.factories import MediaAssetFactory, PodcastFactory
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import make

pytestmark = pytest.mark.django_db
APPROVED = ModerationStatus.APPROVED


@pytest.fixture
def sermons(db):
    items = {
        "fr": make("podcast", title="Grace du dimanche", status=APPROVED, language="fr"),
        "en": make("podcast", title="Sunday grace", status=APPROVED, language="en"),
        "unknown": make("music", title="Grace hymn", status=APPROVED),
        "story": make("bible_story", title="Grace at the well", status=APPROVED, language="fr"),
    }
    lexicon_rebuild()
    return items


def titles(response):
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_search_keeps_the_language_asked_for(api_client, sermons):
    everything = titles(api_client.get("/api/v1/search", {"q": "grace"}))
    assert {"Grace du dimanche", "Sunday grace", "Grace hymn", "Grace at the well"} <= everything
    french = titles(api_client.get("/api/v1/search", {"q": "grace", "language": "fr"}))
    assert french == {"Grace du dimanche", "Grace at the well"}
    english = api_client.get("/api/v1/search", {"q": "grace", "language": "en", "type": "podcast"})
    assert titles(english) == {"Sunday grace"}
    artists = api_client.get("/api/v1/search", {"q": "grace", "language": "fr", "type": "artist"})
    assert titles(artists) == set()


def test_the_sqlite_fallback_filters_too(api_client, sermons, monkeypatch):
    monkeypatch.setattr(search_module, "is_postgres", lambda: False)
    french = titles(api_client.get("/api/v1/search", {"q": "grace", "language": "fr"}))
    assert french == {"Grace du dimanche", "Grace at the well"}


@pytest.mark.parametrize("bad", ["FR", "french", "f", "fr'; --"])
def test_a_bad_language_code_is_a_400(api_client, bad):
    response = api_client.get("/api/v1/search", {"q": "grace", "language": bad})
    assert response.status_code == 400
    assert "language" in response.json()["errors"]


def test_lists_filter_on_language(api_client):
    PodcastFactory(title="Prière", language="fr")
    PodcastFactory(title="Prayer", language="en")
    assert titles(api_client.get("/api/v1/podcasts", {"language": "fr"})) == {"Prière"}


def test_publishing_sets_the_language_and_refuses_a_bad_one():
    owner = UserFactory()
    client = client_for(owner)
    audio = MediaAssetFactory(owner=owner)
    bad = client.post(
        "/api/v1/podcasts",
        {"title": "Foi", "asset": str(audio.id), "language": "French"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert bad.status_code == 400
    assert (
        "Donnez un code de langue de deux ou trois lettres minuscules."
        in (bad.json()["errors"]["language"])
    )
    assert not Podcast.objects.exists()
    response = client.post(
        "/api/v1/podcasts",
        {"title": "Foi", "asset": str(audio.id), "language": "fr"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["language"] == "fr"
    assert Podcast.objects.get().language == "fr"
