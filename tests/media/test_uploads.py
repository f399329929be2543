"""Upload endpoints: accepted media becomes an asset; everything else is a clear 4xx that
leaves no row, no stored object, no queued task and no temp file."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media.models import MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.conftest import post_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _upload_temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def assert_nothing_left(settings, queued, temp_dir):
    from django.db import connection

    assert connection.run_on_commit == []  # nothing waiting to be queued after commit
    assert MediaAsset.objects.count() == 0
    assert stored_files(settings) == []
    assert queued == []
    assert list(temp_dir.iterdir()) == []


def pixel_flood_png(width=50000, height=50000) -> bytes:
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_audio_upload_answers_with_the_asset(
    user_client, tone_mp3, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(user_client, "audio", "sermon.mp3", tone_mp3.read_bytes())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "audio" and body["purpose"] == "audio" and body["status"] == "uploaded"
    assert abs(body["duration"] - 5.0) < 0.2
    assert body["size"] == tone_mp3.stat().st_size
    assert body["original_url"].startswith("http://testserver/media/s/")
    assert body["hls_url"] is None
    asset = MediaAsset.objects.get(id=body["id"])
    assert asset.storage_key.startswith("audio/") and asset.storage_key.endswith(".mp3")
    assert queued == [(str(asset.id),)]


def test_upload_runs_the_pipeline_and_the_asset_reports_renditions(
    user_client, tone_mp3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(user_client, "audio", "song.mp3", tone_mp3.read_bytes())
    asset_id = response.json()["id"]
    body = user_client.get(f"/api/v1/media/assets/{asset_id}").json()
    assert body["status"] == "ready"
    assert {r["name"]: r["status"] for r in body["renditions"]} == {
        "aac_256k": "ready", "aac_128k": "ready", "aac_64k": "ready", "speech_48k": "ready",
        "waveform": "ready", "download_high": "ready", "download_standard": "ready",
        "download_data-saver": "ready",
    }  # fmt: skip
    assert body["hls_url"].endswith("/hls/master.m3u8")
    assert body["waveform_url"].endswith("/waveform.json")
    listing = user_client.get("/api/v1/media/assets/").json()
    assert [item["id"] for item in listing["results"]] == [asset_id]


def test_video_upload_can_target_bible_stories(user_client, video_small, queued):
    response = post_file(
        user_client, "video", "jonah.mp4", video_small.read_bytes(), purpose="bible_story"
    )
    assert response.status_code == 201
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.storage_key.startswith("animated-bible-stories/")
    assert (asset.width, asset.height) == (320, 240)


def test_image_is_reencoded_without_metadata(user_client, settings):
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    response = post_file(user_client, "image", "photo.jpg", buffer.getvalue(), purpose="quote")
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.storage_key.startswith("images/quotes/") and asset.status == "ready"
    with default_storage.open(asset.storage_key) as handle, Image.open(handle) as stored:
        assert stored.size == (640, 480)
        assert dict(stored.getexif()) == {}


@pytest.mark.parametrize(
    ("endpoint", "prefix"),
    [("thumbnail", "images/thumbnails/"), ("profile-image", "images/profiles/")],
)
def test_image_endpoints_use_their_folder(user, endpoint, prefix, jpeg_bytes):
    response = post_file(client_for(user), endpoint, "x.jpg", jpeg_bytes)
    assert response.status_code == 201
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.storage_key.startswith(prefix)
    if endpoint == "profile-image":
        user.refresh_from_db()
        assert user.avatar_id == asset.id


def test_documents_are_for_moderators(user_client, admin_user, settings, queued, _upload_temp_dir):
    from media.samples import make_image_bytes

    pdf = make_image_bytes("John 3:16", fmt="PDF")
    response = post_file(user_client, "document", "john.pdf", pdf)
    assert response.status_code == 403
    assert_nothing_left(settings, queued, _upload_temp_dir)
    response = post_file(client_for(admin_user), "document", "john.pdf", pdf)
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "document" and body["metadata"]["page_count"] == 1
    assert MediaAsset.objects.get().storage_key.startswith("documents/")


def test_anonymous_uploads_are_refused(api_client, tone_mp3, settings, queued, _upload_temp_dir):
    response = post_file(api_client, "audio", "a.mp3", tone_mp3.read_bytes())
    assert response.status_code == 401
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_hostile_filename_is_only_a_label(user_client, tone_mp3, queued):
    response = post_file(
        user_client, "audio", "../../etc/pass<script>wd\x00.mp3", tone_mp3.read_bytes()
    )
    assert response.status_code == 201
    asset = MediaAsset.objects.get()
    assert asset.original_filename == "passscriptwd.mp3"
    assert asset.storage_key.count("/") == 1 and ".." not in asset.storage_key


BAD_AUDIO = {
    "empty": (b"", 400, "empty_file"),
    "text": (b"hello world\n" * 200, 400, "invalid_media"),
    "elf": (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000, 400, "invalid_media"),
    "html": (b"<html><body><script>alert(1)</script></body></html>" * 20, 400, "invalid_media"),
    "hls_playlist": (
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
        400,
        "invalid_media",
    ),
    "concat_script": (b"ffconcat version 1.0\nfile '/etc/passwd'\n", 400, "invalid_media"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', 400, None),
}


@pytest.mark.parametrize("case", sorted(BAD_AUDIO))
def test_bad_audio_is_rejected_and_leaves_nothing(
    user_client, settings, queued, _upload_temp_dir, case
):
    content, status, code = BAD_AUDIO[case]
    response = post_file(user_client, "audio", "track.mp3", content)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"] and (code is None or body["code"] == code)
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_playlist_disguised_as_video_is_rejected(user_client, settings, queued, _upload_temp_dir):
    playlist = b"#EXTM3U\n#EXTINF:1,\nhttp://169.254.169.254/latest/meta-data\n#EXT-X-ENDLIST\n"
    response = post_file(user_client, "video", "movie.mp4", playlist)
    assert response.status_code == 400
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_truncated_mp4_is_rejected(user_client, video_720p, settings, queued, _upload_temp_dir):
    data = video_720p.read_bytes()
    response = post_file(user_client, "video", "cut.mp4", data[: len(data) // 2])
    assert response.status_code == 400
    assert response.json()["code"] in ("damaged_media", "invalid_media")
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_wrong_kind_for_the_endpoint(user_client, tone_mp3, video_small, settings, queued,
                                     _upload_temp_dir):  # fmt: skip
    response = post_file(user_client, "video", "a.mp4", tone_mp3.read_bytes())
    assert response.status_code == 400 and response.json()["code"] == "wrong_media_type"
    response = post_file(user_client, "audio", "v.mp3", video_small.read_bytes())
    assert response.status_code == 400 and response.json()["code"] == "wrong_media_type"
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_oversize_is_413(user_client, tone_mp3, settings, queued, _upload_temp_dir):
    settings.MEDIA_MAX_UPLOAD_BYTES = {**settings.MEDIA_MAX_UPLOAD_BYTES, "audio": 1000}
    response = post_file(user_client, "audio", "a.mp3", tone_mp3.read_bytes())
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_absurd_duration_and_dimensions(user_client, tone_mp3, video_small, settings, queued,
                                        _upload_temp_dir):  # fmt: skip
    settings.MEDIA_MAX_DURATION_SECONDS = 2
    response = post_file(user_client, "audio", "long.mp3", tone_mp3.read_bytes())
    assert response.status_code == 400 and response.json()["code"] == "invalid_duration"
    settings.MEDIA_MAX_DURATION_SECONDS = 3600
    settings.MEDIA_MAX_VIDEO_DIMENSION = 200
    response = post_file(user_client, "video", "huge.mp4", video_small.read_bytes())
    assert response.status_code == 400 and response.json()["code"] == "invalid_dimensions"
    assert_nothing_left(settings, queued, _upload_temp_dir)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("flood.png", pixel_flood_png(), "invalid_dimensions"),
        ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "unsupported_format"),
        ("fake.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", None),
        ("empty.jpg", b"", "empty_file"),
        ("doc.jpg", b"%PDF-1.4\n" + b"0" * 100, "unsupported_format"),
    ],
)
def test_bad_images_are_rejected(user_client, settings, queued, _upload_temp_dir, name, content,
                                 code):  # fmt: skip
    response = post_file(user_client, "image", name, content)
    assert response.status_code == 400, response.content
    assert code is None or response.json()["code"] == code
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_bad_documents_are_rejected(admin_user, tone_mp3, settings, queued, _upload_temp_dir):
    client = client_for(admin_user)
    for content in (tone_mp3.read_bytes(), b"%PDF-1.7\n garbage without objects"):
        response = post_file(client, "document", "x.pdf", content)
        assert response.status_code == 400
    assert_nothing_left(settings, queued, _upload_temp_dir)


def test_missing_file_field_is_400(user_client, queued):
    response = user_client.post("/api/v1/upload/audio", {"title": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    response = user_client.post("/api/v1/upload/audio", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_storage_failure_is_503_and_leaves_no_row(user_client, tone_mp3, monkeypatch, queued):
    from media import storage

    def broken(key, path):
        raise OSError("disk unavailable")

    monkeypatch.setattr(storage, "put_file", broken)
    response = post_file(user_client, "audio", "a.mp3", tone_mp3.read_bytes())
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert MediaAsset.objects.count() == 0 and queued == []


def test_asset_is_private_to_owner_and_moderators(user, tone_mp3, queued):
    owner = client_for(user)
    asset_id = post_file(owner, "audio", "a.mp3", tone_mp3.read_bytes()).json()["id"]
    stranger = client_for(UserFactory())
    assert stranger.get(f"/api/v1/media/assets/{asset_id}").status_code == 404
    assert stranger.get("/api/v1/media/assets/").json()["count"] == 0
    assert stranger.delete(f"/api/v1/media/assets/{asset_id}").status_code == 404
    moderator = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert moderator.get(f"/api/v1/media/assets/{asset_id}").status_code == 200
    assert owner.get(f"/api/v1/media/assets/{asset_id}/").status_code == 200
    assert MediaAsset.objects.filter(id=asset_id).exists()


def test_owner_deletes_an_asset_and_its_files(user_client, tone_mp3, settings,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        asset_id = post_file(user_client, "audio", "a.mp3", tone_mp3.read_bytes()).json()["id"]
    assert stored_files(settings) != []
    with django_capture_on_commit_callbacks(execute=True):
        assert user_client.delete(f"/api/v1/media/assets/{asset_id}").status_code == 204
    assert stored_files(settings) == []


def test_asset_list_query_count_is_bounded(user, tone_mp3, queued, django_assert_max_num_queries):
    client = client_for(user)
    for _ in range(3):
        post_file(client, "audio", "a.mp3", tone_mp3.read_bytes())
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/media/assets/")
    assert response.json()["count"] == 3
