"""Downloads and the quality preference on catalogue items: every playable item lists its
downloads, named after the item; the stream URL follows the viewer's preference, and the
cached public JSON keeps one copy per preference."""

import pytest

from tests.catalog.factories import (
    MediaAssetFactory,
    PodcastFactory,
    RenditionFactory,
    VideoAssetFactory,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _with_downloads(asset, *choices):
    for name, path, size in choices:
        RenditionFactory(
            asset=asset, name=name, kind="download", path=path, size_bytes=size,
            duration_seconds=61.48, bitrate=size * 8 // 61,
        )  # fmt: skip
    return asset


@pytest.fixture
def sermon(db):
    audio = _with_downloads(
        MediaAssetFactory(),
        ("download_data-saver", "downloads/speech_48k.m4a", 370_000),
        ("download_high", "downloads/aac_256k.m4a", 1_970_000),
        ("download_standard", "downloads/aac_128k.m4a", 990_000),
    )
    return PodcastFactory(title="Walking by Faith: Hebrews 11", audio=audio, owner=audio.owner)


def test_a_podcast_lists_its_downloads_named_after_it(api_client, sermon):
    body = api_client.get(f"/api/v1/podcasts/{sermon.pk}").json()
    assert [
        (d["quality"], d["label"], d["filename"], d["size"], d["is_default"])
        for d in body["downloads"]
    ] == [
        ("high", "256k", "walking-by-faith-hebrews-11-256k.m4a", 1_970_000, False),
        ("standard", "128k", "walking-by-faith-hebrews-11-128k.m4a", 990_000, True),
        ("data-saver", "48k", "walking-by-faith-hebrews-11-48k.m4a", 370_000, False),
    ]
    first = body["downloads"][0]
    assert first["content_type"] == "audio/mp4" and first["duration"] == 61.48
    assert first["url"].startswith(f"http://testserver/media/s/{sermon.audio_id}/")
    assert first["url"].endswith("/downloads/aac_256k/walking-by-faith-hebrews-11-256k.m4a")


def test_items_without_ready_media_have_no_downloads(api_client, sermon):
    sermon.audio.status = "processing"
    sermon.audio.save(update_fields=["status", "updated_at"])
    assert api_client.get(f"/api/v1/podcasts/{sermon.pk}").json()["downloads"] == []
    video = PodcastFactory(audio=None, video=VideoAssetFactory())
    assert api_client.get(f"/api/v1/podcasts/{video.pk}").json()["downloads"] == []


def test_the_stream_url_follows_each_viewers_preference_through_the_cache(api_client, sermon):
    url = f"/api/v1/podcasts/{sermon.pk}"
    masters = {}
    for quality in ("auto", "data-saver", "high", None):
        client = client_for(UserFactory(quality=quality)) if quality else api_client
        for _ in range(2):  # the second read is the cached copy
            body = client.get(url).json()
            masters.setdefault(quality, set()).add(body["hls_url"].rsplit("/", 1)[1])
            defaults = [d["quality"] for d in body["downloads"] if d["is_default"]]
            assert defaults == [
                {"data-saver": "data-saver", "high": "high"}.get(quality, "standard")
            ]
    assert masters == {
        "auto": {"master.m3u8"},
        "data-saver": {"master_data_saver.m3u8"},
        "high": {"master_high.m3u8"},
        None: {"master.m3u8"},
    }
