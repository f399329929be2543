"""LiveKit webhooks: verified on the raw body with the SDK's WebhookReceiver, applied once,
in any order; finished recordings become podcasts through the media pipeline."""

from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from livekit import api

from catalog.models import Podcast
from cnt.models import ModerationStatus
from live.models import LiveParticipant, LiveWebhookEvent, RecordingStatus, StreamStatus
from media import samples
from media.models import AssetKind, AssetPurpose, MediaAsset
from tests.live.conftest import make_meeting, make_stream, post_webhook, signed_webhook

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000  # event clock (unix seconds)


def room_event(kind: str, room: str, at: int, event_id: str) -> api.WebhookEvent:
    return api.WebhookEvent(
        event=kind, id=event_id, created_at=at, room=api.Room(name=room, sid="RM_1")
    )


def participant_event(kind, room, at, event_id, *, identity, sid, pkind=0):
    return api.WebhookEvent(
        event=kind,
        id=event_id,
        created_at=at,
        room=api.Room(name=room, sid="RM_1"),
        participant=api.ParticipantInfo(sid=sid, identity=identity, kind=pkind),
    )


def deliver(client, event, **kwargs):
    body, auth = signed_webhook(event, **kwargs)
    return post_webhook(client, body, auth)


def test_a_signed_webhook_is_applied(livekit_keys, client, host):
    meeting = make_meeting(host)
    response = deliver(client, room_event("room_started", meeting.room_name, T0, "EV_1"))
    assert response.status_code == 200 and response.json() == {"status": "applied"}
    meeting.refresh_from_db()
    assert meeting.status == StreamStatus.LIVE
    assert meeting.started_at == datetime.fromtimestamp(T0, tz=UTC)


@pytest.mark.parametrize("fault", ["wrong_secret", "tampered_body", "no_header", "garbage"])
def test_bad_signatures_are_401_and_change_nothing(livekit_keys, client, host, fault):
    meeting = make_meeting(host)
    event = room_event("room_started", meeting.room_name, T0, "EV_1")
    kwargs = {"secret": "not-the-secret-0123456789abcdefghij"} if fault == "wrong_secret" else {}
    body, auth = signed_webhook(event, **kwargs)
    if fault == "tampered_body":
        body = body.replace(b"EV_1", b"EV_2")
    if fault == "garbage":
        auth = "not.a.jwt"
    response = post_webhook(client, body, None if fault == "no_header" else auth)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    meeting.refresh_from_db()
    assert meeting.status == StreamStatus.SCHEDULED
    assert not LiveWebhookEvent.objects.exists()


def test_webhooks_without_livekit_are_503(livekit_off, client, host):
    meeting = make_meeting(host)
    body, auth = signed_webhook(room_event("room_started", meeting.room_name, T0, "EV_1"))
    response = post_webhook(client, body, auth)
    assert response.status_code == 503 and response.json()["code"] == "not_configured"


def test_a_duplicate_is_applied_once(livekit_keys, client, host):
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=timezone.now())
    joined = participant_event(
        "participant_joined", stream.room_name, T0, "EV_J", identity="user-5000", sid="PA_1"
    )
    assert deliver(client, joined).json() == {"status": "applied"}
    assert deliver(client, joined).json() == {"status": "duplicate"}
    stream.refresh_from_db()
    assert (stream.viewer_count, stream.peak_viewer_count) == (1, 1)
    assert LiveWebhookEvent.objects.filter(event_id="EV_J").count() == 1
    assert LiveParticipant.objects.count() == 1


def test_viewer_counts_and_peak_in_any_order(livekit_keys, client, host):
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=timezone.now())
    room = stream.room_name

    def send(kind, n, sid, identity, at, pkind=0):
        ev = participant_event(
            kind, room, at, f"EV_{kind}_{sid}", identity=identity, sid=sid, pkind=pkind
        )
        assert deliver(client, ev).status_code == 200

    send("participant_joined", 1, "PA_host", f"user-{host.pk}", T0)  # the host is no viewer
    send("participant_joined", 1, "PA_1", "user-9001", T0 + 1)
    send("participant_joined", 1, "PA_2", "user-9002", T0 + 2)
    send(
        "participant_joined", 1, "PA_agent", "agent-x", T0 + 2, pkind=api.ParticipantInfo.Kind.AGENT
    )
    # user-9003 leaves before their join arrives
    send("participant_left", 1, "PA_3", "user-9003", T0 + 5)
    send("participant_joined", 1, "PA_3", "user-9003", T0 + 3)
    stream.refresh_from_db()
    assert (stream.viewer_count, stream.peak_viewer_count) == (2, 2)
    send("participant_left", 1, "PA_1", "user-9001", T0 + 6)
    stream.refresh_from_db()
    assert (stream.viewer_count, stream.peak_viewer_count) == (1, 2)


def test_room_finished_before_room_started_does_not_resurrect(livekit_keys, client, host):
    meeting = make_meeting(host)
    finished = room_event("room_finished", meeting.room_name, T0 + 60, "EV_F")
    started = room_event("room_started", meeting.room_name, T0, "EV_S")
    assert deliver(client, finished).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == StreamStatus.ENDED
    ended_at = meeting.ended_at
    assert deliver(client, started).status_code == 200
    meeting.refresh_from_db()
    assert (meeting.status, meeting.ended_at) == (StreamStatus.ENDED, ended_at)


def test_a_stream_ends_when_its_room_finishes_but_not_for_an_older_room(livekit_keys, client, host):
    went_live = datetime.fromtimestamp(T0 + 100, tz=UTC)
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=went_live)
    # The green room the host left before going live finishes late: ignored.
    assert (
        deliver(client, room_event("room_finished", stream.room_name, T0 + 10, "EV_F0")).status_code
        == 200
    )
    stream.refresh_from_db()
    assert stream.status == StreamStatus.LIVE
    # room_started never makes a broadcast live (the host does, which notifies followers).
    other = make_stream(host)
    deliver(client, room_event("room_started", other.room_name, T0, "EV_S1"))
    other.refresh_from_db()
    assert other.status == StreamStatus.SCHEDULED

    deliver(
        client,
        participant_event(
            "participant_joined", stream.room_name, T0 + 110, "EV_J", identity="user-77", sid="PA_7"
        ),
    )
    assert (
        deliver(
            client, room_event("room_finished", stream.room_name, T0 + 200, "EV_F1")
        ).status_code
        == 200
    )
    stream.refresh_from_db()
    assert stream.status == StreamStatus.ENDED
    assert (stream.viewer_count, stream.peak_viewer_count) == (0, 1)
    assert not LiveParticipant.objects.filter(stream=stream, left_at__isnull=True).exists()


def test_events_for_unknown_rooms_and_untracked_kinds_are_ignored(livekit_keys, client):
    response = deliver(client, room_event("room_started", "not-ours", T0, "EV_X"))
    assert response.json() == {"status": "ignored"}
    track = api.WebhookEvent(event="track_published", id="EV_T", created_at=T0)
    assert deliver(client, track).json() == {"status": "ignored"}
    assert list(LiveWebhookEvent.objects.values_list("event_id", flat=True)) == ["EV_X"]


# --- recordings ----------------------------------------------------------------------------


def egress_ended(
    room, egress_id, *, filename, status=api.EgressStatus.EGRESS_COMPLETE, event_id="EV_E"
):
    info = api.EgressInfo(egress_id=egress_id, room_name=room, status=status)
    info.file_results.append(api.FileInfo(filename=filename, location=filename, size=1))
    return api.WebhookEvent(event="egress_ended", id=event_id, created_at=T0, egress_info=info)


def recording_stream(host):
    return make_stream(
        host,
        title="Revival night",
        description="Recorded live",
        status=StreamStatus.ENDED,
        egress_id="EG_1",
        recording_status=RecordingStatus.RECORDING,
    )


def test_a_local_recording_becomes_a_pending_video_podcast_of_the_host(
    livekit_keys, settings, client, host, tmp_path, django_capture_on_commit_callbacks
):
    egress_dir = tmp_path / "egress"
    egress_dir.mkdir()
    settings.LIVEKIT_EGRESS_LOCAL_DIR = str(egress_dir)
    recorded = samples.make_video(egress_dir / "revival.mp4", seconds=1.0)
    stream = recording_stream(host)

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, egress_ended(stream.room_name, "EG_1", filename=str(recorded)))
    assert response.json() == {"status": "applied"}
    stream.refresh_from_db()
    assert stream.recording_status == RecordingStatus.READY, stream.recording_error
    podcast = Podcast.objects.get(pk=stream.recording_podcast_id)
    assert (podcast.owner_id, podcast.title, podcast.status) == (
        host.pk,
        "Revival night",
        ModerationStatus.PENDING,
    )
    assert podcast.video_id == stream.recording_id and podcast.audio_id is None
    asset = MediaAsset.objects.get(pk=stream.recording_id)
    assert (asset.owner_id, asset.kind, asset.purpose) == (
        host.pk,
        AssetKind.VIDEO,
        AssetPurpose.VIDEO,
    )
    assert default_storage.exists(asset.storage_key)
    assert recorded.exists()  # the egress output is read, not moved

    # A redelivered webhook or task imports nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            client, egress_ended(stream.room_name, "EG_1", filename=str(recorded), event_id="EV_E2")
        )
    from live.recording import recording_import

    assert recording_import(stream_id=stream.pk) == "skipped"
    assert Podcast.objects.count() == 1 and MediaAsset.objects.filter(kind="video").count() == 1


def test_a_recording_in_storage_is_imported(
    livekit_keys, client, host, tmp_path, django_capture_on_commit_callbacks
):
    local = samples.make_video(tmp_path / "x.mp4", seconds=1.0)
    key = "live/recordings/stream-x.mp4"
    with local.open("rb") as handle:
        default_storage.save(key, handle)
    stream = recording_stream(host)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, egress_ended(stream.room_name, "EG_1", filename=key))
    stream.refresh_from_db()
    assert stream.recording_status == RecordingStatus.READY, stream.recording_error
    assert Podcast.objects.filter(owner=host, video__isnull=False).count() == 1


def test_recordings_outside_the_allowed_places_are_refused(
    livekit_keys, settings, client, host, tmp_path, django_capture_on_commit_callbacks
):
    settings.LIVEKIT_EGRESS_LOCAL_DIR = str(tmp_path / "egress")
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"not a video")
    stream = recording_stream(host)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, egress_ended(stream.room_name, "EG_1", filename=str(outside)))
    stream.refresh_from_db()
    assert stream.recording_status == RecordingStatus.FAILED
    assert "LIVEKIT_EGRESS_LOCAL_DIR" in stream.recording_error
    assert not Podcast.objects.exists() and not MediaAsset.objects.exists()


def test_a_failed_egress_is_recorded_as_failed(livekit_keys, client, host):
    stream = recording_stream(host)
    event = egress_ended(
        stream.room_name, "EG_1", filename="", status=api.EgressStatus.EGRESS_FAILED
    )
    event.egress_info.error = "out of disk"
    deliver(client, event)
    stream.refresh_from_db()
    assert (stream.recording_status, stream.recording_error) == (
        RecordingStatus.FAILED,
        "out of disk",
    )


def test_another_egress_of_the_room_is_ignored(livekit_keys, client, host):
    stream = recording_stream(host)
    deliver(client, egress_ended(stream.room_name, "EG_other", filename="live/recordings/a.mp4"))
    stream.refresh_from_db()
    assert stream.recording_status == RecordingStatus.RECORDING


def test_old_webhook_records_are_purged_in_batches_and_recent_ones_kept(settings):
    from datetime import timedelta

    from live.tasks import purge_webhook_events

    settings.LIVE_WEBHOOK_RETENTION_DAYS = 30
    now = timezone.now()
    LiveWebhookEvent.objects.bulk_create(
        [LiveWebhookEvent(event_id=f"EV_{n}", event="room_started") for n in range(7)]
    )
    old = [f"EV_{n}" for n in range(5)]
    LiveWebhookEvent.objects.filter(event_id__in=old).update(processed_at=now - timedelta(days=31))
    LiveWebhookEvent.objects.filter(event_id="EV_5").update(processed_at=now - timedelta(days=29))

    from live.webhooks import webhook_events_purge

    assert webhook_events_purge(batch_size=2) == 5
    assert set(LiveWebhookEvent.objects.values_list("event_id", flat=True)) == {"EV_5", "EV_6"}
    assert purge_webhook_events.delay().get() == 0  # nothing left to do: safe to rerun


# --- signed but malformed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda room: room_event("room_started", room, T0, "EV_" + "x" * 200), "id"),
        (lambda room: room_event("room_started", "r" * 300, T0, "EV_1"), "room.name"),
        (lambda room: room_event("room_started", room, 10**15, "EV_1"), "createdAt"),
        (lambda room: room_event("room_started", room, -5, "EV_1"), "createdAt"),
        (lambda room: room_event("room_started", room + "\x00", T0, "EV_1"), "event"),
        (
            lambda room: participant_event(
                "participant_joined", room, T0, "EV_1", identity="user:1", sid="PA_" + "s" * 100
            ),
            "participant.sid",
        ),
        (
            lambda room: api.WebhookEvent(
                event="egress_ended",
                id="EV_1",
                created_at=T0,
                egress_info=api.EgressInfo(room_name=room, egress_id="EG_" + "e" * 100),
            ),
            "egressInfo.egressId",
        ),
    ],
)
def test_a_signed_but_malformed_event_is_400_recorded_as_rejected_and_changes_nothing(
    livekit_keys, client, host, build, field
):
    meeting = make_meeting(host)

    response = deliver(client, build(meeting.room_name))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_payload"
    assert list(body["errors"]) == [field]
    meeting.refresh_from_db()
    assert meeting.status == StreamStatus.SCHEDULED
    assert not LiveParticipant.objects.exists()
    record = LiveWebhookEvent.objects.get()
    assert record.outcome == "rejected"
    assert len(record.event_id) <= 128 and "\x00" not in record.event_id


def test_a_signed_body_the_sdk_cannot_parse_is_400_and_recorded_by_its_hash(
    livekit_keys, client, host
):
    import base64
    import hashlib

    from tests.live.conftest import KEY, SECRET

    meeting = make_meeting(host)
    body = (
        '{"event": "room_started", "id": "EV_1", "createdAt": "not a number", '
        f'"room": {{"name": "{meeting.room_name}"}}}}'
    ).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    token = api.AccessToken(KEY, SECRET).with_sha256(digest).to_jwt()

    response = post_webhook(client, body, token)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    record = LiveWebhookEvent.objects.get()
    assert (record.event_id, record.outcome) == (
        "sha256:" + hashlib.sha256(body).hexdigest(),
        "rejected",
    )
    meeting.refresh_from_db()
    assert meeting.status == StreamStatus.SCHEDULED
