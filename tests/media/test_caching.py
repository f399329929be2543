"""CDN-friendly caching: versioned (run-named) and content-addressed files are immutable for
a year, playlists short, legacy paths an hour; signed URLs are one string per signing
window, so a CDN caches each file once per window."""

import io
import re
import subprocess
import time
from urllib.parse import urljoin, urlparse

import pytest
from PIL import Image

from cnt import signing
from media import services
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMMUTABLE = re.compile(r"^public, max-age=31536000, s-maxage=(\d+), immutable$")


@pytest.fixture
def ready_audio(tone_mp3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=tone_mp3, filename="a.mp3"
        )
    asset.refresh_from_db()
    assert asset.status == "ready"
    return asset


def _path(url: str) -> str:
    return urlparse(url).path


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_signed_urls_are_the_same_within_a_window_and_change_after(monkeypatch, settings):
    settings.MEDIA_URL_SIGNING_WINDOW_SECONDS = 3600
    settings.MEDIA_URL_TTL_SECONDS = 6 * 3600
    asset_id = "6f1c1d2e-8a53-4c55-9a7e-5b0f0b3c2d11"
    start = 1_900_000_000 - 1_900_000_000 % 3600 + 1
    seen = {}
    for offset in (0, 1800, 3598):
        monkeypatch.setattr(signing.time, "time", lambda offset=offset: start + offset)
        seen[offset] = signing.playback_path(asset_id, "hls/master.m3u8")
    assert len(set(seen.values())) == 1
    expires = int(seen[0].split("/")[-4])
    assert expires % 3600 == 0 and expires - (start + 3598) >= 6 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: start + 3600)
    assert signing.playback_path(asset_id, "hls/master.m3u8") != seen[0]


def test_a_longer_window_keeps_urls_valid_for_at_least_the_ttl(monkeypatch, settings):
    settings.MEDIA_URL_SIGNING_WINDOW_SECONDS = 900
    for now in (1_900_000_000, 1_900_000_899, 1_900_000_450):
        assert signing.expiry(ttl=600, now=now) - now >= 600
        assert signing.expiry(ttl=600, now=now) - now < 600 + 900


def test_versioned_segments_are_immutable_and_playlists_short(client, ready_audio, settings):
    settings.MEDIA_PLAYLIST_MAX_AGE_SECONDS = 45
    owner = client_for(ready_audio.owner)
    shown = owner.get(f"/api/v1/media/assets/{ready_audio.id}").json()
    run = ready_audio.output_prefix.rsplit("/", 1)[-1]
    master_url = _path(shown["hls_url"])
    assert master_url.endswith(f"/v/{run}/hls/master.m3u8")

    master = client.get(master_url)
    assert master.status_code == 200
    assert master["Cache-Control"] == "public, max-age=45"
    variant_uri = next(line for line in _text(master).splitlines() if line.endswith(".m3u8"))
    variant_url = urljoin(master_url, variant_uri)
    variant = client.get(variant_url)
    assert variant.status_code == 200 and variant["Cache-Control"] == "public, max-age=45"
    segment_uri = next(line for line in _text(variant).splitlines() if line and line[0] != "#")
    segment = client.get(urljoin(variant_url, segment_uri))
    assert segment.status_code == 200
    shared = IMMUTABLE.match(segment["Cache-Control"])
    assert shared, segment["Cache-Control"]
    expires = int(master_url.split("/")[-6])
    assert 0 < int(shared.group(1)) <= expires - int(time.time()) + 1  # the signature's life
    ranged = client.get(urljoin(variant_url, segment_uri), HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206 and IMMUTABLE.match(ranged["Cache-Control"])

    waveform = client.get(_path(shown["waveform_url"]))
    assert waveform.status_code == 200 and IMMUTABLE.match(waveform["Cache-Control"])
    original = client.get(_path(shown["original_url"]))
    assert original.status_code == 200 and IMMUTABLE.match(original["Cache-Control"])


def test_shared_caches_keep_a_file_only_while_its_signature_is_valid(
    client, ready_audio, monkeypatch
):
    url = signing.playback_path(ready_audio.id, "original")
    expires = int(url.split("/")[-3])
    monkeypatch.setattr("media.caching.time.time", lambda: expires - 120)
    response = client.get(url)
    assert IMMUTABLE.match(response["Cache-Control"]).group(1) == "120"


def test_unversioned_paths_keep_their_short_private_caching(client, ready_audio):
    segment = client.get(signing.playback_path(ready_audio.id, "hls/aac_64k/seg_00000.ts"))
    assert segment.status_code == 200 and segment["Cache-Control"] == "private, max-age=3600"


def test_a_version_other_than_the_published_run_is_not_found(client, ready_audio):
    for relative in (
        "v/0123456789abcdef/hls/aac_64k/seg_00000.ts",
        "v/0123456789abcdef/hls/master.m3u8",
        f"v/{ready_audio.output_prefix.rsplit('/', 1)[-1]}/original",
        "v/../hls/master.m3u8",
    ):
        response = client.get(signing.playback_path(ready_audio.id, relative))
        assert response.status_code == 404, relative


def test_image_renditions_are_served_immutable_as_webp_and_jpeg(
    user_client, client, django_capture_on_commit_callbacks
):
    from tests.media.conftest import post_file

    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 40)).save(buffer, format="PNG")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(user_client, "image", "c.png", buffer.getvalue(), purpose="thumbnail")
    image = user_client.get(f"/api/v1/media/assets/{response.json()['id']}").json()["image"]
    assert [(r["width"], r["type"]) for r in image["renditions"]] == [
        (w, t) for w in (160, 320, 640, 900) for t in ("image/jpeg", "image/webp")
    ]
    for rendition in image["renditions"]:
        served = client.get(_path(rendition["url"]))
        assert served.status_code == 200
        assert served["Content-Type"] == rendition["type"]
        assert IMMUTABLE.match(served["Cache-Control"])
        with Image.open(io.BytesIO(b"".join(served.streaming_content))) as opened:
            assert opened.size == (rendition["width"], rendition["height"])
            assert opened.format == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[rendition["type"]]


def test_a_video_plays_from_its_versioned_master_and_has_a_responsive_poster(
    live_server, transactional_db, video_small, settings
):
    settings.MEDIA_X264_PRESET = "ultrafast"
    owner = UserFactory()
    asset = services.asset_create_from_path(
        owner=owner, purpose="video", path=video_small, filename="v.mp4"
    )
    asset.refresh_from_db()
    assert asset.status == "ready", asset.error
    shown = client_for(owner).get(f"/api/v1/media/assets/{asset.id}").json()
    master = live_server.url + _path(shown["hls_url"])
    assert "/v/" in master
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", master, "-map", "0", "-c", "copy", "-f", "null", "-"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    poster = shown["image"]
    # A 320x240 source: the 160 rung and the frame's own width, never wider.
    assert [(r["width"], r["height"], r["type"]) for r in poster["renditions"]] == [
        (160, 120, "image/jpeg"),
        (160, 120, "image/webp"),
        (320, 240, "image/jpeg"),
        (320, 240, "image/webp"),
    ]
    assert poster["placeholder"] and poster["url"].endswith("/poster/w320.webp")
    assert shown["poster_url"].endswith("/poster/w320.jpg")
