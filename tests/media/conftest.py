"""Media test fixtures: real files generated with FFmpeg, fast encoder settings."""

import pytest

from media import samples


@pytest.fixture(autouse=True)
def _fast_pipeline(settings):
    settings.MEDIA_X264_PRESET = "ultrafast"
    settings.MEDIA_HLS_SEGMENT_SECONDS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("generated-media")


@pytest.fixture(scope="session")
def tone_mp3(media_dir):
    return samples.make_tone(media_dir / "tone.mp3", seconds=5, frequency=440)


@pytest.fixture(scope="session")
def video_720p(media_dir):
    return samples.make_video(media_dir / "v720.mp4", seconds=5, width=1280, height=720)


@pytest.fixture(scope="session")
def video_small(media_dir):
    return samples.make_video(media_dir / "v240.mp4", seconds=3, width=320, height=240)


@pytest.fixture(scope="session")
def jpeg_bytes():
    return samples.make_image_bytes("Psalm 23", size=(800, 600))


def post_file(client, endpoint, name, content, **fields):
    """POST `content` as the multipart field `file` named `name`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/upload/{endpoint}",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


@pytest.fixture
def queued(monkeypatch):
    """Every processing task handed to the broker during the test."""
    calls = []
    from media import tasks

    monkeypatch.setattr(tasks.process_asset, "delay", lambda *args: calls.append(args))
    return calls
