"""Recording a live stream to VOD: start/stop LiveKit egress, and import the finished file as
a podcast (video) of the host through the media pipeline.

The import runs in a task and is safe to run twice: the stream row is claimed
(processing -> importing) before any work, and a replay of a finished import finds nothing
to claim. The file comes from the egress result: a storage key under LIVEKIT_EGRESS_PREFIX
(egress uploading to our bucket) or an absolute path inside LIVEKIT_EGRESS_LOCAL_DIR (egress
writing to a shared disk); nothing else is read.
"""

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cnt.errors import Conflict, NotConfigured
from live import livekit
from live.models import LiveStream, RecordingStatus, StreamStatus
from media.jobs import JobSpec, job_claim_update, job_fail, job_release

logger = logging.getLogger("cnt.live")

# An import claimed longer ago than this is taken to have died with its worker (the claim
# stamps updated_at; an import has no progress to beat on). Attempts are Celery's retries.
STALE_IMPORT_SECONDS = 3600
IMPORT_JOB = JobSpec(
    model=LiveStream,
    waiting=(RecordingStatus.PROCESSING,),
    running=RecordingStatus.IMPORTING,
    retry_status=RecordingStatus.PROCESSING,
    failed=RecordingStatus.FAILED,
    status_field="recording_status",
    error_field="recording_error",
    heartbeat_field="updated_at",
    attempts_field=None,
    started_field=None,
    scope={"recording__isnull": True},
    noun="recording",
    stale_seconds=lambda: STALE_IMPORT_SECONDS,
)


class RecordingUnavailable(Exception):
    """The egress result cannot be read (terminal: retrying will not help)."""


def recording_start(*, stream: LiveStream) -> LiveStream:
    """Start recording a live stream (host or moderator). The row is claimed first, so two
    concurrent requests start one egress."""
    if not livekit.egress_is_enabled():
        raise NotConfigured("Recording (LiveKit egress) is not configured on this server.")
    if stream.status != StreamStatus.LIVE:
        raise Conflict("Only a live stream can be recorded.")
    claimed = LiveStream.objects.filter(
        pk=stream.pk,
        status=StreamStatus.LIVE,
        recording_status__in=(RecordingStatus.NONE, RecordingStatus.FAILED),
    ).update(recording_status=RecordingStatus.RECORDING, recording_error="", egress_id="")
    if not claimed:
        raise Conflict("This stream is already being recorded or was recorded.")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    filepath = f"{settings.LIVEKIT_EGRESS_PREFIX.strip('/')}/{stream.room_name}-{stamp}.mp4"
    try:
        egress_id = livekit.egress_start_room(stream.room_name, filepath)
    except Exception:
        LiveStream.objects.filter(pk=stream.pk).update(recording_status=RecordingStatus.NONE)
        raise
    # A fast egress_ended webhook may already have moved the row on; only fill in the id.
    LiveStream.objects.filter(pk=stream.pk, egress_id="").update(egress_id=egress_id)
    return LiveStream.objects.get(pk=stream.pk)


def recording_stop(*, stream: LiveStream) -> LiveStream:
    """Stop the running recording; the egress_ended webhook then imports the file."""
    if stream.recording_status != RecordingStatus.RECORDING or not stream.egress_id:
        raise Conflict("This stream is not being recorded.")
    livekit.egress_stop(stream.egress_id)
    return stream


@contextlib.contextmanager
def _recording_file(source: str) -> Iterator[Path]:
    """A local path holding the egress result."""
    from media import storage

    path = Path(source)
    if path.is_absolute():
        root = settings.LIVEKIT_EGRESS_LOCAL_DIR
        if not root:
            raise RecordingUnavailable("local recordings need LIVEKIT_EGRESS_LOCAL_DIR")
        resolved = path.resolve()
        if not resolved.is_relative_to(Path(root).resolve()) or not resolved.is_file():
            raise RecordingUnavailable(f"{source} is not a file under LIVEKIT_EGRESS_LOCAL_DIR")
        yield resolved
        return
    key = PurePosixPath(source.lstrip("/"))
    prefix = PurePosixPath(settings.LIVEKIT_EGRESS_PREFIX.strip("/"))
    if ".." in key.parts or not key.is_relative_to(prefix):
        raise RecordingUnavailable(f"{source} is not under {prefix}/")
    try:
        with storage.local_copy(str(key)) as local:
            if not local.is_file():
                raise FileNotFoundError(str(key))
            yield local
    except FileNotFoundError:
        raise RecordingUnavailable(f"{source} is not in storage")


def _claim(stream_id) -> LiveStream | None:
    if not job_claim_update(IMPORT_JOB, stream_id):
        return None
    return LiveStream.objects.select_related("host", "thumbnail").get(pk=stream_id)


def recording_import(*, stream_id) -> str:
    """Turn a finished recording into a pending podcast (video) of the host. Returns what
    happened: "imported", "skipped" (nothing to do) or "failed" (terminal)."""
    from catalog.models import Podcast
    from catalog.services import content_create
    from media.models import AssetPurpose
    from media.services import asset_create_from_path
    from media.validation import MediaRejected

    stream = _claim(stream_id)
    if stream is None:
        return "skipped"
    host = stream.host
    cover = stream.thumbnail if stream.thumbnail and stream.thumbnail.owner_id == host.pk else None
    try:
        with _recording_file(stream.recording_source) as path, transaction.atomic():
            asset = asset_create_from_path(
                owner=host,
                purpose=AssetPurpose.VIDEO,
                path=path,
                filename=f"{stream.title[:150]}.mp4",
            )
            podcast = content_create(
                model=Podcast,
                user=host,
                title=stream.title,
                description=stream.description,
                asset_id=asset.pk,
                cover_id=cover.pk if cover else None,
                category=None,
            )
            LiveStream.objects.filter(pk=stream.pk).update(
                recording=asset,
                recording_podcast=podcast,
                recording_status=RecordingStatus.READY,
                recording_error="",
            )
    except (RecordingUnavailable, MediaRejected) as exc:
        logger.warning("recording of stream %s not importable: %s", stream_id, exc)
        job_fail(IMPORT_JOB, stream_id, str(getattr(exc, "detail", exc)))
        return "failed"
    except Exception:
        # Transient (storage, database): give the row back for the retry.
        job_release(IMPORT_JOB, stream_id)
        raise
    return "imported"
