"""Long videos are cut into chunks encoded by a chord (eager here) and stitched without a
second encode: the stitched playlists decode, with FFmpeg as the client, across every
join with continuous timestamps and no audio gap; a chunk that dies costs only itself."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from media import chunked, pipeline, samples, services, storage
from media.models import AssetStatus, RenditionStatus
from tests.factories import UserFactory
from tests.media.probe_utils import master_variants, playlist_entries

pytestmark = pytest.mark.django_db

SECONDS, FPS, RATE = 20, 25, 44100
TS_CLOCK = 90000


@pytest.fixture(autouse=True)
def _chunks(settings):
    settings.MEDIA_PARALLEL_MIN_SECONDS = 10
    settings.MEDIA_CHUNK_SECONDS = 6


@pytest.fixture(scope="module")
def long_480p(tmp_path_factory):
    """20 s of 480p above the 480p rung's cap (so every rung is encoded), a keyframe
    every second."""
    return samples.make_video(
        tmp_path_factory.mktemp("chunked") / "long.mp4", seconds=SECONDS, width=854,
        height=480, keyframe_seconds=1, video_kbps=2500,
    )  # fmt: skip


def _frames(playlist: Path, stream: str) -> list[dict]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
         "frame=pts,nb_samples", "-of", "json", str(playlist)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)["frames"]


def _process(path, capture):
    with capture(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=path, filename=path.name
        )
    asset.refresh_from_db()
    return asset


def _local(asset, relative) -> Path:
    return Path(default_storage.path(f"{asset.output_prefix}/{relative}"))


def _assert_plays_across_joins(playlist: Path):
    entries = playlist_entries(playlist)
    chunks = sorted({uri.split("_")[0] for _, uri in entries})
    assert chunks == ["c00000", "c00001", "c00002", "c00003"]  # 20 s in 6 s chunks
    assert abs(sum(d for d, _ in entries) - SECONDS) < 0.1

    video = [int(f["pts"]) for f in _frames(playlist, "v:0")]
    assert len(video) == SECONDS * FPS
    steps = {b - a for a, b in zip(video, video[1:], strict=False)}
    assert steps == {TS_CLOCK // FPS}, steps  # every frame 40 ms after the last, joins too

    audio = _frames(playlist, "a:0")
    for before, after in zip(audio, audio[1:], strict=False):
        expected = int(before["nb_samples"]) * TS_CLOCK / RATE
        assert abs(int(after["pts"]) - int(before["pts"]) - expected) <= 2, (before, after)
    samples_decoded = sum(int(f["nb_samples"]) for f in audio)
    assert SECONDS * RATE <= samples_decoded <= SECONDS * RATE + 2 * 1024


def test_a_long_video_is_encoded_in_chunks_and_stitched(
    long_480p, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    real_chunk_run = chunked.chunk_run
    monkeypatch.setattr(
        chunked, "chunk_run", lambda **kw: sent.append(kw["index"]) or real_chunk_run(**kw)
    )
    asset = _process(long_480p, django_capture_on_commit_callbacks)
    assert asset.status == AssetStatus.READY, asset.error
    assert sent == [0, 1, 2, 3]
    assert abs(asset.duration_seconds - SECONDS) < 0.1
    renditions = {r.name: r for r in asset.renditions.all()}
    assert all(r.status == RenditionStatus.READY for r in renditions.values())

    variants = master_variants(_local(asset, "hls/master.m3u8"))
    names = [uri.split("/")[0] for _, uri in variants]
    assert names[:2] == ["480p", "360p"]
    for attributes, uri in variants:
        name = uri.split("/")[0]
        assert attributes["RESOLUTION"] == f"{renditions[name].width}x{renditions[name].height}"
        _assert_plays_across_joins(_local(asset, f"hls/{uri}"))
    assert renditions["480p"].height == 480 and renditions["480p"].bitrate > 0
    # The chunk sources, plan and manifests are gone once published.
    assert not [k for k in storage.list_keys(asset.output_prefix) if "/chunks/" in k]


def test_a_chunk_that_dies_costs_only_that_chunk(
    long_480p, monkeypatch, django_capture_on_commit_callbacks
):
    sent, died = [], []
    real_chunk_run, real_put = chunked.chunk_run, storage.put_file
    monkeypatch.setattr(
        chunked, "chunk_run", lambda **kw: sent.append(kw["index"]) or real_chunk_run(**kw)
    )

    def put_file(key, path):
        # The worker holding chunk 2 dies after storing part of its segments.
        if key.endswith("/c00002_00001.ts") and not died:
            died.append(key)
            raise OSError("worker lost")
        return real_put(key, path)

    monkeypatch.setattr(storage, "put_file", put_file)
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=long_480p, filename="long.mp4"
        )
    # Chunk 2's task asks for a retry; in eager mode that fails its chord at once (on a
    # worker the chunk alone would run again), so the processing task is retried: its
    # chord holds only the chunks not stored.
    with pytest.raises(pipeline.RetryLater):
        pipeline.asset_process(asset_id=asset.id)
    assert died and sent == [0, 1, 2]
    assert pipeline.asset_process(asset_id=asset.id) == "dispatched"
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error
    # 0 and 1 were never encoded again.
    assert sent == [0, 1, 2, 2, 3]
    assert asset.processing_attempts == 2
    for _, uri in master_variants(_local(asset, "hls/master.m3u8")):
        _assert_plays_across_joins(_local(asset, f"hls/{uri}"))


def test_short_videos_and_rotated_ones_are_not_chunked(settings):
    from media.probe import ProbeResult

    info = ProbeResult(
        demuxer="mov", format_names=["mov"], duration=30.0, bit_rate=None, has_video=True,
        has_audio=True, width=854, height=480,
    )  # fmt: skip
    assert chunked.wanted(info)
    settings.MEDIA_PARALLEL_MIN_SECONDS = 31
    assert not chunked.wanted(info)
    settings.MEDIA_PARALLEL_MIN_SECONDS = 10
    info.rotation = 90
    assert not chunked.wanted(info)


def test_a_copyable_top_rung_is_remuxed_in_the_cutting_pass(
    tmp_path, django_capture_on_commit_callbacks
):
    from tests.media.test_remux import _packet_hashes

    source = samples.make_video(
        tmp_path / "compliant.mp4", seconds=SECONDS, width=854, height=480,
        keyframe_seconds=1, video_kbps=1000, audio_kbps=96,
    )  # fmt: skip
    asset = _process(source, django_capture_on_commit_callbacks)
    assert asset.status == AssetStatus.READY, asset.error
    variants = {
        uri.split("/")[0]: a for a, uri in master_variants(_local(asset, "hls/master.m3u8"))
    }
    assert variants["480p"]["CODECS"] == "avc1.42E01E,mp4a.40.2"  # the source's own stream
    top = _local(asset, "hls/480p/index.m3u8")
    assert _packet_hashes(top, from_mp4=False) == _packet_hashes(source, from_mp4=True)
    assert asset.renditions.get(name="480p").status == RenditionStatus.READY
    _assert_plays_across_joins(_local(asset, "hls/360p/index.m3u8"))


@pytest.mark.parametrize("parallelism", [1, 2, 3])
def test_chunks_come_in_multiples_of_the_workers_and_whole_segments(settings, parallelism):
    """A 10-minute video in 120 s chunks would be 5: one worker of two would encode a third
    chunk while the other waits. The chunk length is set so every worker gets as many."""
    import math

    settings.MEDIA_CHUNK_SECONDS = 120
    settings.MEDIA_HLS_SEGMENT_SECONDS = 6
    settings.MEDIA_CHUNK_PARALLELISM = parallelism
    for duration in (600.0, 1234.5, 3600.0, 5400.0):
        seconds = chunked.chunk_seconds(duration)
        count = math.ceil(duration / seconds)
        assert seconds % 6 == 0 and seconds <= 120
        assert count % parallelism == 0, (duration, seconds, count)
