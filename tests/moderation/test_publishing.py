"""Publishing from the admin: an item's Files page (replace media or cover through the media
pipeline, reprocess), "Publish a new …" for the catalogue's kinds, and the assets' reprocess
action. Real files made with FFmpeg and Pillow; processing itself is queued, not run."""

from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Podcast
from cnt.models import ModerationStatus
from media import samples
from media.models import AssetKind, AssetPurpose, AssetStatus, MediaAsset
from tests.moderation.factories import AssetFactory, make
from tests.moderation.test_queue import EVERYTHING, staff_with

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("samples") / "tone.mp3"
    return samples.make_tone(path, seconds=1.0).read_bytes()


@pytest.fixture
def moderator():
    return staff_with(*EVERYTHING, "catalog.add_podcast", "media.change_mediaasset")


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def processing(callbacks) -> list:
    """The on-commit callbacks that queue media processing (not cache busting)."""
    return [c for c in callbacks if "asset_schedule_processing" in c.__qualname__]


def files_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_files", args=[obj.pk])


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_files_page_lists_every_field_of_the_kind(console):
    audio = AssetFactory()
    podcast = make("podcast", audio=audio)

    response = console.get(files_url(podcast))

    assert response.status_code == 200
    assert [row["name"] for row in response.context["fields"]] == ["video", "audio", "thumbnail"]
    html = response.content.decode()
    assert "<audio controls" in html and 'id="reprocess-audio"' in html
    assert html.count("data-upload") == 3 and 'name="file"' in html
    assert "admin/publishing/upload.js" in html
    change = console.get(reverse("admin:catalog_podcast_change", args=[podcast.pk]))
    assert f'href="{files_url(podcast)}"' in change.content.decode()


def test_replacing_the_audio_goes_through_the_pipeline(
    console, moderator, tone, django_capture_on_commit_callbacks
):
    old = AssetFactory(kind=AssetKind.AUDIO)
    podcast = make("podcast", audio=old, status=ModerationStatus.APPROVED)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = console.post(
            files_url(podcast),
            {"field": "audio", "file": SimpleUploadedFile("sermon.mp3", tone)},
            **XHR,
        )

    assert response.status_code == 200
    assert response.json() == {"redirect": files_url(podcast)}
    podcast.refresh_from_db()
    new = podcast.audio
    assert new.pk != old.pk and MediaAsset.objects.filter(pk=old.pk).exists()
    assert (new.owner_id, new.purpose, new.kind, new.status) == (
        podcast.owner_id,
        AssetPurpose.AUDIO,
        AssetKind.AUDIO,
        AssetStatus.UPLOADED,
    )
    assert new.storage_key.startswith("audio/") and new.original_filename == "sermon.mp3"
    assert podcast.duration_seconds == 1
    assert podcast.status == ModerationStatus.APPROVED  # a moderator's change: no re-review
    assert len(processing(queued)) == 1  # media.process_asset after commit
    entry = LogEntry.objects.get(object_id=str(podcast.pk))
    assert entry.user_id == moderator.pk and "audio" in entry.get_change_message()


def test_plain_form_post_redirects_and_cover_is_replaced(console, settings):
    podcast = make("podcast")
    image = samples.make_image_bytes("cover")
    response = console.post(
        files_url(podcast), {"field": "thumbnail", "file": SimpleUploadedFile("c.jpg", image)}
    )
    assert response.status_code == 302 and response["Location"] == files_url(podcast)
    podcast.refresh_from_db()
    assert podcast.thumbnail.kind == AssetKind.IMAGE
    assert podcast.thumbnail.status == AssetStatus.READY
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("field", "name", "content"),
    [
        ("audio", "notes.mp3", b"this is not audio at all"),
        ("thumbnail", "x.jpg", b"GIF89a nope"),
        ("nosuch", "a.mp3", b"x"),
    ],
)
def test_a_bad_upload_changes_nothing(console, settings, field, name, content):
    old = AssetFactory()
    podcast = make("podcast", audio=old)
    before = MediaAsset.objects.count()

    response = console.post(
        files_url(podcast), {"field": field, "file": SimpleUploadedFile(name, content)}, **XHR
    )

    assert response.status_code == 400
    assert response.json()["errors"]
    podcast.refresh_from_db()
    assert podcast.audio_id == old.pk and podcast.thumbnail_id is None
    assert MediaAsset.objects.count() == before
    assert stored_files(settings) == []
    assert not LogEntry.objects.exists()
    page = console.post(
        files_url(podcast), {"field": field, "file": SimpleUploadedFile(name, content)}
    )
    assert page.status_code == 200 and 'id="upload-errors"' in page.content.decode()


def test_an_image_refused_as_media_is_removed_again(console, settings):
    podcast = make("podcast")
    image = samples.make_image_bytes("cover")
    # A valid image, but "audio" takes audio only: validation by content refuses it.
    response = console.post(
        files_url(podcast), {"field": "audio", "file": SimpleUploadedFile("a.mp3", image)}, **XHR
    )
    assert response.status_code == 400
    assert MediaAsset.objects.count() == 0 and stored_files(settings) == []


def test_community_post_image_and_bible_story_video_use_their_kinds_fields(console, tone):
    post = make("community_post")
    response = console.post(
        files_url(post),
        {"field": "image", "file": SimpleUploadedFile("p.png", samples.make_image_bytes("cover"))},
        **XHR,
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.image.kind == AssetKind.IMAGE
    story = make("bible_story")
    page = console.get(files_url(story))
    assert [row["name"] for row in page.context["fields"]] == ["video", "audio", "thumbnail"]


def test_reprocess_rebuilds_from_the_original(console, django_capture_on_commit_callbacks):
    asset = AssetFactory(status=AssetStatus.FAILED, error="boom", processing_attempts=3)
    podcast = make("podcast", audio=asset)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = console.post(files_url(podcast), {"reprocess": "audio"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.status, asset.processing_attempts, asset.error) == ("uploaded", 0, "")
    assert len(processing(queued)) == 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        console.post(files_url(podcast), {"reprocess": "thumbnail"})  # no file there
    assert processing(queued) == []


def test_files_page_needs_moderation_and_change_rights(client, tone):
    podcast = make("podcast", audio=AssetFactory())
    client.force_login(staff_with("catalog.view_podcast"))
    assert client.get(files_url(podcast)).status_code == 403
    response = client.post(
        files_url(podcast), {"field": "audio", "file": SimpleUploadedFile("a.mp3", tone)}
    )
    assert response.status_code == 403
    assert MediaAsset.objects.count() == 1
    client.force_login(staff_with())
    assert client.get(files_url(podcast)).status_code in (302, 403)


def test_publish_a_new_podcast_from_the_admin(console, moderator, tone):
    changelist = console.get(reverse("admin:catalog_podcast_changelist"))
    url = reverse("admin:catalog_podcast_publish")
    assert f'href="{url}"' in changelist.content.decode()
    assert console.get(url).status_code == 200

    response = console.post(
        url,
        {
            "title": "Sunday sermon",
            "description": "On hope",
            "file": SimpleUploadedFile("sermon.mp3", tone, content_type="audio/mpeg"),
            "cover": SimpleUploadedFile("c.jpg", samples.make_image_bytes("cover")),
        },
        **XHR,
    )

    assert response.status_code == 200
    podcast = Podcast.objects.get()
    assert response.json() == {
        "redirect": reverse("admin:catalog_podcast_change", args=[podcast.pk])
    }
    assert (podcast.title, podcast.owner_id) == ("Sunday sermon", moderator.pk)
    assert podcast.audio.kind == AssetKind.AUDIO and podcast.thumbnail.kind == AssetKind.IMAGE
    assert podcast.status in (ModerationStatus.PENDING, ModerationStatus.APPROVED)
    assert LogEntry.objects.get(object_id=str(podcast.pk)).action_flag == ADDITION


def test_publishing_a_bad_file_leaves_nothing(console, settings):
    response = console.post(
        reverse("admin:catalog_podcast_publish"),
        {
            "title": "Broken",
            "file": SimpleUploadedFile("x.mp3", b"nope", content_type="audio/mpeg"),
            "cover": SimpleUploadedFile("c.jpg", samples.make_image_bytes("cover")),
        },
        **XHR,
    )
    assert response.status_code == 400 and response.json()["errors"]
    assert not Podcast.objects.exists() and not MediaAsset.objects.exists()
    assert stored_files(settings) == []
    missing = console.post(reverse("admin:catalog_podcast_publish"), {"title": ""}, **XHR)
    assert set(missing.json()["errors"]) == {"title", "file"}


def test_publish_needs_the_add_permission(client, tone):
    client.force_login(staff_with(*EVERYTHING))
    url = reverse("admin:catalog_podcast_publish")
    assert client.get(url).status_code == 403
    response = client.post(url, {"title": "x", "file": SimpleUploadedFile("a.mp3", tone)})
    assert response.status_code == 403
    assert not Podcast.objects.exists() and not MediaAsset.objects.exists()


def test_assets_reprocess_action(console, django_capture_on_commit_callbacks):
    audio = AssetFactory(status=AssetStatus.FAILED, error="x")
    image = AssetFactory(kind=AssetKind.IMAGE, status=AssetStatus.READY)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = console.post(
            reverse("admin:media_mediaasset_changelist"),
            {"action": "reprocess_selected", ACTION_CHECKBOX_NAME: [audio.pk, image.pk]},
            follow=True,
        )
    assert "1 asset(s) queued for reprocessing." in response.content.decode()
    audio.refresh_from_db()
    image.refresh_from_db()
    assert (audio.status, image.status) == (AssetStatus.UPLOADED, AssetStatus.READY)
    assert len(processing(queued)) == 1
