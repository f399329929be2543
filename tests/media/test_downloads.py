"""Offline downloads on local storage: the pipeline remuxes rungs into faststart MP4/M4A
files, the API lists them with exact sizes, and the signed URL serves exactly those bytes,
as an attachment with a clean name, resumable with Range."""

import os
import time

import pytest
from django.core.files.storage import default_storage

from cnt import signing
from media import downloads, pipeline, services
from media.models import AssetStatus, MediaAsset, RenditionStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.probe_utils import ffprobe

pytestmark = pytest.mark.django_db


def _ready(purpose, path, capture, *, filename, owner=None):
    owner = owner or UserFactory()
    with capture(execute=True):
        asset = services.asset_create_from_path(
            owner=owner, purpose=purpose, path=path, filename=filename
        )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error
    return asset


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _box_order(data: bytes) -> list[bytes]:
    """The top-level MP4 boxes, in file order."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8])
        if size < 8:
            break
        offset += size
    return boxes


@pytest.fixture
def ready_video(video_720p, django_capture_on_commit_callbacks):
    return _ready("video", video_720p, django_capture_on_commit_callbacks, filename="Sermon.mp4")


@pytest.fixture
def ready_audio(tone_mp3, django_capture_on_commit_callbacks):
    return _ready("audio", tone_mp3, django_capture_on_commit_callbacks, filename="Psalm 23.mp3")


def test_video_downloads_serve_exactly_the_advertised_bytes(ready_video, client, tmp_path):
    body = client_for(ready_video.owner).get(f"/api/v1/media/assets/{ready_video.id}").json()
    items = body["downloads"]
    assert [(d["quality"], d["label"]) for d in items] == [
        ("high", "720p"), ("standard", "480p"), ("data-saver", "240p"),
    ]  # fmt: skip
    assert [d["is_default"] for d in items] == [False, True, False]  # auto: standard
    sizes = {"720p": (1280, 720), "480p": (854, 480), "240p": (426, 240)}
    for item in items:
        assert item["content_type"] == "video/mp4"
        assert item["filename"] == f"sermon-{item['label']}.mp4"
        assert item["url"].endswith(f"/downloads/{item['label']}/{item['filename']}")
        response = client.get(item["url"])
        assert response.status_code == 200
        data = _body(response)
        assert len(data) == item["size"] == int(response["Content-Length"])
        assert response["Content-Type"] == "video/mp4"
        assert response["Content-Disposition"] == f'attachment; filename="{item["filename"]}"'
        assert response["Accept-Ranges"] == "bytes"
        boxes = _box_order(data)
        assert boxes[0] == b"ftyp" and boxes.index(b"moov") < boxes.index(b"mdat")  # faststart
        saved = tmp_path / item["filename"]
        saved.write_bytes(data)
        probe = ffprobe(saved)
        assert abs(float(probe["format"]["duration"]) - item["duration"]) < 0.01
        assert abs(item["duration"] - 5.0) < 0.2
        video = next(s for s in probe["streams"] if s["codec_type"] == "video")
        audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
        assert (video["width"], video["height"]) == sizes[item["label"]]
        assert (item["width"], item["height"]) == sizes[item["label"]]
        assert video["codec_name"] == "h264" and audio["codec_name"] == "aac"
        # Remuxed, not re-encoded: the rung's own frames, every one of them.
        assert int(video["nb_frames"]) == 125


def test_downloads_resume_with_range_requests(ready_audio, client):
    owner = client_for(ready_audio.owner)
    item = owner.get(f"/api/v1/media/assets/{ready_audio.id}").json()["downloads"][0]
    full = _body(client.get(item["url"]))
    size = item["size"]

    part = client.get(item["url"], HTTP_RANGE="bytes=0-999")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 0-999/{size}"
    assert part["Content-Disposition"] == f'attachment; filename="{item["filename"]}"'
    rest = client.get(item["url"], HTTP_RANGE="bytes=1000-")
    assert rest.status_code == 206 and rest["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    assert int(rest["Content-Length"]) == size - 1000
    assert _body(part) + _body(rest) == full  # an interrupted download, resumed

    tail = client.get(item["url"], HTTP_RANGE="bytes=-100")
    assert tail.status_code == 206 and _body(tail) == full[-100:]
    beyond = client.get(item["url"], HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"

    head = client.head(item["url"])
    assert head.status_code == 200 and int(head["Content-Length"]) == size
    assert head["Content-Disposition"] == f'attachment; filename="{item["filename"]}"'


def test_audio_downloads_are_m4a_files(ready_audio, client, tmp_path):
    owner = client_for(ready_audio.owner)
    items = owner.get(f"/api/v1/media/assets/{ready_audio.id}").json()["downloads"]
    assert [(d["quality"], d["label"], d["filename"]) for d in items] == [
        ("high", "256k", "psalm-23-256k.m4a"),
        ("standard", "128k", "psalm-23-128k.m4a"),
        ("data-saver", "48k", "psalm-23-48k.m4a"),
    ]
    for item, channels, kbps in zip(items, (2, 2, 1), (256, 128, 48), strict=True):
        assert item["content_type"] == "audio/mp4"
        assert item["width"] is None and item["height"] is None
        response = client.get(item["url"])
        data = _body(response)
        assert response["Content-Type"] == "audio/mp4" and len(data) == item["size"]
        assert data[4:12] == b"ftypM4A "
        saved = tmp_path / item["filename"]
        saved.write_bytes(data)
        probe = ffprobe(saved)
        assert [s["codec_type"] for s in probe["streams"]] == ["audio"]
        assert probe["streams"][0]["codec_name"] == "aac"
        assert probe["streams"][0]["channels"] == channels
        assert abs(float(probe["format"]["duration"]) - item["duration"]) < 0.01
        assert kbps * 0.8 < item["bitrate"] / 1000 < kbps * 1.3, item


def test_the_default_download_follows_the_quality_preference(ready_audio):
    owner = ready_audio.owner
    for quality, expected in (("data-saver", "data-saver"), ("high", "high"), ("auto", "standard")):
        owner.quality = quality
        owner.save(update_fields=["quality"])
        items = client_for(owner).get(f"/api/v1/media/assets/{ready_audio.id}").json()["downloads"]
        assert [d["quality"] for d in items if d["is_default"]] == [expected]
        assert len(items) == 3  # a preference never hides a download


def test_a_small_video_offers_its_one_useful_download(
    video_small, django_capture_on_commit_callbacks
):
    asset = _ready("video", video_small, django_capture_on_commit_callbacks, filename="x.mov")
    items = client_for(asset.owner).get(f"/api/v1/media/assets/{asset.id}").json()["downloads"]
    assert [(d["quality"], d["label"], d["is_default"]) for d in items] == [("high", "240p", True)]


@pytest.mark.parametrize(
    ("title", "label", "extension", "expected"),
    [
        ("Psalm 23 — Sunday Service!", "720p", "mp4", "psalm-23-sunday-service-720p.mp4"),
        ("Ésaïe 53 : l'Agneau", "128k", "m4a", "esaie-53-lagneau-128k.m4a"),
        ('../../etc/passwd"; x=y', "240p", "mp4", "etcpasswd-xy-240p.mp4"),
        ("", "48k", "m4a", "media-48k.m4a"),
        ("שלום", "720p", "mp4", "media-720p.mp4"),
        ("a_b " * 40, "720p", "mp4", f"{'a-b-' * 15}720p.mp4"),
    ],
)
def test_file_names_are_clean(title, label, extension, expected):
    name = downloads.file_name(title, label, extension)
    assert name == expected
    assert downloads.URL_PATH.match(f"downloads/x/{name}")


def test_download_urls_refuse_anything_but_a_download(ready_audio, client):
    base = signing.playback_path(ready_audio.id, "original").rsplit("/", 1)[0]
    assert client.get(f"{base}/downloads/aac_128k/psalm-23-128k.m4a").status_code == 200
    for path in (
        "downloads/aac_128k/Psalm.m4a",  # not a clean name
        "downloads/aac_128k/a b.m4a",
        "downloads/aac_128k/x.mp3",
        "downloads/aac_128k.m4a",  # the stored key itself
        "downloads/../aac_128k/x.m4a",
        "downloads/%2e%2e/x.m4a",
        "downloads/aac_64k/x.m4a",  # a rung without a download
        "downloads/aac_128k/x.mp4",  # the wrong container for the file
    ):
        assert client.get(f"{base}/{path}").status_code == 404, path
    past = int(time.time()) - 10  # signed for a moment already gone
    expired = f"/media/s/{ready_audio.id}/{past}/{signing.sign(ready_audio.id, past)}"
    assert client.get(f"{expired}/downloads/aac_128k/a.m4a").status_code == 403


def test_a_rerun_remakes_a_lost_download_from_the_stored_rung(
    ready_audio, django_capture_on_commit_callbacks
):
    prefix = ready_audio.output_prefix
    stored = f"{prefix}/downloads/speech_48k.m4a"
    before = default_storage.size(stored)
    untouched = default_storage.path(f"{prefix}/downloads/aac_256k.m4a")
    mtime = os.stat(untouched).st_mtime_ns
    default_storage.delete(stored)
    ready_audio.renditions.filter(name="download_data-saver").update(
        status=RenditionStatus.PROCESSING, size_bytes=0
    )
    MediaAsset.objects.filter(id=ready_audio.id).update(
        status=AssetStatus.UPLOADED,
        metadata={**ready_audio.metadata, "run_id": prefix.rsplit("/", 1)[1]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline.asset_process(asset_id=ready_audio.id) == "ready"
    rendition = ready_audio.renditions.get(name="download_data-saver")
    assert rendition.status == RenditionStatus.READY
    assert rendition.size_bytes == default_storage.size(stored) == before
    assert os.stat(untouched).st_mtime_ns == mtime  # made only what was missing
