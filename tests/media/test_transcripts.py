"""Transcription: real speech (espeak-ng) through the pipeline and the real Deepgram SDK,
against a local fake of Deepgram's /v1/listen; retries, terminal errors, idempotency and
the state without a key."""

import pytest

from catalog.models import MusicTrack, Podcast
from catalog.services import content_create
from media import services, transcripts
from media.jobs import RetryLater
from media.models import (
    AssetStatus,
    CaptionSource,
    CaptionTrack,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
)
from tests.factories import UserFactory
from tests.media import fake_deepgram

pytestmark = pytest.mark.django_db

SAID = ["Brothers and sisters, today we talk about", "forgiving your brother."]


@pytest.fixture
def deepgram(settings):
    fake, server = fake_deepgram.start()
    settings.DEEPGRAM_API_KEY = fake_deepgram.API_KEY
    settings.DEEPGRAM_API_URL = fake.url
    fake.said = list(SAID)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sermon(tmp_path_factory):
    """A short sermon spoken by espeak-ng, and where each phrase starts in the file."""
    path = tmp_path_factory.mktemp("speech") / "sermon.wav"
    starts = fake_deepgram.speak(path, SAID)
    return path, starts


def _ready_asset(user, path, capture):
    with capture(execute=True):
        asset = services.asset_create_from_path(
            owner=user, purpose="audio", path=path, filename="sermon.wav"
        )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error
    return asset


def _publish(model, user, asset, capture):
    with capture(execute=True):
        return content_create(model=model, user=user, title="Sermon", asset_id=asset.pk)


def test_real_speech_is_transcribed_with_word_timings_paragraphs_and_captions(
    deepgram, sermon, django_capture_on_commit_callbacks
):
    path, starts = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)

    transcript = Transcript.objects.get(asset=asset)
    assert transcript.status == TranscriptStatus.READY, transcript.error
    assert transcript.language == "en"
    assert transcript.source == CaptionSource.GENERATED
    assert [w[2] for w in transcript.words] == " ".join(SAID).split()
    # "forgiving" opens the second phrase: its time comes from the audio itself.
    forgiving = next(w for w in transcript.words if w[2] == "forgiving")
    assert abs(forgiving[0] - starts[1]) < 0.5
    assert transcript.paragraphs == [
        {
            "start": transcript.words[0][0],
            "end": transcript.words[-1][1],
            "text": "Brothers and sisters, today we talk about forgiving your brother.",
        }
    ]
    assert transcript.caption_languages == ["en"]
    track = CaptionTrack.objects.get(asset=asset)
    assert (track.language, track.source, track.is_current) == ("en", "generated", True)
    assert track.vtt.startswith("WEBVTT\n\n00:00:00.")
    assert "Brothers and sisters, today we talk about" in track.vtt
    segments = list(TranscriptSegment.objects.filter(asset=asset).order_by("position"))
    assert [s.text for s in segments] == SAID
    assert abs(segments[1].start - starts[1]) < 0.5

    # One request, with the speech as mono Opus (not the original file), language detected.
    [call] = deepgram.calls
    assert call.path == "/v1/listen"
    assert call.query["detect_language"] == ["true"] and call.query["paragraphs"] == ["true"]
    assert call.query["model"] == ["nova-3"]
    assert call.headers["Content-Length"] == str(call.size) and call.size > 1000


def test_content_published_before_processing_is_transcribed_when_processing_publishes(
    deepgram, sermon, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    path, _ = sermon
    user = UserFactory()
    held = []
    monkeypatch.setattr(tasks.process_asset, "delay", lambda *args: held.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=user, purpose="audio", path=path, filename="s.wav"
        )
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    assert Transcript.objects.get(asset=asset).status == TranscriptStatus.PENDING
    assert deepgram.calls == []  # nothing to hear before processing

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_asset.delay(*held[0])
    assert Transcript.objects.get(asset=asset).status == TranscriptStatus.READY
    assert len(deepgram.calls) == 1


def test_a_second_run_changes_nothing_and_calls_no_one(
    deepgram, sermon, django_capture_on_commit_callbacks
):
    path, _ = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    transcript = Transcript.objects.get(asset=asset)
    assert transcripts.transcript_run(transcript_id=transcript.pk) == "noop"
    assert len(deepgram.calls) == 1
    assert CaptionTrack.objects.filter(asset=asset).count() == 1


def test_transient_errors_are_retried_and_then_succeed(
    deepgram, sermon, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    path, _ = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    queued = []
    monkeypatch.setattr(tasks.transcribe_asset, "delay", lambda *args: queued.append(args))
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    [(transcript_id,)] = queued
    deepgram.failures = [(503, {"err_code": "SERVICE_UNAVAILABLE", "err_msg": "busy"})]

    with pytest.raises(RetryLater) as retry:
        transcripts.transcript_run(transcript_id=transcript_id)
    assert retry.value.countdown == 15
    transcript = Transcript.objects.get(pk=transcript_id)
    assert transcript.status == TranscriptStatus.PENDING
    assert transcript.error == "Deepgram answered 503."
    assert not CaptionTrack.objects.filter(asset=asset).exists()

    assert transcripts.transcript_run(transcript_id=transcript_id) == "ready"
    assert Transcript.objects.get(pk=transcript_id).attempts == 2
    assert len(deepgram.calls) == 2


def test_terminal_errors_fail_at_once_without_retry(
    deepgram, sermon, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    path, _ = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    queued = []
    monkeypatch.setattr(tasks.transcribe_asset, "delay", lambda *args: queued.append(args))
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    deepgram.failures = [(400, {"err_code": "Bad Request", "err_msg": "corrupt audio"})]

    assert transcripts.transcript_run(transcript_id=queued[0][0]) == "failed"
    transcript = Transcript.objects.get(asset=asset)
    assert (transcript.status, transcript.error) == ("failed", "Deepgram answered 400.")
    assert transcripts.transcript_run(transcript_id=transcript.pk) == "noop"
    assert len(deepgram.calls) == 1
    assert not TranscriptSegment.objects.filter(asset=asset).exists()


def test_without_a_key_nothing_is_queued_and_the_task_is_a_clean_noop(
    settings, sermon, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    settings.DEEPGRAM_API_KEY = ""
    path, _ = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    queued = []
    monkeypatch.setattr(tasks.transcribe_asset, "delay", lambda *args: queued.append(args))
    _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    transcript = Transcript.objects.get(asset=asset)
    assert queued == []
    assert transcript.status == TranscriptStatus.PENDING
    assert transcripts.captions_state(asset, is_spoken_word=True) == (
        "disabled",
        "Transcription is not configured on this server (no DEEPGRAM_API_KEY).",
    )
    assert tasks.transcribe_asset.apply(args=[transcript.pk]).get() == "disabled"
    assert Transcript.objects.get(pk=transcript.pk).status == TranscriptStatus.PENDING


def test_music_is_not_spoken_word_and_gets_no_transcript(
    deepgram, sermon, django_capture_on_commit_callbacks
):
    path, _ = sermon
    user = UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    _publish(MusicTrack, user, asset, django_capture_on_commit_callbacks)
    assert not Transcript.objects.filter(asset=asset).exists()
    assert deepgram.calls == []


def test_the_owner_sets_the_language_and_the_item_is_transcribed_again_in_it(
    deepgram, sermon, django_capture_on_commit_callbacks
):
    from tests.conftest import client_for

    path, _ = sermon
    user, stranger = UserFactory(), UserFactory()
    asset = _ready_asset(user, path, django_capture_on_commit_callbacks)
    item = _publish(Podcast, user, asset, django_capture_on_commit_callbacks)
    Podcast.objects.filter(pk=item.pk).update(status="approved")
    url = f"/api/v1/podcast/{item.pk}/transcript"

    refused = client_for(stranger).put(url, {"language": "fr"}, format="json")
    assert refused.status_code == 403
    bad = client_for(user).put(url, {"language": "french!"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["language"]
    assert len(deepgram.calls) == 1
    assert Transcript.objects.get(asset=asset).language == "en"

    deepgram.language = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).put(url, {"language": "fr"}, format="json")
    assert response.status_code == 200, response.json()
    assert len(deepgram.calls) == 2
    assert deepgram.calls[1].query["language"] == ["fr"]
    assert "detect_language" not in deepgram.calls[1].query
    transcript = Transcript.objects.get(asset=asset)
    assert (transcript.status, transcript.language, transcript.requested_language) == (
        "ready",
        "fr",
        "fr",
    )
    assert transcript.caption_languages == ["fr"]
    tracks = CaptionTrack.objects.filter(asset=asset).order_by("id")
    assert [(t.language, t.is_current) for t in tracks] == [("en", False), ("fr", True)]
    assert TranscriptSegment.objects.filter(asset=asset).count() == 2
    body = client_for(stranger).get(url).json()
    assert (body["status"], body["language"]) == ("ready", "fr")


def test_media_transcribe_queues_what_waited_for_a_key(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.management import CommandError, call_command

    from media import tasks
    from tests.catalog.factories import MediaAssetFactory

    waiting = Transcript.objects.create(asset=MediaAssetFactory())
    failed = Transcript.objects.create(asset=MediaAssetFactory(), status="failed", error="x")
    Transcript.objects.create(asset=MediaAssetFactory(status=AssetStatus.PROCESSING))
    Transcript.objects.create(asset=MediaAssetFactory(), status="ready")
    queued = []
    monkeypatch.setattr(tasks.transcribe_asset, "delay", lambda *args: queued.append(args))

    settings.DEEPGRAM_API_KEY = ""
    with pytest.raises(CommandError, match="DEEPGRAM_API_KEY"):
        call_command("media_transcribe")
    settings.DEEPGRAM_API_KEY = "dg"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("media_transcribe")
    assert queued == [(waiting.pk,)]
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("media_transcribe", "--failed")
    assert sorted(queued) == sorted([(waiting.pk,), (failed.pk,)])
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("pending", 0, "")
