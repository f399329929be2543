"""Captions and transcripts in the API: captions_status (and why), `captions` (language ->
signed WebVTT), uploads that replace generated captions with history kept, read along."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cnt.models import ModerationStatus
from media.models import (
    CaptionSource,
    CaptionTrack,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
)
from tests.catalog.factories import MusicTrackFactory, PodcastFactory

pytestmark = pytest.mark.django_db

GENERATED_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nforgive your brother\n"
SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\nForgive your brother\nfrom the heart.\n\n"
    "2\n00:00:10,000 --> 00:00:12,500\nSeventy times seven.\n"
)


def _generated(asset):
    """An asset transcribed as the task leaves it (generated captions in English)."""
    transcript = Transcript.objects.create(
        asset=asset,
        status=TranscriptStatus.READY,
        language="en",
        caption_languages=["en"],
        paragraphs=[{"start": 1.0, "end": 3.0, "text": "forgive your brother"}],
    )
    CaptionTrack.objects.create(
        asset=asset, language="en", source=CaptionSource.GENERATED, vtt=GENERATED_VTT, cue_count=1
    )
    TranscriptSegment.objects.create(
        asset=asset, position=0, start=1.0, end=3.0, text="forgive your brother", words=[]
    )
    return transcript


SRT_BYTES = SRT.encode()


def _upload(client, item, data=SRT_BYTES, language="en", name="c.srt"):
    return client.post(
        f"/api/v1/podcast/{item.pk}/captions",
        {"file": SimpleUploadedFile(name, data), "language": language},
        format="multipart",
    )


def test_without_a_key_captions_are_disabled_and_the_api_says_why(api_client, settings):
    settings.DEEPGRAM_API_KEY = ""
    item = PodcastFactory()
    body = api_client.get(f"/api/v1/podcasts/{item.pk}").json()
    assert body["captions_status"] == "disabled"
    assert body["captions_reason"] == (
        "Transcription is not configured on this server (no DEEPGRAM_API_KEY)."
    )
    assert body["captions"] == {}
    transcript = api_client.get(f"/api/v1/podcast/{item.pk}/transcript").json()
    assert transcript == {
        "status": "disabled",
        "reason": "Transcription is not configured on this server (no DEEPGRAM_API_KEY).",
        "language": None,
        "source": None,
        "paragraphs": [],
    }


def test_with_a_key_a_waiting_item_is_pending_and_music_has_none(api_client, settings):
    settings.DEEPGRAM_API_KEY = "dg"
    podcast, track = PodcastFactory(), MusicTrackFactory()
    body = api_client.get(f"/api/v1/podcasts/{podcast.pk}").json()
    assert (body["captions_status"], body["captions_reason"]) == ("pending", None)
    body = api_client.get(f"/api/v1/music/{track.pk}").json()
    assert (body["captions_status"], body["captions_reason"], body["captions"]) == (
        "none",
        None,
        {},
    )


def test_a_failed_transcript_shows_its_reason(api_client, settings):
    settings.DEEPGRAM_API_KEY = "dg"
    item = PodcastFactory()
    Transcript.objects.create(
        asset=item.audio, status=TranscriptStatus.FAILED, error="Deepgram answered 400."
    )
    body = api_client.get(f"/api/v1/podcasts/{item.pk}").json()
    assert (body["captions_status"], body["captions_reason"]) == (
        "failed",
        "Deepgram answered 400.",
    )


def test_captions_are_listed_by_language_with_signed_urls(api_client, client):
    item = PodcastFactory()
    _generated(item.audio)
    body = api_client.get(f"/api/v1/podcasts/{item.pk}").json()
    assert body["captions_status"] == "ready"
    assert list(body["captions"]) == ["en"]
    url = body["captions"]["en"]
    assert "/hls/subtitles/en.vtt" in url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content.decode() == GENERATED_VTT
    # In a list too, with the same URL.
    listed = api_client.get("/api/v1/podcasts").json()["results"]
    assert [row["captions"] for row in listed] == [{"en": url}]
    # A forged signature reaches nothing.
    assert client.get(url.replace("/hls/", "x/hls/", 1)).status_code in (403, 404)


def test_uploaded_captions_replace_generated_ones_with_history_kept(
    owner, api_client, client, settings
):
    from tests.conftest import client_for

    settings.DEEPGRAM_API_KEY = "dg"
    item = PodcastFactory(owner=owner)
    _generated(item.audio)
    response = _upload(client_for(owner), item)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["language"], body["source"], body["cue_count"], body["is_current"]) == (
        "en",
        "uploaded",
        2,
        True,
    )
    assert body["created_by"] == owner.pk

    tracks = CaptionTrack.objects.filter(asset=item.audio).order_by("created_at", "id")
    assert [(t.source, t.is_current) for t in tracks] == [("generated", False), ("uploaded", True)]
    served = client.get(api_client.get(f"/api/v1/podcasts/{item.pk}").json()["captions"]["en"])
    assert served.content.decode() == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nForgive your brother\nfrom the heart.\n\n"
        "00:00:10.000 --> 00:00:12.500\nSeventy times seven.\n"
    )
    # Read along and search follow the corrected captions.
    transcript = api_client.get(f"/api/v1/podcast/{item.pk}/transcript").json()
    assert transcript == {
        "status": "ready",
        "reason": None,
        "language": "en",
        "source": "uploaded",
        "paragraphs": [
            {"start": 1.0, "end": 3.0, "text": "Forgive your brother from the heart."},
            {"start": 10.0, "end": 12.5, "text": "Seventy times seven."},
        ],
    }
    segments = TranscriptSegment.objects.filter(asset=item.audio).order_by("position")
    assert [s.text for s in segments] == [
        "Forgive your brother from the heart.",
        "Seventy times seven.",
    ]
    history = client_for(owner).get(f"/api/v1/podcast/{item.pk}/captions").json()
    assert [(t["source"], t["is_current"]) for t in history] == [
        ("uploaded", True),
        ("generated", False),
    ]


def test_captions_in_another_language_are_added_beside_the_spoken_one(owner, api_client):
    from tests.conftest import client_for

    item = PodcastFactory(owner=owner)
    _generated(item.audio)
    srt = "1\n00:00:01,000 --> 00:00:03,000\nPardonne à ton frère\n"
    assert _upload(client_for(owner), item, srt.encode(), language="fr").status_code == 201
    body = api_client.get(f"/api/v1/podcasts/{item.pk}").json()
    assert sorted(body["captions"]) == ["en", "fr"]
    # The spoken language's transcript and segments are untouched.
    assert Transcript.objects.get(asset=item.audio).source == CaptionSource.GENERATED
    assert list(TranscriptSegment.objects.values_list("text", flat=True)) == [
        "forgive your brother"
    ]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 401), ("user", 403), ("owner", 201), ("moderator", 201), ("admin", 201)],
    indirect=["actor"],
)
def test_who_may_upload_captions(actor, expected, owner):
    role, user, client = actor
    item = PodcastFactory(owner=owner)
    response = _upload(client, item)
    assert response.status_code == expected, response.json()
    assert CaptionTrack.objects.count() == (1 if expected == 201 else 0)
    if expected != 201:
        assert response.json()["code"] in ("not_authenticated", "permission_denied")
        assert not Transcript.objects.exists()


def test_someone_elses_pending_item_is_not_found(other, owner):
    from tests.conftest import client_for

    item = PodcastFactory(owner=owner, status=ModerationStatus.PENDING)
    assert _upload(client_for(other), item).status_code == 404
    assert client_for(other).get(f"/api/v1/podcast/{item.pk}/transcript").status_code == 404
    assert CaptionTrack.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "language", "field"),
    [
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n", "en", "file"),
        (b"\x00\x01binary", "en", "file"),
        (b"", "en", "file"),
        (SRT.encode(), "english", "language"),
        (SRT.encode(), "../x", "language"),
    ],
)
def test_bad_captions_get_a_400_and_change_nothing(owner, data, language, field):
    from tests.conftest import client_for

    item = PodcastFactory(owner=owner)
    _generated(item.audio)
    response = _upload(client_for(owner), item, data, language=language)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert [(t.source, t.is_current) for t in CaptionTrack.objects.all()] == [("generated", True)]
    assert Transcript.objects.get().source == CaptionSource.GENERATED


def test_captions_past_the_end_of_the_media_are_refused(owner):
    from tests.conftest import client_for

    item = PodcastFactory(owner=owner)  # 120 s
    late = b"1\n00:05:00,000 --> 00:05:02,000\nlate\n"
    response = _upload(client_for(owner), item, late)
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["The captions run past the end of the media."]}


def test_transcript_of_an_unknown_type_or_item_is_not_found(api_client):
    assert api_client.get("/api/v1/sermon/1/transcript").status_code == 404
    assert api_client.get("/api/v1/podcast/999999/transcript").status_code == 404
    assert api_client.get("/api/v1/community_post/1/transcript").status_code == 404


def test_bible_stories_show_their_captions(api_client, client):
    from tests.bible.factories import StoryFactory

    story = StoryFactory(status=ModerationStatus.APPROVED)
    asset = story.video or story.audio
    _generated(asset)
    body = api_client.get(f"/api/v1/bible/stories/{story.pk}").json()
    assert body["captions_status"] == "ready"
    assert client.get(body["captions"]["en"]).content.decode() == GENERATED_VTT
    listed = api_client.get("/api/v1/bible/stories").json()["results"]
    assert listed[0]["captions"] == body["captions"]
