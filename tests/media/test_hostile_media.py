"""Hostile or unlucky media: files crafted here (small, low-rate, mono) that lie in their
headers, decode with errors or carry nonsense tags, and the limits every FFmpeg child runs
under. Nothing here may hang: runs that could are watched from a thread."""

import random
import re
import sys
import threading
from pathlib import Path

import pytest

from cnt.notifications.models import Notification
from media import ffexec, ffmpeg, hls, pipeline, profiles, samples, services, storage
from media.models import AssetStatus, MediaAsset, RenditionStatus
from media.probe import probe
from tests.bible.factories import DocumentFactory
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.conftest import post_file

pytestmark = pytest.mark.django_db

STREAMINFO_SAMPLES = (1 << 36) - 1  # the low 36 bits of STREAMINFO bytes 10..17


# --- crafted files --------------------------------------------------------------------------


def lying_flac(target: Path, *, real_seconds: int, claimed_seconds: int, rate: int) -> Path:
    """Silent mono FLAC whose STREAMINFO claims `claimed_seconds` but holds `real_seconds`."""
    samples._ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"anullsrc=r={rate}:cl=mono",
            "-t",
            str(real_seconds),
            "-c:a",
            "flac",
        ],
        target,
    )
    data = bytearray(target.read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO is the first block
    field = int.from_bytes(data[18:26], "big")
    assert field & STREAMINFO_SAMPLES == real_seconds * rate
    field = (field & ~STREAMINFO_SAMPLES) | (claimed_seconds * rate)
    data[18:26] = field.to_bytes(8, "big")
    target.write_bytes(bytes(data))
    return target


def corrupted_mp3(target: Path, *, seconds: int = 60) -> Path:
    """A 16 kHz mono MP3 whose frames keep their headers but carry random side information,
    so the demuxer reads it cleanly and the decoder complains about nearly every frame."""
    samples._ffmpeg(
        ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={seconds}",
         "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k"],
        target,
    )  # fmt: skip
    data = bytearray(target.read_bytes())
    noise = random.Random(15)
    position, frames = data.find(b"\xff\xf3"), 0
    while position + 150 < len(data):
        if data[position] == 0xFF and data[position + 1] & 0xE0 == 0xE0:
            length = 144 + ((data[position + 2] >> 1) & 1)  # MPEG-2 layer III, 32 kbps
            if frames > 3:
                data[position + 4 : position + 14] = bytes(noise.randrange(256) for _ in range(10))
            frames += 1
            position += length
        else:
            position += 1
    assert frames > 1000
    target.write_bytes(bytes(data))
    return target


def video_with_rotate_tag(target: Path, value: bytes) -> Path:
    """A tiny Matroska video whose stream carries the tag rotate=<value> (FFmpeg's own
    muxers drop or rewrite `rotate`, so the tag is written under another name and renamed)."""
    samples._ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=1", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-metadata:s:v:0", "xotate=" +
         value.decode(), "-write_crc32", "0", "-f", "matroska"],
        target,
    )  # fmt: skip
    data = target.read_bytes()
    assert data.count(b"XOTATE") == 1
    target.write_bytes(data.replace(b"XOTATE", b"rotate"))
    return target


def stored_asset(path: Path, *, purpose: str, duration: float, capture) -> MediaAsset:
    """An asset row for a file that skipped today's upload checks (stored before them)."""
    from media import layout

    key = layout.original_key(purpose, path.suffix.lstrip("."))
    storage.put_file(key, path)
    with capture(execute=False):
        asset = MediaAsset.objects.create(
            owner=UserFactory(),
            kind=purpose,
            purpose=purpose,
            storage_key=key,
            original_filename=path.name,
            duration_seconds=duration,
            metadata={"duration": duration},
        )
    return asset


def in_thread(function, *args, seconds: float = 20.0):
    """Run `function` on a thread; fail (rather than hang) if it is not done in time."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function.__name__} still running after {seconds}s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def bad_mp3(tmp_path):
    return corrupted_mp3(tmp_path / "bad.mp3")


# --- a file that decodes with errors -----------------------------------------------------


def test_the_corrupted_mp3_fills_more_than_a_pipe_with_errors_but_demuxes_cleanly(bad_mp3):
    info = probe(bad_mp3)
    command = ffmpeg.pcm_command(bad_mp3, info)
    run = in_thread(lambda: ffexec.run(command, name="pcm", limits=ffexec.work_limits(60)))
    assert run.stderr_bytes > 64 * 1024  # a Linux pipe holds 64 KiB
    assert len(run.stderr_tail) == ffexec.STDERR_TAIL_BYTES
    assert "Error while decoding" in run.log_text()


def test_the_waveform_of_an_mp3_that_decodes_with_errors_finishes(bad_mp3):
    info = probe(bad_mp3)
    peaks = in_thread(hls.waveform_peaks, ffmpeg.pcm_command(bad_mp3, info), 60.0, 50)
    assert peaks["length"] == 50 and len(peaks["peaks"]) == 50
    assert all(0.0 <= value <= 1.0 for value in peaks["peaks"])


def test_an_mp3_that_decodes_with_errors_is_processed_to_ready(
    bad_mp3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=bad_mp3, filename="bad.mp3"
        )
    assert asset.duration_seconds == pytest.approx(60, abs=0.2)
    assert pipeline.asset_process(asset_id=asset.id) == "ready"
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY and asset.processing_attempts == 1
    statuses = set(asset.renditions.values_list("status", flat=True))
    assert statuses == {RenditionStatus.READY}


# --- headers that lie --------------------------------------------------------------------


def test_a_flac_claiming_10_seconds_but_holding_20_minutes_is_refused_by_its_real_length(
    user_client, settings, tmp_path, queued
):
    settings.MEDIA_MAX_DURATION_SECONDS = 600
    flac = lying_flac(tmp_path / "lie.flac", real_seconds=1200, claimed_seconds=10, rate=8000)
    assert probe(flac).duration == 10.0  # what the container claims
    response = post_file(user_client, "audio", "lie.flac", flac.read_bytes())
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "The file is longer than 10 minutes.",
        "code": "invalid_duration",
    }
    assert MediaAsset.objects.count() == 0 and queued == []
    assert list(storage.list_keys("audio")) == []


def test_seven_hours_behind_a_10_second_header_are_refused_at_the_default_limit(
    user_client, tmp_path, queued
):
    flac = lying_flac(tmp_path / "7h.flac", real_seconds=7 * 3600, claimed_seconds=10, rate=1000)
    response = post_file(user_client, "audio", "7h.flac", flac.read_bytes())
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "The file is longer than 6 hours.",
        "code": "invalid_duration",
    }
    assert MediaAsset.objects.count() == 0 and queued == []


def test_an_accepted_flac_records_its_measured_duration_not_its_claim(
    user_client, tmp_path, queued
):
    flac = lying_flac(tmp_path / "lie.flac", real_seconds=1200, claimed_seconds=10, rate=8000)
    response = post_file(user_client, "audio", "lie.flac", flac.read_bytes())
    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert asset.duration_seconds == pytest.approx(1200, abs=0.1)
    assert asset.metadata["declared_duration"] == 10.0
    assert response.json()["duration"] == pytest.approx(1200, abs=0.1)


def test_a_video_is_measured_by_its_frames_too(user_client, settings, video_small, queued):
    settings.MEDIA_MAX_VIDEO_FPS = 20  # the sample has 25 frames per second
    response = post_file(user_client, "video", "v.mp4", video_small.read_bytes())
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "The video has more than 20 frames per second.",
        "code": "invalid_frame_rate",
    }
    assert MediaAsset.objects.count() == 0
    settings.MEDIA_MAX_VIDEO_FPS = 30
    response = post_file(user_client, "video", "v.mp4", video_small.read_bytes())
    assert response.status_code == 201, response.content
    assert MediaAsset.objects.get().metadata["frames"] == 75  # 3 s at 25 fps


def test_processing_measures_a_stored_file_whose_header_lies_and_stops_terminally(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_DURATION_SECONDS = 600
    settings.MEDIA_MAX_ATTEMPTS = 3
    flac = lying_flac(tmp_path / "lie.flac", real_seconds=1200, claimed_seconds=10, rate=8000)
    asset = stored_asset(
        flac, purpose="audio", duration=10.0, capture=django_capture_on_commit_callbacks
    )
    assert pipeline.asset_process(asset_id=asset.id) == "failed"  # first attempt, no retry
    asset.refresh_from_db()
    assert asset.status == AssetStatus.FAILED and asset.processing_attempts == 1
    assert asset.error == "The file is longer than the allowed duration."
    assert asset.processing_log.startswith("measured 1199.9")
    assert asset.output_prefix == ""


def test_a_transcode_whose_output_outgrows_the_measured_duration_is_stopped(tmp_path):
    source = tmp_path / "ten-minutes.flac"
    samples._ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "600"], source)
    info = probe(source)
    assert info.duration == pytest.approx(600, abs=0.1)
    rung = profiles.AUDIO_LADDER[-1]
    out = tmp_path / "hls"
    job = ffmpeg.Job(
        ffmpeg.audio_command(source, info, rung, out), 10.0, rung.name, max_duration=10.0
    )
    with pytest.raises(ffmpeg.FFmpegLimitExceeded) as caught:
        in_thread(ffmpeg.run_jobs, [job])
    assert caught.value.message == "The file holds more media than its header declares."
    assert caught.value.terminal is True
    # Stopped after 10 s * 1.05 + 5 s of output, at the next progress report: not at the end.
    assert 15.5 <= job.out_seconds < 590
    assert job.child.process.poll() is not None  # and the child is gone


# --- tags that are not numbers -------------------------------------------------------------


@pytest.mark.parametrize("value", [b"abc", b"nan", b"1e999", b"45"])
def test_a_rotate_tag_that_is_not_a_right_angle_is_ignored_on_upload(
    user_client, tmp_path, queued, value
):
    video = video_with_rotate_tag(tmp_path / "rotate.mkv", value)
    response = post_file(user_client, "video", "rotate.mkv", video.read_bytes())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"]) == (64, 48)
    assert MediaAsset.objects.get().metadata["width"] == 64


def test_a_rotate_tag_of_90_still_turns_the_picture(tmp_path):
    info = probe(video_with_rotate_tag(tmp_path / "rotate.mkv", b"90"))
    assert (info.rotation, info.display_size) == (90, (48, 64))


# --- what uploaders are told --------------------------------------------------------------


def test_an_ffmpeg_failure_tells_the_owner_a_short_reason_and_keeps_the_log_for_staff(
    video_small, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_ATTEMPTS = 1
    settings.MEDIA_REMUX = False  # the small sample fits its one rung: it would be copied
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=video_small, filename="v.mp4"
        )
    settings.MEDIA_X264_PRESET = "no-such-preset"  # x264 refuses: FFmpeg fails with its log
    assert pipeline.asset_process(asset_id=asset.id) == "failed"
    asset.refresh_from_db()
    message = "The file could not be processed (ladder)."
    assert asset.error == message
    assert "libx264 @ 0x" in asset.processing_log  # FFmpeg's own words, heap address too
    body = client_for(asset.owner).get(f"/api/v1/media/assets/{asset.id}").json()
    assert body["error"] == message
    assert {r["error"] for r in body["renditions"]} == {message}
    # No heap address from FFmpeg's log ("libx264 @ 0x55d0c3a1b2c0"); signed URLs may hold
    # "0x" by chance.
    assert "processing_log" not in body and not re.search(r"@ 0x[0-9a-f]{6,}", str(body))
    note = Notification.objects.get(recipient=asset.owner, type="media_failed")
    assert note.message == message


# --- the limits every child runs under ---------------------------------------------------


def test_every_child_runs_with_cpu_memory_and_file_size_limits(settings):
    settings.MEDIA_FFMPEG_MAX_MEMORY_MB = 1024
    limits = ffexec.Limits(
        deadline=20, cpu_seconds=7, memory_bytes=1024 * ffexec.MB, file_bytes=5 * ffexec.MB
    )
    script = (
        "import resource as r; print(*(r.getrlimit(getattr(r, n)) for n in "
        "('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_CORE')))"
    )
    run = ffexec.run([sys.executable, "-c", script], name="limits", limits=limits, capture=True)
    assert run.stdout.decode().split() == [
        "(7,", "12)", f"({1024 * ffexec.MB},", f"{1024 * ffexec.MB})",
        f"({5 * ffexec.MB},", f"{5 * ffexec.MB})", "(0,", "0)",
    ]  # fmt: skip


def test_a_child_that_floods_stderr_while_writing_stdout_does_not_block():
    script = (
        "import sys\n"
        "for _ in range(64): sys.stderr.write('e' * 16383 + '\\n'); sys.stdout.write('o' * 16384)\n"
    )
    limits = ffexec.probe_limits()
    run = in_thread(
        lambda: ffexec.run([sys.executable, "-c", script], name="t", limits=limits, capture=True)
    )
    assert len(run.stdout) == 64 * 16384 and run.stderr_bytes == 64 * 16384
    assert len(run.stderr_tail) == ffexec.STDERR_TAIL_BYTES


def test_a_child_past_its_cpu_time_is_stopped_as_a_limit():
    limits = ffexec.Limits(
        deadline=30, cpu_seconds=1, memory_bytes=1024 * ffexec.MB, file_bytes=ffexec.MB
    )
    with pytest.raises(ffexec.FFmpegLimitExceeded) as caught:
        in_thread(
            lambda: ffexec.run([sys.executable, "-c", "while True: pass"], name="s", limits=limits)
        )
    assert caught.value.message == "Processing used more CPU time than allowed."


def test_a_child_past_its_deadline_is_killed_as_a_limit():
    limits = ffexec.Limits(deadline=0.5, cpu_seconds=30, memory_bytes=1024**3, file_bytes=1024**2)
    process = ffexec.Process(
        [sys.executable, "-c", "import time; time.sleep(30)"], name="sleep", limits=limits
    )
    with pytest.raises(ffexec.FFmpegLimitExceeded) as caught:
        in_thread(process.wait)
    assert caught.value.message == "Processing took longer than allowed for a file of this length."
    assert process.process.returncode is not None


def test_a_child_writing_more_than_its_output_cap_is_stopped(tmp_path):
    limits = ffexec.limits(deadline=20, output_bytes=256 * 1024)
    command = [
        settings_ffmpeg(), "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
        "anoisesrc=r=8000:d=60", "-f", "s16le", str(tmp_path / "noise.raw"),
    ]  # fmt: skip
    with pytest.raises(ffexec.FFmpegLimitExceeded) as caught:
        in_thread(lambda: ffexec.run(command, name="noise", limits=limits))
    assert caught.value.message == ffexec.OUTPUT_MESSAGE
    assert (tmp_path / "noise.raw").stat().st_size <= 256 * 1024


def test_a_child_over_its_memory_limit_fails_terminally_on_the_first_attempt(
    tone_mp3, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=tone_mp3, filename="tone.mp3"
        )
    settings.MEDIA_FFMPEG_MAX_MEMORY_MB = 64  # FFmpeg cannot even map its libraries
    assert pipeline.asset_process(asset_id=asset.id) == "failed"
    asset.refresh_from_db()
    assert asset.processing_attempts == 1
    assert asset.error == "Reading the file failed: Processing needed more memory than allowed."


def test_a_transcode_past_its_deadline_fails_terminally_on_the_first_attempt(
    video_small, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=video_small, filename="v.mp4"
        )
    settings.MEDIA_FFMPEG_MIN_DEADLINE_SECONDS = 0
    settings.MEDIA_FFMPEG_SECONDS_PER_MEDIA_SECOND = 0.01  # 3 s of video: 30 ms
    assert pipeline.asset_process(asset_id=asset.id) == "failed"
    asset.refresh_from_db()
    assert asset.processing_attempts == 1
    assert asset.error == "Processing took longer than allowed for a file of this length."
    assert set(asset.renditions.values_list("status", flat=True)) == {RenditionStatus.FAILED}


def settings_ffmpeg() -> str:
    from django.conf import settings

    return settings.FFMPEG_BINARY


# --- deleting what is still used -----------------------------------------------------------


def test_deleting_an_asset_a_document_uses_names_the_document_and_changes_nothing():
    document = DocumentFactory(title="John")
    asset = document.file
    response = client_for(asset.owner).delete(f"/api/v1/media/assets/{asset.id}")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This item is still in use and cannot be deleted. "
        "Still used by: Document asset 'John'.",
        "code": "conflict",
    }
    assert MediaAsset.objects.filter(id=asset.id).exists()
