"""Applying LiveKit webhooks: each event at most once, in any order.

The event id is inserted into live_webhook_events in the same transaction as the event's
effect, so a redelivered or concurrent duplicate changes nothing. Order independence:
- room status only moves forward (scheduled -> live -> ended), so a late room_started never
  brings an ended room back; a room_finished older than the newest room_started (an earlier
  room session) or than the moment a stream went live is ignored;
- participants are rows keyed by LiveKit's participant sid with separate joined/left times,
  and counts are recomputed from them, so joined/left may arrive in either order.

A delivery that verifies but does not fit (a body the SDK cannot parse, an id, room name,
participant sid or egress id longer than we store, NUL in a string, a timestamp out of
range) is recorded with outcome `rejected` (keyed by its id, or its body's sha256) and
answered 400 `invalid_payload`; nothing of it is applied.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from google.protobuf.json_format import MessageToDict
from livekit import api

from cnt.text import contains_nul
from live import chat, livekit
from live.models import (
    LiveParticipant,
    LiveStream,
    LiveWebhookEvent,
    RecordingStatus,
    StreamKind,
    StreamStatus,
)

logger = logging.getLogger("cnt.live")

EVENT_VIEWERS = "live.stream.viewers"
EVENT_ENDED = "live.stream.ended"
# LiveKit stamps events in whole seconds.
CLOCK_SLACK = timedelta(seconds=1)


class Outcome:
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    REJECTED = "rejected"


def webhook_receive(*, body: bytes, authorization: str) -> str:
    """Verify a delivery on its raw body and apply it (401 for a bad signature, 400 for a
    verified one that does not fit, recorded as rejected)."""
    try:
        event = livekit.webhook_event(body, authorization)
    except livekit.MalformedWebhook:
        _record_rejected(event_id="", event="", body=body)
        raise
    problem = webhook_event_problem(event) if event.event in HANDLERS else None
    if problem is not None:
        _record_rejected(event_id=event.id, event=event.event, body=body)
        logger.warning("rejected a malformed LiveKit webhook (%s)", problem)
        raise livekit.MalformedWebhook(
            f"The webhook event is malformed: {problem}.",
            errors={problem: ["This field does not fit LiveKit's event format."]},
        )
    return webhook_apply(event=event, body=body)


_EVENT_ID_MAX = LiveWebhookEvent._meta.get_field("event_id").max_length
_ROOM_MAX = LiveStream._meta.get_field("room_name").max_length
_SID_MAX = LiveParticipant._meta.get_field("participant_sid").max_length
_EGRESS_MAX = LiveStream._meta.get_field("egress_id").max_length
_LATEST_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z


def webhook_event_problem(event: api.WebhookEvent) -> str | None:
    """The field that makes a verified event unusable ("room.name"), or None."""
    if len(event.id) > _EVENT_ID_MAX:
        return "id"
    if not 0 <= event.created_at <= _LATEST_TIMESTAMP:
        return "createdAt"
    if contains_nul(MessageToDict(event)):
        return "event"
    if len(event.room.name) > _ROOM_MAX:
        return "room.name"
    if len(event.egress_info.room_name) > _ROOM_MAX:
        return "egressInfo.roomName"
    if len(event.egress_info.egress_id) > _EGRESS_MAX:
        return "egressInfo.egressId"
    if len(event.participant.sid or event.participant.identity) > _SID_MAX:
        return "participant.sid"
    return None


def _record_rejected(*, event_id: str, event: str, body: bytes) -> None:
    if not event_id or len(event_id) > _EVENT_ID_MAX or "\x00" in event_id:
        event_id = "sha256:" + hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            LiveWebhookEvent.objects.create(
                event_id=event_id,
                event=event.replace("\x00", "")[:64],
                outcome=Outcome.REJECTED,
            )
    except IntegrityError:
        pass  # the same malformed delivery again


def _event_time(event: api.WebhookEvent) -> datetime:
    if event.created_at:
        return datetime.fromtimestamp(event.created_at, tz=UTC)
    return timezone.now()


def _room_name(event: api.WebhookEvent) -> str:
    if event.HasField("room") and event.room.name:
        return event.room.name
    if event.HasField("egress_info"):
        return event.egress_info.room_name
    return ""


def webhook_apply(*, event: api.WebhookEvent, body: bytes = b"") -> str:
    handler = HANDLERS.get(event.event)
    if handler is None:
        return Outcome.IGNORED  # track and ingress events: nothing of ours changes
    event_id = event.id or "sha256:" + hashlib.sha256(body).hexdigest()
    at = _event_time(event)
    room_name = _room_name(event)
    with transaction.atomic():
        try:
            with transaction.atomic():
                LiveWebhookEvent.objects.create(
                    event_id=event_id[:128], event=event.event, room_name=room_name, occurred_at=at
                )
        except IntegrityError:
            return Outcome.DUPLICATE
        stream = (
            LiveStream.objects.select_for_update().filter(room_name=room_name).first()
            if room_name
            else None
        )
        if stream is None:
            return Outcome.IGNORED
        handler(stream, event, at)
    return Outcome.APPLIED


# --- rooms ---------------------------------------------------------------------------------


def _room_started(stream: LiveStream, event, at) -> None:
    if stream.room_finished_at and at <= stream.room_finished_at:
        return  # the start of a room that already finished
    stream.room_started_at = max(filter(None, [stream.room_started_at, at]))
    fields = ["room_started_at", "updated_at"]
    if stream.kind != StreamKind.STREAM and stream.status == StreamStatus.SCHEDULED:
        # Meetings and voice rooms are live while their room is; a broadcast goes live only
        # when its host says so (that is what notifies followers).
        stream.status = StreamStatus.LIVE
        stream.started_at = stream.started_at or at
        fields += ["status", "started_at"]
    stream.save(update_fields=fields)
    _recount(stream)


def _room_finished(stream: LiveStream, event, at) -> None:
    if stream.room_started_at and at < stream.room_started_at:
        return  # an earlier room session finishing late
    stream.room_finished_at = max(filter(None, [stream.room_finished_at, at]))
    fields = ["room_finished_at", "updated_at"]
    LiveParticipant.objects.filter(stream=stream, left_at__isnull=True).update(left_at=at)
    if stream.kind == StreamKind.STREAM:
        ends = stream.status == StreamStatus.LIVE and (
            stream.started_at is None or at + CLOCK_SLACK > stream.started_at
        )
    else:
        ends = stream.status in (StreamStatus.SCHEDULED, StreamStatus.LIVE)
    if ends:
        stream.status = StreamStatus.ENDED
        stream.ended_at = at
        fields += ["status", "ended_at"]
        if stream.kind == StreamKind.STREAM:
            stream_id = stream.pk
            chat._push_after_commit(
                stream_id, EVENT_ENDED, {"stream_id": stream_id, "status": stream.status}
            )
    stream.save(update_fields=fields)
    _recount(stream)


# --- participants --------------------------------------------------------------------------


def _participant(stream: LiveStream, info: api.ParticipantInfo) -> LiveParticipant:
    identity = info.identity
    user_id = livekit.user_id_of(identity)
    is_counted = info.kind == api.ParticipantInfo.Kind.STANDARD and user_id is not None
    if stream.kind == StreamKind.STREAM and user_id == stream.host_id:
        is_counted = False  # viewers, not the broadcaster
    row, _ = LiveParticipant.objects.get_or_create(
        stream=stream,
        participant_sid=info.sid or identity,
        defaults={
            "identity": identity[:128],
            "user_id": user_id if _user_exists(user_id) else None,
            "is_counted": is_counted,
        },
    )
    return row


def _user_exists(user_id) -> bool:
    from django.contrib.auth import get_user_model

    return user_id is not None and get_user_model().objects.filter(pk=user_id).exists()


def _participant_joined(stream: LiveStream, event, at) -> None:
    row = _participant(stream, event.participant)
    if row.joined_at is None:
        row.joined_at = at
        row.save(update_fields=["joined_at"])
    _recount(stream)


def _participant_left(stream: LiveStream, event, at) -> None:
    row = _participant(stream, event.participant)
    if row.left_at is None:
        row.left_at = at
        row.save(update_fields=["left_at"])
    _recount(stream)


def _recount(stream: LiveStream) -> None:
    """Viewer count from the participant rows; the peak only grows, and only while live."""
    if stream.status == StreamStatus.LIVE:
        count = LiveParticipant.objects.filter(
            stream=stream, is_counted=True, joined_at__isnull=False, left_at__isnull=True
        ).count()
    else:
        count = 0
    if count == stream.viewer_count and count <= stream.peak_viewer_count:
        return
    LiveStream.objects.filter(pk=stream.pk).update(
        viewer_count=count, peak_viewer_count=Greatest("peak_viewer_count", count)
    )
    if stream.kind == StreamKind.STREAM:
        stream_id = stream.pk
        chat._push_after_commit(
            stream_id, EVENT_VIEWERS, {"stream_id": stream_id, "viewer_count": count}
        )


# --- recording -----------------------------------------------------------------------------


def _egress_started(stream: LiveStream, event, at) -> None:
    info = event.egress_info
    if stream.egress_id and info.egress_id != stream.egress_id:
        return
    if stream.recording_status in (RecordingStatus.NONE, RecordingStatus.FAILED):
        stream.egress_id = info.egress_id
        stream.recording_status = RecordingStatus.RECORDING
        stream.save(update_fields=["egress_id", "recording_status", "updated_at"])


def _egress_ended(stream: LiveStream, event, at) -> None:
    """A finished recording is imported by a task after commit (download + media pipeline)."""
    from live.tasks import import_recording

    info = event.egress_info
    if stream.egress_id and info.egress_id != stream.egress_id:
        return  # not the recording we started
    if stream.recording_status not in (
        RecordingStatus.NONE,
        RecordingStatus.RECORDING,
        RecordingStatus.FAILED,
    ):
        return  # already imported or importing
    stream.egress_id = info.egress_id
    files = [f for f in info.file_results if f.filename or f.location]
    if info.status == api.EgressStatus.EGRESS_COMPLETE and files:
        stream.recording_status = RecordingStatus.PROCESSING
        stream.recording_source = (files[0].filename or files[0].location)[:1024]
        stream.recording_error = ""
        stream_id = stream.pk
        transaction.on_commit(lambda: import_recording.delay(stream_id))
    else:
        stream.recording_status = RecordingStatus.FAILED
        stream.recording_error = info.error or api.EgressStatus.Name(info.status)
    stream.save(
        update_fields=[
            "egress_id",
            "recording_status",
            "recording_source",
            "recording_error",
            "updated_at",
        ]
    )


HANDLERS = {
    "room_started": _room_started,
    "room_finished": _room_finished,
    "participant_joined": _participant_joined,
    "participant_left": _participant_left,
    "egress_started": _egress_started,
    "egress_ended": _egress_ended,
}


def webhook_events_purge(*, batch_size: int = 5000) -> int:
    """Forget applied events older than LIVE_WEBHOOK_RETENTION_DAYS (far beyond LiveKit's
    redelivery window, so no duplicate can arrive after its record is gone). Deletes in
    batches, so the table is never locked for long; returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.LIVE_WEBHOOK_RETENTION_DAYS)
    removed = 0
    while True:
        ids = list(
            LiveWebhookEvent.objects.filter(processed_at__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return removed
        removed += LiveWebhookEvent.objects.filter(pk__in=ids).delete()[0]
