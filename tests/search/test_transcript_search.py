"""Search inside what was said: transcripts of approved spoken-word items match, each hit
with up to three `moments` (the second the word was said), ranked with title matches."""

import pytest

from catalog import search as search_module
from catalog.lexicon import lexicon_rebuild
from catalog.models import Podcast
from catalog.services import content_create
from cnt.models import ModerationStatus
from media import services
from media.models import Transcript, TranscriptSegment
from tests.catalog.factories import MovieFactory, MusicTrackFactory, PodcastFactory
from tests.factories import UserFactory
from tests.media import fake_deepgram

pytestmark = pytest.mark.django_db
APPROVED = ModerationStatus.APPROVED


def search(api_client, q):
    response = api_client.get("/api/v1/search", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def _segment(asset, position, start, text):
    """A segment, and the transcript's text, as media/transcripts.py stores them."""
    transcript, _ = Transcript.objects.get_or_create(asset=asset, defaults={"language": "en"})
    Transcript.objects.filter(pk=transcript.pk).update(
        text="\n".join(filter(None, [transcript.text, text]))
    )
    words, cursor = [], start
    for word in text.split():
        words.append([round(cursor, 3), word])
        cursor += 0.4
    return TranscriptSegment.objects.create(
        asset=asset, position=position, start=start, end=round(cursor, 3), text=text, words=words
    )


def test_a_spoken_word_finds_the_item_with_a_moment_within_a_second_of_it(
    api_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    fake, server = fake_deepgram.start()
    said = ["Good morning church, let us pray.", "Forgiving your brother sets you free."]
    try:
        settings.DEEPGRAM_API_KEY = fake_deepgram.API_KEY
        settings.DEEPGRAM_API_URL = fake.url
        fake.said = said
        path = tmp_path / "sermon.wav"
        starts = fake_deepgram.speak(path, said, pause=2.0)
        user = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            asset = services.asset_create_from_path(
                owner=user, purpose="audio", path=path, filename="sermon.wav"
            )
        with django_capture_on_commit_callbacks(execute=True):
            item = content_create(model=Podcast, user=user, title="Sunday", asset_id=asset.pk)
    finally:
        server.shutdown()
        server.server_close()
    assert len(fake.calls) == 1
    Podcast.objects.filter(pk=item.pk).update(status=APPROVED)

    body = search(api_client, "forgiving")
    [hit] = body["results"]
    assert (hit["type"], hit["id"], hit["title"]) == ("podcast", item.pk, "Sunday")
    [moment] = hit["moments"]
    assert moment["text"] == "Forgiving your brother sets you free."
    # The file places the second phrase at starts[1]; the word opens it.
    assert abs(moment["start"] - starts[1]) < 1.0
    assert starts[1] > 3.0  # not simply the start of the file


def test_title_and_transcript_matches_are_ranked_together(api_client):
    titled = PodcastFactory(title="Mercy and grace", status=APPROVED)
    spoken = PodcastFactory(title="Evening service", status=APPROVED)
    _segment(spoken.audio, 0, 42.0, "his mercy endures for ever")
    unrelated = PodcastFactory(title="Choir practice", status=APPROVED)
    _segment(unrelated.audio, 0, 1.0, "sing with joy")
    lexicon_rebuild()

    body = search(api_client, "mercy")
    assert [(row["title"], row["moments"]) for row in body["results"]] == [
        ("Mercy and grace", []),
        (
            "Evening service",
            [{"start": 42.4, "end": 44.0, "text": "his mercy endures for ever"}],
        ),
    ]
    assert body["results"][0]["score"] > body["results"][1]["score"] > 0
    assert titled.pk == body["results"][0]["id"]


def test_at_most_three_moments_the_earliest(api_client):
    item = MovieFactory(title="The long sermon", status=APPROVED)
    for position, start in enumerate([10.0, 100.0, 200.0, 300.0, 400.0]):
        _segment(item.video, position, start, f"grace abounds at minute {int(start)}")
    _segment(item.video, 5, 50.0, "nothing to see here")
    [hit] = search(api_client, "grace")["results"]
    # The three earliest matching passages, in order (grace is the first word of each).
    assert [m["start"] for m in hit["moments"]] == [10.0, 100.0, 200.0]
    assert all(m["text"].startswith("grace abounds") for m in hit["moments"])


def test_transcripts_of_unapproved_items_and_of_music_are_not_searched(api_client):
    pending = PodcastFactory(title="Pending talk", status=ModerationStatus.PENDING)
    _segment(pending.audio, 0, 1.0, "redemption is near")
    rejected = PodcastFactory(title="Rejected talk", status=ModerationStatus.REJECTED)
    _segment(rejected.audio, 0, 1.0, "redemption is near")
    song = MusicTrackFactory(title="A song", status=APPROVED)
    _segment(song.audio, 0, 1.0, "redemption is near")
    assert search(api_client, "redemption")["results"] == []


def test_the_substring_fallback_searches_transcripts_too(api_client, monkeypatch):
    monkeypatch.setattr(search_module, "is_postgres", lambda: False)
    item = PodcastFactory(title="Evening service", status=APPROVED)
    _segment(item.audio, 0, 12.0, "love your neighbour as yourself")
    pending = PodcastFactory(title="Hidden", status=ModerationStatus.PENDING)
    _segment(pending.audio, 0, 1.0, "love your neighbour")
    body = search(api_client, "neighbour")
    assert body["mode"] == "substring"
    assert [(r["title"], r["moments"]) for r in body["results"]] == [
        (
            "Evening service",
            [{"start": 12.8, "end": 14.0, "text": "love your neighbour as yourself"}],
        )
    ]


def test_search_queries_stay_bounded_with_moments(api_client, django_assert_max_num_queries):
    for index in range(5):
        item = PodcastFactory(title=f"Talk {index}", status=APPROVED)
        _segment(item.audio, 0, 1.0, "hope does not disappoint")
    with django_assert_max_num_queries(6):
        body = search(api_client, "hope")
    assert len(body["results"]) == 5
    assert all(len(r["moments"]) == 1 for r in body["results"])
