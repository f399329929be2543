"""Media test helpers: fast encoder settings, multipart posting, queued-task capture."""

import pytest


@pytest.fixture(autouse=True)
def _fast_pipeline(settings):
    settings.MEDIA_X264_PRESET = "ultrafast"
    settings.MEDIA_HLS_SEGMENT_SECONDS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = True


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
