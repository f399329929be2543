"""Chapters and a summary drafted from the transcript by the language model (the real
OpenAI SDK against a local fake of /v1/chat/completions), published only when the owner
accepts or edits them; the API, the WebVTT chapters track, retries and the state without
a key."""

import json

import pytest

from catalog.models import Podcast
from catalog.services import content_create
from cnt.models import ModerationStatus
from media import outlines, services
from media.jobs import RetryLater
from media.models import AssetStatus, Outline, OutlineStatus, Transcript, TranscriptStatus
from tests.catalog.factories import MusicTrackFactory, PodcastFactory
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media import fake_deepgram, fake_openai

pytestmark = pytest.mark.django_db

PARAGRAPHS = [
    {"start": 0.5, "end": 40.0, "text": "Welcome, brothers and sisters, to this morning's word."},
    {"start": 41.0, "end": 80.0, "text": "Forgiving your brother seventy times seven."},
    {"start": 82.0, "end": 118.0, "text": "Go in peace and serve one another."},
]


@pytest.fixture
def model(settings):
    fake, server = fake_openai.start()
    settings.OPENAI_API_KEY = fake_openai.API_KEY
    settings.OPENAI_BASE_URL = fake.url
    settings.OUTLINE_LLM_MODEL = "gpt-test-outline"
    yield fake
    server.shutdown()
    server.server_close()


def _transcribed(item, paragraphs=PARAGRAPHS):
    return Transcript.objects.create(
        asset=item.audio, status=TranscriptStatus.READY, language="en", paragraphs=paragraphs
    )


def _approve_pending_edit(item):
    from catalog import moderation

    edit = moderation.pending_edit_for(item)
    assert edit is not None and "outline" in edit.changes
    assert moderation.content_edit_approve(edit=edit, moderator=UserFactory(is_staff=True)).changed


def _drafted(item, capture):
    """The item's transcript becomes ready and asks for a draft (as transcription does)."""
    _transcribed(item)
    with capture(execute=True):
        assert outlines.outline_request(asset_id=item.audio_id)
    return Outline.objects.get(asset=item.audio)


def test_real_speech_through_the_pipeline_gets_a_draft_the_owner_publishes(
    model, settings, tmp_path, django_capture_on_commit_callbacks
):
    fake, server = fake_deepgram.start()
    settings.DEEPGRAM_API_KEY = fake_deepgram.API_KEY
    settings.DEEPGRAM_API_URL = fake.url
    said = ["Today we speak of forgiveness.", "Go in peace."]
    fake.said = said
    try:
        path = tmp_path / "sermon.wav"
        fake_deepgram.speak(path, said)
        owner = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            asset = services.asset_create_from_path(
                owner=owner, purpose="audio", path=path, filename="sermon.wav"
            )
        asset.refresh_from_db()
        assert asset.status == AssetStatus.READY, asset.error
        with django_capture_on_commit_callbacks(execute=True):
            item = content_create(model=Podcast, user=owner, title="Sermon", asset_id=asset.pk)
    finally:
        server.shutdown()
        server.server_close()

    outline = Outline.objects.get(asset=asset)
    assert outline.status == OutlineStatus.DRAFT, outline.error
    [request] = model.requests
    assert request["body"]["model"] == "gpt-test-outline"
    assert request["body"]["response_format"] == {"type": "json_object"}
    prompt = request["body"]["messages"][1]["content"]
    assert "forgiveness" in prompt and prompt.startswith("[")
    assert outline.draft_chapters[0]["start"] == 0.0
    assert outline.draft_summary.startswith("Today we speak of forgiveness.")

    # Nothing is public until the owner accepts; the owner sees the draft.
    Podcast.objects.filter(pk=item.pk).update(status=ModerationStatus.APPROVED)
    from rest_framework.test import APIClient

    public = APIClient().get(f"/api/v1/podcast/{item.pk}/chapters").json()
    assert (public["status"], public["chapters"], public["draft_chapters"]) == ("draft", [], None)
    mine = client_for(owner).get(f"/api/v1/podcast/{item.pk}/chapters").json()
    assert mine["draft_chapters"][0]["title"] == "Today we speak of"
    assert mine["draft_chapters"][-1]["end"] == pytest.approx(asset.duration_seconds)

    # Accepting on approved content proposes them: they wait for a moderator.
    accepted = client_for(owner).post(f"/api/v1/podcast/{item.pk}/chapters/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["pending_review"]["chapters"][0]["title"] == "Today we speak of"
    assert APIClient().get(f"/api/v1/podcast/{item.pk}/chapters").json()["chapters"] == []
    _approve_pending_edit(item)
    public = APIClient().get(f"/api/v1/podcast/{item.pk}/chapters").json()
    assert public["chapters"][0]["title"] == "Today we speak of"
    assert public["summary"].startswith("Today we speak of forgiveness.")
    assert public["accepted_at"]


def test_the_draft_follows_the_transcripts_paragraphs_and_owner_edits_publish(
    model, django_capture_on_commit_callbacks
):
    # Not approved yet: the owner's chapters publish at once (the item is reviewed anyway).
    item = PodcastFactory(status=ModerationStatus.PENDING)
    outline = _drafted(item, django_capture_on_commit_callbacks)
    assert outline.status == OutlineStatus.DRAFT
    assert [c["start"] for c in outline.draft_chapters] == [0.0, 41.0, 82.0]
    assert outline.chapters == [] and outline.accepted_at is None

    owner = client_for(item.owner)
    body = {
        "summary": "On forgiveness.",
        "chapters": [
            {"start": 82, "title": "Sending"},
            {"start": 3, "title": "  Welcome\n and greeting "},
        ],
    }
    response = owner.put(f"/api/v1/podcast/{item.pk}/chapters", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["chapters"] == [
        {"start": 0.0, "end": 82.0, "title": "Welcome and greeting"},
        {"start": 82.0, "end": 120.0, "title": "Sending"},
    ]
    assert data["summary"] == "On forgiveness."
    assert len(data["draft_chapters"]) == 3  # the draft stays beside them

    track = owner.get(f"/api/v1/podcast/{item.pk}/chapters.vtt", HTTP_ACCEPT="text/vtt")
    assert track.status_code == 200
    assert track["Content-Type"] == "text/vtt; charset=utf-8"
    assert track.content.decode() == (
        "WEBVTT\n\n00:00:00.000 --> 00:01:22.000\nWelcome and greeting\n\n"
        "00:01:22.000 --> 00:02:00.000\nSending\n"
    )


def test_a_new_draft_never_replaces_published_chapters(model, django_capture_on_commit_callbacks):
    item = PodcastFactory()
    _drafted(item, django_capture_on_commit_callbacks)
    outlines.outline_accept_draft(asset=item.audio, user=item.owner)
    model.answers = [json.dumps({"summary": "New", "chapters": [{"start": 0, "title": "Other"}]})]
    with django_capture_on_commit_callbacks(execute=True):
        outlines.outline_request(asset_id=item.audio_id)
    outline = Outline.objects.get(asset=item.audio)
    assert outline.draft_chapters == [{"start": 0.0, "title": "Other"}]
    assert [c["title"] for c in outline.chapters] == [
        "Welcome, brothers and sisters",
        "Forgiving your brother seventy",
        "Go in peace and",
    ]


def test_captions_uploaded_for_the_spoken_language_ask_for_a_new_draft(
    model, django_capture_on_commit_callbacks
):
    item = PodcastFactory()
    _transcribed(item)
    srt = b"1\n00:00:01,000 --> 00:00:03,000\nA new beginning.\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(item.owner).post(
            f"/api/v1/podcast/{item.pk}/captions",
            {"file": SimpleUploadedFile("c.srt", srt), "language": "en"},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    outline = Outline.objects.get(asset=item.audio)
    assert outline.status == OutlineStatus.DRAFT
    assert outline.draft_chapters == [{"start": 0.0, "title": "A new beginning"}]


def test_transient_errors_retry_then_succeed(
    model, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    item = PodcastFactory()
    _transcribed(item)
    queued = []
    monkeypatch.setattr(tasks.draft_outline, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        outlines.outline_request(asset_id=item.audio_id)
    [(outline_id,)] = queued
    model.failures = [(429, {"error": {"message": "Rate limit", "type": "rate_limit"}})]
    with pytest.raises(RetryLater) as retry:
        outlines.outline_run(outline_id=outline_id)
    assert retry.value.countdown == 15
    outline = Outline.objects.get(pk=outline_id)
    assert outline.status == OutlineStatus.PENDING and "unavailable" in outline.error

    model.answers = ["this is not json"]
    with pytest.raises(RetryLater):
        outlines.outline_run(outline_id=outline_id)
    assert Outline.objects.get(pk=outline_id).error == "The language model's answer was not JSON."

    assert outlines.outline_run(outline_id=outline_id) == "draft"
    assert Outline.objects.get(pk=outline_id).attempts == 3
    assert outlines.outline_run(outline_id=outline_id) == "noop"
    assert len(model.requests) == 3


def test_a_refused_request_fails_at_once_and_the_api_says_why(
    model, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from media import tasks

    item = PodcastFactory()
    _transcribed(item)
    queued = []
    monkeypatch.setattr(tasks.draft_outline, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        outlines.outline_request(asset_id=item.audio_id)
    settings.OPENAI_API_KEY = "sk-wrong"
    assert outlines.outline_run(outline_id=queued[0][0]) == "failed"
    body = client_for(item.owner).get(f"/api/v1/podcast/{item.pk}/chapters").json()
    assert body["status"] == "failed"
    assert body["reason"].startswith("The language model refused the request (401)")


def test_chapters_the_model_marks_past_the_end_are_dropped(
    model, django_capture_on_commit_callbacks
):
    item = PodcastFactory()
    model.answers = [
        json.dumps(
            {
                "summary": "S",
                "chapters": [
                    {"start": 10, "title": "Later"},
                    {"start": 500, "title": "Past the end"},
                    {"start": 0, "title": "Opening " * 30},
                ],
            }
        )
    ]
    outline = _drafted(item, django_capture_on_commit_callbacks)
    assert [c["start"] for c in outline.draft_chapters] == [0.0, 10.0]
    assert len(outline.draft_chapters[0]["title"]) <= outlines.MAX_TITLE


def test_without_a_key_nothing_is_drafted_and_the_owner_can_still_write_chapters(settings):
    settings.OPENAI_API_KEY = ""
    item = PodcastFactory(status=ModerationStatus.PENDING)
    _transcribed(item)
    assert outlines.outline_request(asset_id=item.audio_id) is False
    owner = client_for(item.owner)
    body = owner.get(f"/api/v1/podcast/{item.pk}/chapters").json()
    assert body["status"] == "disabled"
    assert "no language model is configured" in body["reason"]
    assert outlines.outline_run(outline_id=1) == "disabled"
    response = owner.put(
        f"/api/v1/podcast/{item.pk}/chapters",
        {"chapters": [{"start": 0, "title": "All of it"}]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["chapters"] == [{"start": 0.0, "end": 120.0, "title": "All of it"}]


@pytest.mark.parametrize(
    "body",
    [
        {"chapters": []},
        {"chapters": [{"start": 0, "title": ""}]},
        {"chapters": [{"start": 0, "title": "x" * 101}]},
        {"chapters": [{"start": 130, "title": "Past the end"}]},
        {"chapters": [{"start": -1, "title": "Before"}]},
        {"chapters": [{"start": 5, "title": "A"}, {"start": 5, "title": "B"}]},
        {"chapters": [{"start": "soon", "title": "A"}]},
        {"chapters": [{"start": 0, "title": "A"}], "summary": "s" * 2001},
        {"chapters": "all"},
    ],
)
def test_bad_chapters_are_refused_and_change_nothing(body, settings):
    settings.OPENAI_API_KEY = ""
    item = PodcastFactory()
    response = client_for(item.owner).put(
        f"/api/v1/podcast/{item.pk}/chapters", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not Outline.objects.filter(asset=item.audio, accepted_at__isnull=False).exists()


def test_only_the_owner_or_a_moderator_publishes_chapters(settings):
    settings.OPENAI_API_KEY = ""
    item = PodcastFactory()
    body = {"chapters": [{"start": 0, "title": "Mine"}]}
    from rest_framework.test import APIClient

    assert (
        APIClient().put(f"/api/v1/podcast/{item.pk}/chapters", body, format="json").status_code
        == 401
    )
    stranger = client_for(UserFactory())
    assert (
        stranger.put(f"/api/v1/podcast/{item.pk}/chapters", body, format="json").status_code == 403
    )
    assert stranger.post(f"/api/v1/podcast/{item.pk}/chapters/accept").status_code == 403
    assert stranger.get(f"/api/v1/podcast/{item.pk}/chapters").json()["draft_chapters"] is None
    # Nothing drafted yet: accepting is refused with the reason.
    response = client_for(item.owner).post(f"/api/v1/podcast/{item.pk}/chapters/accept")
    assert response.status_code == 400
    assert "no drafted outline" in json.dumps(response.json())
    assert not Outline.objects.filter(accepted_at__isnull=False).exists()


def test_music_has_no_chapters_and_the_track_is_a_json_404(settings):
    settings.OPENAI_API_KEY = ""
    track = MusicTrackFactory()
    owner = client_for(track.owner)
    assert owner.get(f"/api/v1/music/{track.pk}/chapters").json()["status"] == "none"
    response = owner.put(
        f"/api/v1/music/{track.pk}/chapters",
        {"chapters": [{"start": 0, "title": "Verse"}]},
        format="json",
    )
    assert response.status_code == 400
    item = PodcastFactory()
    response = owner.get(f"/api/v1/podcast/{item.pk}/chapters.vtt", HTTP_ACCEPT="text/vtt")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_an_owners_chapters_for_approved_content_wait_for_a_moderator(settings, client):
    """Chapter titles and the summary are public text: on approved content an untrusted
    owner's wait as the item's pending edit (the published ones stay, the moderator sees
    both), as a changed description does; a moderator's or a trusted artist's publish."""
    from catalog import moderation
    from catalog.models import Artist

    settings.OPENAI_API_KEY = ""
    item = PodcastFactory()
    outlines.outline_publish(
        asset=item.audio, user=item.owner, summary="", chapters=[{"start": 0, "title": "Old"}]
    )
    owner = client_for(item.owner)
    url = f"/api/v1/podcast/{item.pk}/chapters"
    body = {"summary": "Rude words", "chapters": [{"start": 0, "title": "Rude title"}]}
    response = owner.put(url, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [c["title"] for c in data["chapters"]] == ["Old"]
    assert data["pending_review"]["summary"] == "Rude words"
    assert data["pending_review"]["chapters"] == [
        {"start": 0.0, "end": 120.0, "title": "Rude title"}
    ]
    # The public, the feed's JSON chapters and the stranger see the published ones only.
    stranger = client_for(UserFactory()).get(url).json()
    assert [c["title"] for c in stranger["chapters"]] == ["Old"]
    assert stranger["pending_review"] is None
    assert "Rude" not in client.get(f"{url}.json").content.decode()
    # The item's pending edit carries them; the owner's detail shows it.
    detail = owner.get(f"/api/v1/podcasts/{item.pk}").json()
    assert detail["pending_edit"]["changes"]["outline"]["summary"] == "Rude words"
    # Rejected: nothing changes. Proposed again and approved: published.
    # The console's edit queue shows the published outline beside the proposed one.
    from django.contrib import admin

    from catalog.models import PendingEdit

    edit = moderation.pending_edit_for(item)
    html = admin.site._registry[PendingEdit].comparison(edit)
    assert "chapters and summary" in html and "0:00  Old" in html
    assert "Rude words\n0:00  Rude title" in html
    moderator = UserFactory(is_staff=True)
    moderation.content_edit_reject(edit=edit, moderator=moderator, reason="Please keep it kind.")
    assert [c["title"] for c in client.get(url).json()["chapters"]] == ["Old"]
    body = {"summary": "Kind words", "chapters": [{"start": 0, "title": "Kind title"}]}
    assert owner.put(url, body, format="json").json()["pending_review"]["summary"] == "Kind words"
    _approve_pending_edit(item)
    public = client.get(url).json()
    assert (public["summary"], public["chapters"][0]["title"]) == ("Kind words", "Kind title")
    # Setting them back to what is published withdraws the proposal.
    owner.put(url, {"chapters": [{"start": 0, "title": "Draft"}]}, format="json")
    back = owner.put(
        url,
        {"summary": "Kind words", "chapters": [{"start": 0, "title": "Kind title"}]},
        format="json",
    )
    assert back.json()["pending_review"] is None
    assert moderation.pending_edit_for(item) is None
    # A trusted artist publishes at once.
    Artist.objects.update_or_create(user=item.owner, defaults={"name": "Choir", "is_trusted": True})
    trusted = owner.put(url, {"chapters": [{"start": 0, "title": "Trusted"}]}, format="json").json()
    assert (trusted["chapters"][0]["title"], trusted["pending_review"]) == ("Trusted", None)
