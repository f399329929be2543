"""The top rung is packaged without re-encoding when the source already fits it: the
rung carries the source's video packets unchanged; other sources are re-encoded."""

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from media import profiles, remux, samples, services
from media.models import AssetStatus
from media.probe import probe
from tests.factories import UserFactory
from tests.media.probe_utils import master_variants

pytestmark = pytest.mark.django_db

# Parameter sets and access-unit delimiters are what packaging may add or move (MPEG-TS
# wants them in band); every other NAL unit of every packet must be the source's.
STRIP = "filter_units=remove_types=6|7|8|9"


def _packet_hashes(path: Path, *, from_mp4: bool) -> list[tuple[str, str]]:
    bsf = f"h264_mp4toannexb,{STRIP}" if from_mp4 else STRIP
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy",
         "-bsf:v", bsf, "-f", "framemd5", "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    rows = [line.split(",") for line in out.splitlines() if line and not line.startswith("#")]
    return [(row[4].strip(), row[5].strip()) for row in rows]  # (size, md5)


def _decoded_hashes(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def _process(path: Path, capture):
    with capture(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=path, filename=path.name
        )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error
    return asset


@pytest.fixture(scope="module")
def compliant_480p(tmp_path_factory):
    """What a phone or an encoder set up for streaming uploads: H.264 High 4:2:0 at
    1 Mbps with a keyframe every second, AAC-LC at 96 kbps."""
    target = tmp_path_factory.mktemp("remux") / "compliant.mp4"
    return samples.make_video(
        target, seconds=5, width=854, height=480, keyframe_seconds=1, video_kbps=1000,
        audio_kbps=96,
    )  # fmt: skip


def test_a_compliant_source_is_copied_into_the_top_rung(
    compliant_480p, django_capture_on_commit_callbacks
):
    info = probe(compliant_480p)
    top = profiles.video_ladder_for(info.short_side)[0]
    decision = remux.decide_for(compliant_480p, info, top)
    assert (decision.video, decision.audio, decision.reasons) == (True, True, [])

    asset = _process(compliant_480p, django_capture_on_commit_callbacks)
    rung = Path(default_storage.path(f"{asset.output_prefix}/hls/{top.name}/index.m3u8"))
    source_packets = _packet_hashes(compliant_480p, from_mp4=True)
    assert len(source_packets) == 125  # 5 s at 25 fps
    assert _packet_hashes(rung, from_mp4=False) == source_packets
    assert _decoded_hashes(rung) == _decoded_hashes(compliant_480p)

    # The master names the copied stream's own profile and level; the rungs below it
    # are still encoded from the source.
    master = Path(default_storage.path(f"{asset.output_prefix}/hls/master.m3u8"))
    variants = {uri.split("/")[0]: attributes for attributes, uri in master_variants(master)}
    # x264 ultrafast writes Constrained Baseline; the level it picked for 480p25 is 3.0
    assert variants[top.name]["CODECS"] == "avc1.42E01E,mp4a.40.2"
    assert variants[top.name]["RESOLUTION"] == "854x480"
    below = [r.name for r in profiles.video_ladder_for(info.short_side)[1:]]
    assert below and set(below) <= set(variants)
    lower = Path(default_storage.path(f"{asset.output_prefix}/hls/{below[0]}/index.m3u8"))
    assert len(_decoded_hashes(lower)) == 125


def test_sparse_keyframes_or_a_high_bitrate_are_re_encoded(
    tmp_path, django_capture_on_commit_callbacks
):
    sparse = samples.make_video(
        tmp_path / "sparse.mp4", seconds=5, width=854, height=480, keyframe_seconds=5,
        video_kbps=1000,
    )  # fmt: skip
    heavy = samples.make_video(
        tmp_path / "heavy.mp4", seconds=3, width=854, height=480, keyframe_seconds=1,
        video_kbps=4000,
    )  # fmt: skip
    for path, reason in ((sparse, "keyframes up to 5.0 s apart"),
                         (heavy, "above the rung's bitrate cap")):  # fmt: skip
        info = probe(path)
        top = profiles.video_ladder_for(info.short_side)[0]
        decision = remux.decide_for(path, info, top)
        assert not decision.video and reason in decision.reasons, decision.reasons
    asset = _process(sparse, django_capture_on_commit_callbacks)
    rung = Path(default_storage.path(f"{asset.output_prefix}/hls/480p/index.m3u8"))
    assert _packet_hashes(rung, from_mp4=False) != _packet_hashes(sparse, from_mp4=True)


def test_the_cheap_checks_refuse_without_scanning(tmp_path, monkeypatch):
    source = samples.make_video(tmp_path / "v.mp4", seconds=1, width=854, height=480)
    info = probe(source)
    top = profiles.video_ladder_for(info.short_side)[0]
    monkeypatch.setattr(remux, "scan_packets", lambda src: pytest.fail("scanned"))
    stream = next(s for s in info.raw["streams"] if s["codec_type"] == "video")
    cases = {
        "not 8-bit 4:2:0": {"pix_fmt": "yuv420p10le"},
        "not H.264": {"codec_name": "hevc"},
        "H.264 level above the rung's": {"level": 51},
        "H.264 profile 'High 4:4:4 Predictive' is not copied": {"profile": "High 4:4:4 Predictive"},
        "non-square pixels": {"sample_aspect_ratio": "4:3"},
    }
    for reason, change in cases.items():
        original = dict(stream)
        stream.update(change)
        decision = remux.decide_for(source, info, top)
        stream.clear()
        stream.update(original)
        assert not decision.video and reason in decision.reasons, (reason, decision.reasons)
    info.rotation = 90
    rotated = remux.decide_for(source, info, top)
    assert "rotated (MPEG-TS keeps no display matrix)" in rotated.reasons


def test_remuxing_can_be_turned_off(compliant_480p, settings):
    settings.MEDIA_REMUX = False
    info = probe(compliant_480p)
    top = profiles.video_ladder_for(info.short_side)[0]
    assert remux.decide_for(compliant_480p, info, top).reasons == ["remuxing is turned off"]
