"""The data-saver ladder and the quality preference: the data-saver variants are in the
master, the URLs the API returns follow the user's preference, and a real HLS client
(FFmpeg) plays each preference's master from its URL alone."""

import json
import subprocess

import pytest

from cnt import signing
from media import hls, profiles, samples, services
from tests.conftest import client_for
from tests.factories import UserFactory

MASTER = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=3200000,AVERAGE-BANDWIDTH=3000000,RESOLUTION=1280x720,CODECS="c"
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1000000,AVERAGE-BANDWIDTH=900000,RESOLUTION=640x360,CODECS="c"
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=330000,AVERAGE-BANDWIDTH=300000,RESOLUTION=426x240,CODECS="c"
240p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=170000,AVERAGE-BANDWIDTH=150000,RESOLUTION=256x144,CODECS="c"
144p/index.m3u8
"""


def _uris(master: str) -> list[str]:
    return [line for line in master.splitlines() if line and not line.startswith("#")]


def test_each_preference_plays_its_tiers():
    assert hls.master_for_quality(MASTER, "auto") == MASTER
    saver = hls.master_for_quality(MASTER, "data-saver")
    assert _uris(saver) == ["240p/index.m3u8", "144p/index.m3u8"]
    assert saver.startswith("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n")
    assert "RESOLUTION=426x240" in saver and "RESOLUTION=1280x720" not in saver
    assert _uris(hls.master_for_quality(MASTER, "high")) == ["720p/index.m3u8", "360p/index.m3u8"]


def test_a_master_from_before_the_data_saver_tier_still_plays_for_everyone():
    old = "\n".join(MASTER.splitlines()[:7]) + "\n"
    assert _uris(hls.master_for_quality(old, "data-saver")) == ["360p/index.m3u8"]
    assert _uris(hls.master_for_quality(old, "high")) == ["720p/index.m3u8", "360p/index.m3u8"]
    tiny = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,CODECS="c"\n120p/index.m3u8\n'
    assert _uris(hls.master_for_quality(tiny, "data-saver")) == ["120p/index.m3u8"]
    assert _uris(hls.master_for_quality(tiny, "high")) == ["120p/index.m3u8"]


def test_the_ladder_declares_the_data_saver_rungs():
    by_name = {p.name: p for p in profiles.VIDEO_LADDER}
    assert (by_name["240p"].video_kbps + by_name["240p"].audio_kbps) == pytest.approx(300, rel=0.1)
    assert (by_name["144p"].video_kbps + by_name["144p"].audio_kbps) == pytest.approx(150, rel=0.1)
    speech = next(p for p in profiles.AUDIO_LADDER if p.tier == profiles.DATA_SAVER)
    assert 32 <= speech.audio_kbps <= 48 and speech.channels == 1
    # The 144p rung only where the source has the lines for it.
    assert [p.name for p in profiles.video_ladder_for(200)] == ["144p"]
    assert [p.name for p in profiles.video_ladder_for(120)] == ["120p"]
    assert profiles.tier_of("120p") == profiles.DATA_SAVER
    assert profiles.tier_of("aac_64k") == profiles.STANDARD


@pytest.mark.django_db
def test_the_api_hands_each_user_the_master_of_their_preference(
    tone_mp3, api_client, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=owner, purpose="audio", path=tone_mp3, filename="a.mp3"
        )
    url = f"/api/v1/media/assets/{asset.id}"
    for quality, master in (
        ("auto", "hls/master.m3u8"),
        ("data-saver", "hls/master_data_saver.m3u8"),
        ("high", "hls/master_high.m3u8"),
    ):
        owner.quality = quality
        owner.save(update_fields=["quality"])
        hls_url = client_for(owner).get(url).json()["hls_url"]
        assert hls_url.endswith(f"/{master}"), (quality, hls_url)
        served = api_client.get(hls_url)
        assert served.status_code == 200
        assert served["Content-Type"] == "application/vnd.apple.mpegurl"
        names = [uri.split("/")[0] for uri in _uris(served.content.decode())]
        expected = {
            "auto": ["aac_256k", "aac_128k", "aac_64k", "speech_48k"],
            "data-saver": ["speech_48k"],
            "high": ["aac_256k", "aac_128k", "aac_64k"],
        }[quality]
        assert names == expected


def _play(url: str) -> list[dict]:
    """Play every variant of a master URL with FFmpeg, then list its streams."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", url, "-map", "0", "-c", "copy", "-f", "null", "-"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=codec_type,width,height,channels,sample_rate", "-of", "json", url],
        capture_output=True, timeout=60, text=True, check=True,
    )  # fmt: skip
    return json.loads(probe.stdout)["streams"]


def test_ffmpeg_plays_the_data_saver_variants_from_the_urls_the_api_returns(
    live_server, transactional_db, tone_mp3, tmp_path, settings
):
    settings.MEDIA_X264_PRESET = "ultrafast"
    source = samples.make_video(tmp_path / "v360.mp4", seconds=4, width=640, height=360)
    owner = UserFactory(quality="data-saver")
    urls = {}
    for purpose, path in (("video", source), ("audio", tone_mp3)):
        asset = services.asset_create_from_path(
            owner=owner, purpose=purpose, path=path, filename="x"
        )
        asset.refresh_from_db()
        assert asset.status == "ready", asset.error
        body = client_for(owner).get(f"/api/v1/media/assets/{asset.id}").json()
        assert body["hls_url"].endswith("/hls/master_data_saver.m3u8")
        # The URL exactly as the API returned it, on the live server's origin.
        urls[purpose] = body["hls_url"].replace("http://testserver", live_server.url)
        auto = live_server.url + signing.playback_path(asset.id, profiles.MASTER_PLAYLIST)
        urls[f"{purpose} auto"] = auto

    video = _play(urls["video"])
    sizes = sorted((s["width"], s["height"]) for s in video if s["codec_type"] == "video")
    assert sizes == [(256, 144), (426, 240)]
    assert {s["channels"] for s in video if s["codec_type"] == "audio"} == {1}

    audio = _play(urls["audio"])
    assert [(s["codec_type"], s["channels"]) for s in audio] == [("audio", 1)]

    # The full master lists the data-saver variants beside the standard ones.
    everything = _play(urls["video auto"])
    heights = sorted(s["height"] for s in everything if s["codec_type"] == "video")
    assert heights == [144, 240, 360]
    assert len([s for s in _play(urls["audio auto"]) if s["codec_type"] == "audio"]) == 4
