"""The voice assistant's tools, called directly against the database (no LiveKit)."""

import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from bible import assistant as bible_assistant
from bible.models import BibleStory, DocumentAsset
from catalog.models import Artist, Movie, MusicTrack, Podcast
from cnt.models import ModerationStatus
from live import agent_tools, voice_agent
from live.models import StreamStatus
from media.models import AssetKind, AssetStatus, MediaAsset
from tests.factories import UserFactory
from tests.live.conftest import make_stream

pytestmark = pytest.mark.django_db

APPROVED, PENDING = ModerationStatus.APPROVED, ModerationStatus.PENDING


@pytest.fixture
def catalogue(db):
    owner = UserFactory()
    artist = Artist.objects.create(user=owner, name="Hillside Choir")
    made = {
        "podcast": Podcast.objects.create(
            owner=owner, artist=artist, title="Amazing Grace Stories", status=APPROVED
        ),
        "pending": Podcast.objects.create(
            owner=owner, artist=artist, title="Amazing Grace Draft", status=PENDING
        ),
        "music": MusicTrack.objects.create(
            owner=owner, artist=artist, title="Amazing Grace (live)", status=APPROVED
        ),
        "movie": Movie.objects.create(owner=owner, title="The Grace Film", status=APPROVED),
    }
    return made


def test_catalog_search_finds_only_approved_content(catalogue):
    results = agent_tools.catalog_search("amazing grace")
    found = {(r["type"], r["id"]) for r in results}
    assert ("podcast", catalogue["podcast"].pk) in found
    assert ("music", catalogue["music"].pk) in found
    assert ("podcast", catalogue["pending"].pk) not in found
    podcast = next(
        r for r in results if (r["type"], r["id"]) == ("podcast", catalogue["podcast"].pk)
    )
    assert podcast["title"] == "Amazing Grace Stories" and podcast["artist"] == "Hillside Choir"
    assert agent_tools.catalog_search("   ") == []
    assert len(agent_tools.catalog_search("grace", limit=50)) <= agent_tools.MAX_RESULTS


def test_live_schedule_lists_public_live_and_upcoming_streams(db):
    host = UserFactory(display_name="Pastor Ann")
    now = timezone.now()
    live = make_stream(host, title="Morning prayer", status=StreamStatus.LIVE, started_at=now)
    upcoming = make_stream(host, title="Evening worship", scheduled_start=now)
    make_stream(host, title="Secret", status=StreamStatus.LIVE, is_public=False)
    make_stream(host, title="Done", status=StreamStatus.ENDED)
    schedule = agent_tools.live_schedule()
    assert [s["id"] for s in schedule["live"]] == [live.pk]
    assert [s["id"] for s in schedule["upcoming"]] == [upcoming.pk]
    assert schedule["live"][0]["host"] == "Pastor Ann"


def test_bible_story_lookup_by_title_or_reference(db):
    owner = UserFactory()
    david = BibleStory.objects.create(
        owner=owner,
        title="David and Goliath",
        scripture_reference="1 Samuel 17",
        body="The Philistines gathered their armies for war. " * 40,
        status=APPROVED,
    )
    BibleStory.objects.create(owner=owner, title="David draft", status=PENDING)
    assert [s["id"] for s in agent_tools.bible_story_lookup("david")] == [david.pk]
    [by_reference] = agent_tools.bible_story_lookup("samuel 17")
    assert by_reference["title"] == "David and Goliath"
    assert len(by_reference["excerpt"]) <= bible_assistant.EXCERPT_CHARS


def test_document_lookup_finds_published_documents(db):
    owner = UserFactory()

    def document(title, published=True):
        asset = MediaAsset.objects.create(
            owner=owner,
            kind=AssetKind.DOCUMENT,
            status=AssetStatus.READY,
            storage_key=f"documents/{uuid.uuid4()}.pdf",
        )
        return DocumentAsset.objects.create(
            title=title, file=asset, is_published=published, page_count=1200
        )

    kjv = document("King James Bible")
    document("King James draft", published=False)
    [found] = agent_tools.document_lookup("king james")
    assert (found["id"], found["page_count"]) == (kjv.pk, 1200)


def test_the_agent_tools_return_json_for_the_model(catalogue, monkeypatch):
    # The worker refreshes stale connections per call; the test's connection is in a transaction.
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)
    text = async_to_sync(voice_agent._tool_result)(agent_tools.catalog_search, "amazing grace")
    assert "Amazing Grace Stories" in {item["title"] for item in json.loads(text)}
