"""Audio edits on generated tones, checked by decoding the result."""

import hashlib

import pytest

from media.models import EditJob, MediaAsset
from tests.media.editing import measure
from tests.media.editing.conftest import ready_asset, result_path, stored_path

pytestmark = [pytest.mark.django_db]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_trim_makes_a_new_asset_of_the_exact_length(owner, wav_4s, edit, spawned, pipeline_calls):
    source = ready_asset(owner, "audio", wav_4s)
    before = sha(stored_path(source))
    response, job = edit("audio-editing/trim", {"source": str(source.id), "start": 1.0, "end": 3.0})
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["result"] is None
    assert job.status == "succeeded" and job.progress == 1.0 and job.error == ""
    assert job.operations == [{"type": "trim", "start": 1.0, "end": 3.0}]
    out = result_path(job)
    assert out.suffix == ".m4a"
    assert abs(measure.decoded_seconds(out) - 2.0) < 0.05
    assert abs(float(measure.streams(out)["format"]["duration"]) - 2.0) < 0.05
    assert measure.streams(out)["audio"]["codec_name"] == "aac"
    result = job.result
    assert (result.kind, result.purpose, result.owner_id) == ("audio", "audio", owner.id)
    assert result.storage_key.startswith("audio/") and result.id != source.id
    assert result.original_filename == "tone-4s (edited).m4a"
    assert pipeline_calls == [(str(result.id),)]  # the result goes through the normal pipeline
    assert sha(stored_path(source)) == before  # the source is never modified
    assert len(spawned) == 1


def test_merge_joins_in_order_and_the_length_is_the_sum(owner, wav_4s, wav_3s, edit):
    first, second = ready_asset(owner, "audio", wav_4s), ready_asset(owner, "audio", wav_3s)
    _, job = edit(
        "audio-editing/merge",
        {"sources": [str(first.id), str(second.id)], "output_format": "aac"},
    )
    out = result_path(job)
    assert abs(measure.decoded_seconds(out) - 7.0) < 0.05
    assert job.sources == [str(first.id), str(second.id)]
    early, late = measure.pcm(out, 1.0, 1.0), measure.pcm(out, 5.5, 1.0)
    assert measure.tone_power(early, 440) > 50 * measure.tone_power(early, 660)
    assert measure.tone_power(late, 660) > 50 * measure.tone_power(late, 440)


def test_merge_with_crossfade_is_shorter_by_the_overlap(owner, wav_4s, wav_3s, edit):
    first, second = ready_asset(owner, "audio", wav_4s), ready_asset(owner, "audio", wav_3s)
    _, job = edit(
        "audio-editing/",
        {
            "sources": [str(first.id), str(second.id), str(first.id)],
            "operations": [{"type": "merge", "crossfade": 1.0}],
        },
    )
    assert abs(measure.decoded_seconds(result_path(job)) - (4 + 3 + 4 - 2 * 1.0)) < 0.05


def test_fade_starts_and_ends_near_silence(owner, wav_4s, edit):
    source = ready_asset(owner, "audio", wav_4s)
    _, job = edit("audio-editing/fade", {"source": str(source.id), "in": 1.0, "out": 1.0})
    out = result_path(job)
    samples = measure.pcm(out)
    hundred_ms = measure.RATE // 10
    assert abs(len(samples) / measure.RATE - 4.0) < 0.05
    middle = measure.rms_db(samples[2 * measure.RATE - hundred_ms : 2 * measure.RATE])
    assert middle > -20  # a 0.5-amplitude sine, downmixed to mono
    ten_ms = measure.RATE // 100
    # A linear 1 s fade: silent at the very edge, about -25 dB over the first 100 ms,
    # half the amplitude (-6 dB) half-way through.
    assert measure.rms_db(samples[:ten_ms]) < middle - 40
    assert measure.rms_db(samples[:hundred_ms]) < middle - 20
    half = measure.rms_db(samples[measure.RATE // 2 - ten_ms : measure.RATE // 2 + ten_ms])
    assert abs(half - (middle - 6)) < 2
    assert measure.rms_db(samples[-ten_ms:]) < middle - 40
    assert measure.rms_db(samples[-hundred_ms:]) < middle - 20


@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_normalize_reaches_the_target_loudness(owner, wav_4s, edit, target):
    source = ready_asset(owner, "audio", wav_4s)
    body = {"source": str(source.id)}
    if target != -16.0:
        body["target"] = target
    _, job = edit("audio-editing/normalize", body)
    out = result_path(job)
    assert job.operations[0]["target"] == target
    assert abs(measure.integrated_loudness(out) - target) < 1.5
    assert abs(measure.decoded_seconds(out) - 4.0) < 0.05


def test_several_operations_run_in_one_pass_to_mp3(owner, wav_4s, edit, spawned):
    source = ready_asset(owner, "audio", wav_4s)
    _, job = edit(
        "audio-editing/",
        {
            "source": str(source.id),
            "operations": [
                {"type": "trim", "start": 0.5, "end": 3.5},
                {"type": "fade", "in": 0.5},
                {"type": "normalize", "target": -18},
            ],
            "output_format": "mp3",
        },
    )
    out = result_path(job)
    assert out.suffix == ".mp3" and measure.streams(out)["audio"]["codec_name"] == "mp3"
    assert abs(measure.decoded_seconds(out) - 3.0) < 0.05
    assert len(spawned) == 1
    command = spawned[0]["command"]
    assert command.count("-filter_complex") == 1 and command.count("-i") == 1
    graph = command[command.index("-filter_complex") + 1]
    assert "atrim" in graph and "afade" in graph and "loudnorm" in graph
    assert "-protocol_whitelist" in command and command[command.index("-i") + 1].startswith("file:")
    assert job.result.content_type == "audio/mpeg"


def test_progress_and_result_are_reported_on_the_job(owner, owner_client, wav_4s, edit):
    source = ready_asset(owner, "audio", wav_4s)
    _, job = edit("audio-editing/trim", {"source": str(source.id), "start": 0, "end": 2})
    body = owner_client.get(f"/api/v1/audio-editing/jobs/{job.id}").json()
    assert body["status"] == "succeeded" and body["progress"] == 1.0
    assert body["result"]["id"] == str(job.result_id)
    assert body["result"]["kind"] == "audio"
    assert body["result"]["original_url"].startswith("http://testserver/media/s/")
    assert MediaAsset.objects.filter(owner=owner).count() == 2
    assert EditJob.objects.count() == 1


def test_the_result_is_processed_by_the_pipeline(owner, wav_4s, edit, real_pipeline):
    source = ready_asset(owner, "audio", wav_4s)
    _, job = edit("audio-editing/trim", {"source": str(source.id), "start": 0, "end": 2.5})
    job.result.refresh_from_db()
    assert job.result.status == "ready"
    assert abs(job.result.duration_seconds - 2.5) < 0.05
