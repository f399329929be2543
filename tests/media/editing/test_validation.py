"""Hostile or impossible edits: a 400 naming the field, and nothing left behind (no job
row, no FFmpeg process, nothing queued, no temp file)."""

import uuid

import pytest
from django.db import connection

from media.models import EditJob, MediaAsset
from tests.factories import UserFactory
from tests.media.editing.conftest import post, ready_asset

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def assets(owner, wav_4s, wav_3s, pattern_video, red_png):
    return {
        "audio": ready_asset(owner, "audio", wav_4s),
        "audio3": ready_asset(owner, "audio", wav_3s),
        "video": ready_asset(owner, "video", pattern_video),
        "image": ready_asset(owner, "thumbnail", red_png),
        "pending": ready_asset(owner, "audio", wav_3s, status="processing"),
        "foreign": ready_asset(UserFactory(), "audio", wav_4s),
    }


@pytest.fixture
def rejected(owner_client, spawned, temp_dir, pipeline_calls):
    """POST and check the 400 names `field` and that nothing happened."""

    def check(path: str, body: dict, field: str, code: str | None = None):
        jobs, assets = EditJob.objects.count(), MediaAsset.objects.count()
        waiting = len(connection.run_on_commit)  # the fixtures' own pipeline runs
        response = post(owner_client, path, body)
        assert response.status_code == 400, response.json()
        data = response.json()
        assert data["code"] == "invalid"
        assert field in data["errors"], data
        if field != "non_field_errors":
            assert data["detail"].startswith(f"{field}:")
        assert EditJob.objects.count() == jobs == 0
        assert MediaAsset.objects.count() == assets
        assert spawned == [] and pipeline_calls == []
        assert len(connection.run_on_commit) == waiting  # no task queued after commit
        assert list(temp_dir.iterdir()) == []
        return data

    return check


def a(assets, name):
    return str(assets[name].id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": -1, "end": 2}, "start"),
        ({"start": 3, "end": 1}, "end"),
        ({"start": 2, "end": 2}, "end"),
        ({"start": 1, "end": 4.2}, "end"),  # past the 4 s source
        ({"start": 5, "end": 9}, "start"),
        ({"start": "NaN", "end": 2}, "start"),
        ({"start": "1e400", "end": 2}, "start"),
        ({"end": 2}, "start"),
    ],
)
def test_bad_trim_times(assets, rejected, body, field):
    rejected("audio-editing/trim", {"source": a(assets, "audio"), **body}, field)


def test_times_past_the_end_in_a_full_job_name_the_operation(assets, rejected):
    data = rejected(
        "audio-editing/",
        {
            "source": a(assets, "audio"),
            "operations": [
                {"type": "trim", "start": 0, "end": 3},
                {"type": "fade", "in": 2, "out": 1.5},  # 3.5 s of fades on 3 s
            ],
        },
        "operations.1.out",
    )
    assert "3.000 s" in data["detail"]


def test_someone_elses_asset_reads_exactly_like_a_missing_one(assets, rejected):
    foreign = rejected("audio-editing/trim", {"source": a(assets, "foreign"), "start": 0, "end": 1},
                       "source")  # fmt: skip
    missing = rejected("audio-editing/trim", {"source": str(uuid.uuid4()), "start": 0, "end": 1},
                       "source")  # fmt: skip
    assert foreign == missing
    assert foreign["errors"]["source"] == ["No such asset."]


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("audio-editing/trim", {"source": "pending", "start": 0, "end": 1}, "source",
         "The asset is not ready yet."),
        ("audio-editing/trim", {"source": "video", "start": 0, "end": 1}, "source",
         "The asset is not an audio file."),
        ("video-editing/trim", {"source": "audio", "start": 0, "end": 1}, "source",
         "The asset is not a video file."),
        ("video-editing/replace-audio", {"source": "video", "audio": "image"}, "audio",
         "The asset is not an audio file."),
        ("video-editing/mix-audio", {"source": "video", "audio": "foreign"}, "audio",
         "No such asset."),
        ("video-editing/image-overlay", {"source": "video", "image": "audio"}, "image",
         "The asset is not an image file."),
        ("audio-editing/merge", {"sources": ["audio", "foreign"]}, "sources.1",
         "No such asset."),
    ],
)  # fmt: skip
def test_asset_references_are_checked(assets, rejected, path, body, field, message):
    body = {
        key: ([a(assets, v) for v in value] if isinstance(value, list) else a(assets, value))
        if key in ("source", "sources", "audio", "image")
        else value
        for key, value in body.items()
    }
    assert rejected(path, body, field)["errors"][field] == [message]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("video-editing/text-overlay", {"text": "x", "size": 100000}, "size"),
        ("video-editing/text-overlay", {"text": "x", "size": 4}, "size"),
        ("video-editing/text-overlay", {"text": "x", "color": "red"}, "color"),
        ("video-editing/text-overlay", {"text": "x", "color": "#FF00001"}, "color"),
        ("video-editing/text-overlay", {"text": "bell\x07"}, "text"),
        ("video-editing/text-overlay", {"text": "nul\x00"}, "text"),
        ("video-editing/text-overlay", {"text": "   \n "}, "text"),
        ("video-editing/text-overlay", {"text": "x" * 501}, "text"),
        ("video-editing/text-overlay", {"text": "x", "x": 320}, "x"),
        ("video-editing/text-overlay", {"text": "x", "x": "middle"}, "x"),
        ("video-editing/text-overlay", {"text": "x", "y": -5}, "y"),
        ("video-editing/text-overlay", {"text": "x", "start": 4.5}, "start"),
        ("video-editing/text-overlay", {"text": "x", "start": 2, "end": 1}, "end"),
        ("video-editing/image-overlay", {"image": "image", "opacity": 1.5}, "opacity"),
        ("video-editing/image-overlay", {"image": "image", "scale": 0}, "scale"),
        ("video-editing/mix-audio", {"audio": "audio", "volume": 3}, "volume"),
        ("video-editing/filters", {"speed": 3}, "speed"),
        ("video-editing/filters", {"speed": 0.25}, "speed"),
        ("video-editing/filters", {}, "non_field_errors"),
        ("video-editing/rotate", {"angle": 45}, "angle"),
        ("video-editing/crop", {"x": 0, "y": 0, "width": 400, "height": 100}, "width"),
        ("video-editing/crop", {"x": 200, "y": 0, "width": 160, "height": 100}, "width"),
        ("video-editing/crop", {"x": 0, "y": 0, "width": 8, "height": 100}, "width"),
        ("video-editing/crop", {"x": 0, "y": 239, "width": 16, "height": 16}, "height"),
        ("video-editing/trim", {"start": 0, "end": 1, "output_format": "avi"}, "output_format"),
    ],
)
def test_bad_video_parameters(assets, rejected, path, body, field):
    body = {"source": a(assets, "video"), **body}
    for key in ("image", "audio"):
        if key in body:
            body[key] = a(assets, body[key])
    rejected(path, body, field)


def test_font_size_is_bounded_by_the_frame_at_that_point(assets, rejected):
    rejected(
        "video-editing/",
        {
            "source": a(assets, "video"),
            "operations": [
                {"type": "crop", "x": 0, "y": 0, "width": 160, "height": 120},
                {"type": "text_overlay", "text": "big", "size": 150},
            ],
        },
        "operations.1.size",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operations": []}, "operations"),
        ({"operations": [{"type": "explode"}]}, "operations.0.type"),
        ({"operations": [{"type": "rotate", "angle": 90}]}, "operations.0.type"),
        ({"operations": ["trim"]}, "operations.0"),
        ({"operations": [{"type": "trim", "start": 0, "end": 1}] * 11}, "operations"),
        ({"operations": [{"type": "normalize", "target": -50}]}, "operations.0.target"),
        ({"operations": [{"type": "normalize", "true_peak": 3}]}, "operations.0.true_peak"),
        ({"operations": [{"type": "fade"}]}, "operations.0.in"),
        ({"operations": [{"type": "normalize"}], "output_format": "wav"}, "output_format"),
        (
            {"operations": [{"type": "fade", "in": 1}, {"type": "merge", "sources": ["x"]}]},
            "operations.1.sources.0",
        ),
    ],
)
def test_bad_audio_jobs(assets, rejected, body, field):
    rejected("audio-editing/", {"source": a(assets, "audio"), **body}, field)


def test_merge_rules(assets, rejected):
    audio, audio3 = a(assets, "audio"), a(assets, "audio3")
    rejected("audio-editing/merge", {"sources": [audio]}, "sources")
    rejected("audio-editing/merge", {"sources": [audio, audio3], "crossfade": 2}, "crossfade")
    rejected("audio-editing/merge", {"sources": [audio, audio3], "crossfade": 11}, "crossfade")
    rejected(
        "audio-editing/",
        {
            "source": audio,
            "operations": [{"type": "normalize"}, {"type": "merge", "sources": [audio, audio3]}],
        },
        "operations.1.type",
    )
    rejected(
        "audio-editing/",
        {"source": audio, "operations": [{"type": "merge", "sources": [audio, audio3]}]},
        "source",
    )


def test_top_level_sources_only_go_with_a_merge(assets, rejected):
    rejected(
        "audio-editing/",
        {
            "source": a(assets, "audio"),
            "sources": [a(assets, "audio"), a(assets, "audio3")],
            "operations": [{"type": "normalize"}],
        },
        "sources",
    )


def test_a_source_is_required(assets, rejected):
    rejected("audio-editing/", {"operations": [{"type": "normalize"}]}, "source")
    rejected("video-editing/rotate", {"angle": 90}, "source")
    rejected("audio-editing/trim", {"source": "not-a-uuid", "start": 0, "end": 1}, "source")


def test_unreadable_source_is_a_clear_400(owner, assets, rejected, settings):
    from tests.media.editing.conftest import stored_path

    stored_path(assets["audio"]).write_bytes(b"#EXTM3U\nhttp://example.com/x.ts\n")
    data = rejected("audio-editing/trim", {"source": a(assets, "audio"), "start": 0, "end": 1},
                    "source")  # fmt: skip
    assert data["errors"]["source"]


def test_the_number_of_edits_in_progress_is_limited(owner, owner_client, assets, settings):
    settings.MEDIA_EDIT_MAX_ACTIVE_JOBS = 2
    body = {"source": a(assets, "audio"), "start": 0, "end": 1}
    for _ in range(2):
        assert post(owner_client, "audio-editing/trim", body).status_code == 202
    response = post(owner_client, "audio-editing/trim", body)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_edits"
    assert EditJob.objects.count() == 2
