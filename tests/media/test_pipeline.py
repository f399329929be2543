"""The pipeline's outputs, checked with ffprobe: ladder heights, bitrates, segment
durations, master playlist, waveform and poster."""

import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media import pipeline, services, storage
from media.models import AssetStatus, MediaAsset, RenditionStatus
from tests.factories import UserFactory
from tests.media.probe_utils import ffprobe, master_variants, playlist_entries

pytestmark = pytest.mark.django_db


def _create(purpose, path, capture):
    with capture(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose=purpose, path=path, filename=Path(path).name
        )
    asset.refresh_from_db()
    return asset


def _local(asset, relative):
    return Path(default_storage.path(f"{asset.output_prefix}/{relative}"))


def test_video_ladder_never_exceeds_the_source_and_plays(
    video_720p, django_capture_on_commit_callbacks
):
    asset = _create("video", video_720p, django_capture_on_commit_callbacks)
    assert asset.status == AssetStatus.READY, asset.error
    assert asset.original_filename == "v720.mp4"
    assert asset.storage_key.startswith("video/") and asset.storage_key.endswith(".mp4")
    renditions = {r.name: r for r in asset.renditions.all()}
    assert set(renditions) == {
        "720p", "480p", "360p", "240p", "144p", "poster", "thumbnail",
        "download_high", "download_standard", "download_data-saver",
    }  # fmt: skip
    assert all(r.status == RenditionStatus.READY and r.progress == 1.0 for r in renditions.values())

    variants = master_variants(_local(asset, "hls/master.m3u8"))
    assert [uri for _, uri in variants] == [
        "720p/index.m3u8", "480p/index.m3u8", "360p/index.m3u8", "240p/index.m3u8",
        "144p/index.m3u8",
    ]  # fmt: skip
    expected = {"720p": (1280, 720, 2800 + 128), "480p": (854, 480, 1400 + 96),
                "360p": (640, 360, 800 + 96), "240p": (426, 240, 250 + 48),
                "144p": (256, 144, 120 + 32)}  # fmt: skip
    channels = {"720p": 2, "480p": 2, "360p": 2, "240p": 1, "144p": 1}
    for attributes, uri in variants:
        name = uri.split("/")[0]
        width, height, kbps = expected[name]
        assert attributes["RESOLUTION"] == f"{width}x{height}"
        assert attributes["CODECS"].startswith("avc1.") and attributes["CODECS"].endswith(
            ",mp4a.40.2"
        )
        assert int(attributes["BANDWIDTH"]) >= int(attributes["AVERAGE-BANDWIDTH"]) > 0
        entries = playlist_entries(_local(asset, f"hls/{uri}"))
        assert len(entries) == 3  # 5 s at 2 s segments
        assert all(abs(duration - 2.0) < 0.1 for duration, _ in entries[:-1])
        assert abs(sum(d for d, _ in entries) - 5.0) < 0.2
        probe = ffprobe(_local(asset, f"hls/{name}/{entries[0][1]}"))
        video = next(s for s in probe["streams"] if s["codec_type"] == "video")
        audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
        assert (video["width"], video["height"]) == (width, height)
        assert video["codec_name"] == "h264" and audio["codec_name"] == "aac"
        assert audio["channels"] == channels[name]
        measured_kbps = renditions[name].bitrate / 1000
        assert kbps * 0.7 < measured_kbps < kbps * 1.35, (name, measured_kbps)

    with Image.open(_local(asset, "poster.jpg")) as poster:
        poster.verify()
    with Image.open(_local(asset, "thumbnail.jpg")) as thumbnail:
        assert thumbnail.size == (320, 180)
    assert renditions["poster"].width == 1280


def test_small_video_gets_one_rung_at_its_own_height(
    video_small, django_capture_on_commit_callbacks
):
    asset = _create("video", video_small, django_capture_on_commit_callbacks)
    assert asset.status == AssetStatus.READY, asset.error
    names = sorted(asset.renditions.values_list("name", flat=True))
    assert names == ["144p", "240p", "download_high", "poster", "thumbnail"]
    variants = master_variants(_local(asset, "hls/master.m3u8"))
    assert [a["RESOLUTION"] for a, _ in variants] == ["320x240", "192x144"]


def test_audio_renditions_bitrates_and_waveform(
    tone_mp3, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_WAVEFORM_PEAKS = 250
    asset = _create("audio", tone_mp3, django_capture_on_commit_callbacks)
    assert asset.status == AssetStatus.READY, asset.error
    assert asset.storage_key.startswith("audio/") and asset.content_type == "audio/mpeg"
    variants = master_variants(_local(asset, "hls/master.m3u8"))
    assert [uri for _, uri in variants] == [
        "aac_256k/index.m3u8", "aac_128k/index.m3u8", "aac_64k/index.m3u8",
        "speech_48k/index.m3u8",
    ]  # fmt: skip
    for attributes, uri in variants:
        assert attributes["CODECS"] == "mp4a.40.2" and "RESOLUTION" not in attributes
        target = int(uri.split("_")[1].split("k")[0])
        entries = playlist_entries(_local(asset, f"hls/{uri}"))
        probe = ffprobe(_local(asset, f"hls/{uri.split('/')[0]}/{entries[0][1]}"))
        assert probe["streams"][0]["codec_name"] == "aac"
        assert probe["streams"][0]["channels"] == (1 if uri.startswith("speech_") else 2)
        rendition = asset.renditions.get(name=uri.split("/")[0])
        assert target * 0.85 < rendition.bitrate / 1000 < target * 1.2, (uri, rendition.bitrate)
    waveform = json.loads(_local(asset, "waveform.json").read_text())
    assert waveform["length"] == 250 and len(waveform["peaks"]) == 250
    assert all(0 <= peak <= 1 for peak in waveform["peaks"])
    # A full-scale sine from lavfi peaks near 1/8 of full scale.
    assert 0.08 < max(waveform["peaks"]) < 0.2
    assert abs(waveform["duration"] - 5.0) < 0.2


def test_running_twice_is_a_no_op(tone_mp3, django_capture_on_commit_callbacks):
    asset = _create("audio", tone_mp3, django_capture_on_commit_callbacks)
    keys = sorted(storage.list_keys(asset.output_prefix))
    assert pipeline.asset_process(asset_id=asset.id) == "noop"
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY and asset.processing_attempts == 1
    assert sorted(storage.list_keys(asset.output_prefix)) == keys


def test_reprocess_publishes_a_new_set_and_removes_the_old(
    tone_mp3, django_capture_on_commit_callbacks
):
    asset = _create("audio", tone_mp3, django_capture_on_commit_callbacks)
    old_prefix = asset.output_prefix
    original = default_storage.open(asset.storage_key).read()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.asset_reprocess(asset=asset)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY and asset.output_prefix != old_prefix
    assert list(storage.list_keys(old_prefix)) == []
    root = asset.output_prefix.rsplit("/", 1)[0]
    assert {key.split("/")[3] for key in storage.list_keys(root)} == {
        asset.output_prefix.rsplit("/", 1)[1]
    }
    assert default_storage.open(asset.storage_key).read() == original


def test_a_file_that_crashes_ffmpeg_fails_after_the_attempt_limit(
    tone_mp3, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=tone_mp3, filename="x.mp3"
        )
    # The stored original turns to garbage after validation (disk fault, bad transfer).
    with default_storage.open(asset.storage_key, "wb") as handle:
        handle.write(b"\x00garbage" * 100)
    outcomes = []
    for _ in range(5):
        try:
            outcomes.append(pipeline.asset_process(asset_id=asset.id))
        except pipeline.RetryLater as exc:
            outcomes.append(f"retry:{exc.countdown}")
    asset.refresh_from_db()
    assert outcomes == ["retry:15", "retry:30", "failed", "noop", "noop"]
    assert asset.status == AssetStatus.FAILED and asset.processing_attempts == 3
    assert "not a readable audio" in asset.error
    assert set(asset.renditions.values_list("status", flat=True)) == {RenditionStatus.FAILED}
    assert asset.output_prefix == ""


def test_deleting_mid_transcode_removes_outputs(
    video_small, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=video_small, filename="v.mp4"
        )
    real_stills = pipeline.Run.stills

    def delete_then_continue(run, src, info):
        MediaAsset.objects.filter(id=run.asset.id).delete()
        return real_stills(run, src, info)

    monkeypatch.setattr(pipeline.Run, "stills", delete_then_continue)
    assert pipeline.asset_process(asset_id=asset.id) == "gone"
    assert list(storage.list_keys(f"video/processed/{asset.id}")) == []


def test_owner_is_notified_of_ready_and_failed(
    tone_mp3, settings, django_capture_on_commit_callbacks
):
    from cnt.notifications.models import Notification

    asset = _create("audio", tone_mp3, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=asset.owner)
    assert note.type == "media_ready" and note.data == {"asset_id": str(asset.id), "kind": "audio"}
    settings.MEDIA_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):
        broken = services.asset_create_from_path(
            owner=asset.owner, purpose="audio", path=tone_mp3, filename="broken.mp3"
        )
    with default_storage.open(broken.storage_key, "wb") as handle:
        handle.write(b"\x00" * 64)
    assert pipeline.asset_process(asset_id=broken.id) == "failed"
    failed = Notification.objects.get(recipient=asset.owner, type="media_failed")
    assert failed.title == "broken.mp3 could not be processed"


@pytest.mark.parametrize(
    ("size", "short_side"),
    [((1920, 1080), 480), ((1440, 1080), 360), ((1918, 1080), 240), ((1080, 1920), 144),
     ((1000, 562), 360), ((720, 1278), 480)],
)  # fmt: skip
def test_chained_scalers_give_the_sizes_ffmpeg_gives_from_the_source(tmp_path, size, short_side):
    """Each rung is scaled from the one above it, at the size FFmpeg's own `scale=-2:h`
    (or `h:-2` for portrait) gives straight from the source."""
    import subprocess

    from media.ffmpeg import rung_size

    width, height = size
    portrait = height > width
    scale = f"scale={short_side}:-2" if portrait else f"scale=-2:{short_side}"
    out = tmp_path / "frame.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=size={width}x{height}:d=0.04",
         "-vf", scale, "-frames:v", "1", str(out)],
        check=True,
    )  # fmt: skip
    assert rung_size(width, height, short_side) == Image.open(out).size
