"""Editing fixtures: generated sources stored as ready assets, an API helper that runs the
queued job (Celery is eager), and a recorder of the FFmpeg processes started."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media import ffmpeg, layout, samples, storage
from media.models import AssetStatus, EditJob, MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.editing import measure


@pytest.fixture(autouse=True)
def temp_dir(settings, tmp_path) -> Path:
    path = tmp_path / "work-tmp"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    return path


@pytest.fixture(autouse=True)
def pipeline_calls(request, monkeypatch):
    """The processing pipeline is not run for stored results (it has its own tests), unless
    a test asks for `real_pipeline`."""
    calls = []
    if "real_pipeline" not in request.fixturenames:
        from media import tasks

        monkeypatch.setattr(tasks.process_asset, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def real_pipeline():
    return True


@pytest.fixture(scope="session")
def wav_4s(media_dir):
    return measure.make_wav(media_dir / "tone-4s.wav", seconds=4, frequency=440)


@pytest.fixture(scope="session")
def wav_3s(media_dir):
    return measure.make_wav(media_dir / "tone-3s.wav", seconds=3, frequency=660)


@pytest.fixture(scope="session")
def blue_video(media_dir):
    return measure.make_color_video(media_dir / "blue.mp4", seconds=4, color="blue", tone=330)


@pytest.fixture(scope="session")
def pattern_video(media_dir):
    return samples.make_video(media_dir / "pattern.mp4", seconds=4, width=320, height=240)


@pytest.fixture(scope="session")
def red_png(media_dir):
    path = media_dir / "red.png"
    Image.new("RGB", (100, 100), (255, 0, 0)).save(path)
    return path


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
                 ".png": "image/png", ".jpg": "image/jpeg"}  # fmt: skip


def ready_asset(owner, purpose: str, path: Path, status: str = AssetStatus.READY) -> MediaAsset:
    """Store a generated file as the owner's asset, as if upload and pipeline had finished
    (the files are known-good, so the upload checks are skipped for speed)."""
    kind = layout.KIND_OF_PURPOSE[purpose]
    key = layout.original_key(purpose, path.suffix.lstrip("."))
    storage.put_file(key, path)
    width = height = None
    if kind == "image":
        with Image.open(path) as image:
            width, height = image.size
    return MediaAsset.objects.create(
        owner=owner,
        kind=kind,
        purpose=purpose,
        status=status,
        storage_key=key,
        original_filename=path.name,
        content_type=CONTENT_TYPES[path.suffix],
        size_bytes=path.stat().st_size,
        width=width,
        height=height,
    )


def stored_path(asset: MediaAsset) -> Path:
    return Path(default_storage.path(asset.storage_key))


def post(client, path: str, body: dict):
    return client.post(f"/api/v1/{path}", body, format="json")


@pytest.fixture
def edit(owner_client, django_capture_on_commit_callbacks):
    """POST an edit and run its queued task; returns (response, job)."""

    def run(path: str, body: dict, client=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client or owner_client, path, body)
        assert response.status_code == 202, response.json()
        job = EditJob.objects.select_related("result").get(id=response.json()["id"])
        return response, job

    return run


def result_path(job: EditJob) -> Path:
    assert job.status == "succeeded", (job.status, job.error)
    return stored_path(job.result)


@pytest.fixture
def spawned(monkeypatch):
    """Every FFmpeg process an edit starts: its command and the text files beside it."""
    records = []
    original = ffmpeg.Job

    class RecordingJob(original):
        def __init__(self, command, duration, name="", **options):
            workdir = Path(command[-1]).parent
            texts = {p.name: p.read_text("utf-8") for p in workdir.glob("text-*.txt")}
            records.append({"command": list(command), "texts": texts})
            super().__init__(command, duration, name, **options)

    monkeypatch.setattr(ffmpeg, "Job", RecordingJob)
    return records
