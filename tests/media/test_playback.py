"""Signed playback: Range requests, content types, expiry, traversal, and a real HLS
client that is given only the master playlist URL."""

import subprocess
import time

import pytest
from django.core.files.storage import default_storage

from cnt import signing
from media import services
from tests.factories import UserFactory


@pytest.fixture
def ready_audio(db, tone_mp3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=tone_mp3, filename="a.mp3"
        )
    asset.refresh_from_db()
    assert asset.status == "ready"
    return asset


def test_original_supports_range_requests(client, ready_audio):
    url = signing.playback_path(ready_audio.id, "original")
    size = default_storage.size(ready_audio.storage_key)
    full = client.get(url)
    assert full.status_code == 200
    assert full["Content-Type"] == "audio/mpeg" and full["Accept-Ranges"] == "bytes"
    assert int(full["Content-Length"]) == size
    assert full["X-Content-Type-Options"] == "nosniff"
    body = b"".join(full.streaming_content)
    part = client.get(url, HTTP_RANGE="bytes=10-109")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-109/{size}"
    assert b"".join(part.streaming_content) == body[10:110]
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == body[-50:]
    open_ended = client.get(url, HTTP_RANGE=f"bytes={size - 5}-")
    assert b"".join(open_ended.streaming_content) == body[-5:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={size + 10}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"


def test_derived_files_have_their_content_types(client, ready_audio):
    for relative, content_type in [
        ("hls/master.m3u8", "application/vnd.apple.mpegurl"),
        ("hls/aac_64k/index.m3u8", "application/vnd.apple.mpegurl"),
        ("hls/aac_64k/seg_00000.ts", "video/mp2t"),
        ("waveform.json", "application/json"),
    ]:
        response = client.get(signing.playback_path(ready_audio.id, relative))
        assert response.status_code == 200, relative
        assert response["Content-Type"] == content_type
    missing = client.get(signing.playback_path(ready_audio.id, "hls/aac_64k/seg_09999.ts"))
    assert missing.status_code == 404


@pytest.fixture
def stored_asset(db):
    """An asset row with an original and one derived file, without running FFmpeg."""
    from django.core.files.base import ContentFile

    from media.models import MediaAsset

    default_storage.save("audio/a.mp3", ContentFile(b"ID3" + b"\x00" * 100))
    default_storage.save("audio/processed/x/run/hls/master.m3u8", ContentFile(b"#EXTM3U\n"))
    default_storage.save("secret.m3u8", ContentFile(b"#EXTM3U\nsecret\n"))
    return MediaAsset.objects.create(
        kind="audio",
        storage_key="audio/a.mp3",
        content_type="audio/mpeg",
        output_prefix="audio/processed/x/run",
        status="ready",
    )


def test_bad_or_expired_signatures_are_refused(client, stored_asset):
    ready_audio = stored_asset
    good = signing.playback_path(ready_audio.id, "original")
    parts = good.split("/")
    flipped = ("B" if parts[5][0] == "A" else "A") + parts[5][1:]  # always a different signature
    tampered = "/".join(parts[:5] + [flipped] + parts[6:])
    assert client.get(tampered).status_code == 403
    other = UserFactory()  # a signature for one asset does not open another
    expires = int(parts[4])
    forged = f"/media/s/{ready_audio.id}/{expires + 900}/{parts[5]}/original"
    assert client.get(forged).status_code == 403
    past = int(time.time()) - 10
    expired = f"/media/s/{ready_audio.id}/{past}/{signing.sign(ready_audio.id, past)}/original"
    response = client.get(expired)
    assert response.status_code == 403 and response.json()["code"] == "invalid_signature"
    unsigned = f"/media/{ready_audio.storage_key}"
    assert client.get(unsigned).status_code == 404
    assert other.pk


@pytest.mark.parametrize(
    "attack",
    [
        "../../../etc/passwd",
        "hls/../../original",
        "%2e%2e/%2e%2e/etc/passwd",
        "hls/..%2f..%2fsecret.m3u8",
        "hls\\..\\..\\x.m3u8",
        "hls/%5c..%5cx.m3u8",
        "/etc/passwd",
        "hls/master.m3u8%00.jpg",
        "HLS/MASTER.M3U8",
    ],
)
def test_path_traversal_is_refused(client, stored_asset, attack):
    base = signing.playback_path(stored_asset.id, "original").rsplit("/", 1)[0]
    assert client.get(f"{base}/hls/master.m3u8").status_code == 200
    response = client.get(f"{base}/{attack}")
    assert response.status_code == 404


def test_a_real_hls_client_plays_everything_from_the_master_url(
    live_server, transactional_db, tone_mp3, video_small, settings
):
    settings.MEDIA_X264_PRESET = "ultrafast"
    for purpose, source in (("audio", tone_mp3), ("video", video_small)):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose=purpose, path=source, filename="x"
        )
        asset.refresh_from_db()
        assert asset.status == "ready", asset.error
        master = live_server.url + signing.playback_path(asset.id, "hls/master.m3u8")
        result = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", master, "-map", "0", "-c", "copy", "-f", "null", "-"],
            capture_output=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr.decode()
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "program=program_id", "-of", "csv", master],
            capture_output=True, timeout=60, text=True,
        )  # fmt: skip
        variants = 4 if purpose == "audio" else 2  # the data-saver rungs too
        assert probe.stdout.count("program") == variants, probe.stdout


@pytest.mark.parametrize("relative", ["original", "hls/master.m3u8", "a b/é%.ts", "x?y#z"])
@pytest.mark.parametrize("script_prefix", ["/", "/cnt/"])
def test_signed_paths_match_what_the_route_reverses_to(relative, script_prefix, monkeypatch):
    import uuid

    from django.urls import reverse, set_script_prefix

    asset_id = uuid.uuid4()
    monkeypatch.setattr(signing, "expiry", lambda ttl=None: 1_900_000_800)
    set_script_prefix(script_prefix)
    try:
        path = signing.playback_path(asset_id, relative)
        expected = reverse(
            "media-playback",
            kwargs={
                "asset_id": asset_id,
                "expires": 1_900_000_800,
                "signature": signing.sign(asset_id, 1_900_000_800),
                "path": relative,
            },
        )
    finally:
        set_script_prefix("/")
    assert path == expected
    assert path.startswith(f"{script_prefix}media/s/{asset_id}/1900000800/")
