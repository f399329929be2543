"""Streams API: scheduling, going live (followers notified), ending, listing; the permission
matrix of every stream endpoint, with proof that refused requests change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Artist, ArtistFollower
from cnt.notifications.models import Notification, NotificationType
from live import services
from live.models import LiveStream, RecordingStatus, StreamStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.live.conftest import ROLES, make_image, make_stream

pytestmark = pytest.mark.django_db


def codes(anonymous, user, host, moderator) -> dict:
    return {"anonymous": anonymous, "user": user, "host": host, "moderator": moderator}


STATE_FIELDS = ("status", "started_at", "ended_at", "recording_status", "egress_id", "title")


def snapshot(stream):
    stream.refresh_from_db()
    return (
        {f: getattr(stream, f) for f in STATE_FIELDS},
        Notification.objects.count(),
        LiveStream.objects.count(),
    )


# --- scheduling ----------------------------------------------------------------------------


def test_a_user_schedules_a_stream_with_their_cover(livekit_off, host):
    cover = make_image(host)
    when = timezone.now() + timedelta(days=1)
    response = client_for(host).post(
        "/api/v1/live/streams",
        {
            "title": "Youth night",
            "description": "Worship",
            "scheduled_at": when.isoformat(),
            "cover": str(cover.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Youth night" and body["status"] == "scheduled"
    assert body["host"]["id"] == host.pk and body["cover"]["id"] == str(cover.pk)
    assert body["cover"]["url"].startswith("http")
    assert body["cover"]["image"]["url"] == body["cover"]["url"]  # renditions not made yet
    assert body["chat_socket"] == f"/ws/live/{body['id']}/chat/"
    stream = LiveStream.objects.get(pk=body["id"])
    assert stream.scheduled_start == when and stream.room_name.startswith("stream-")


def test_someone_elses_cover_is_refused_and_nothing_is_stored(livekit_off, host, other):
    cover = make_image(other)
    response = client_for(host).post(
        "/api/v1/live/streams", {"title": "x", "cover": str(cover.pk)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "cover" in response.json()["errors"]
    assert not LiveStream.objects.exists()


def test_listing_filters_live_upcoming_and_past(
    livekit_off, host, other, django_assert_max_num_queries
):
    now = timezone.now()
    live = make_stream(host, status=StreamStatus.LIVE, started_at=now, viewer_count=7)
    soon = make_stream(host, scheduled_start=now + timedelta(hours=1))
    later = make_stream(host, scheduled_start=now + timedelta(days=1))
    past = make_stream(host, status=StreamStatus.ENDED, ended_at=now)
    make_stream(host, status=StreamStatus.LIVE, is_public=False)
    make_stream(host, status=StreamStatus.CANCELLED)
    client = client_for(other)

    def ids(state):
        with django_assert_max_num_queries(6):
            response = client.get("/api/v1/live/streams", {"state": state})
        assert response.status_code == 200
        return [item["id"] for item in response.json()["results"]]

    assert ids("live") == [live.pk]
    assert ids("upcoming") == [soon.pk, later.pk]
    assert ids("past") == [past.pk]
    detail = client.get(f"/api/v1/live/streams/{live.pk}").json()
    assert detail["viewer_count"] == 7 and detail["status"] == "live"
    assert client.get("/api/v1/live/streams", {"state": "nope"}).status_code == 400


def test_hosts_see_their_private_and_cancelled_streams(livekit_off, host):
    hidden = make_stream(host, is_public=False)
    response = client_for(host).get("/api/v1/live/streams", {"mine": "true"})
    assert [item["id"] for item in response.json()["results"]] == [hidden.pk]


# --- going live, ending --------------------------------------------------------------------


def test_going_live_notifies_the_followers_of_the_hosts_artist_once(
    livekit_keys, host, django_capture_on_commit_callbacks
):
    artist = Artist.objects.create(user=host, name="Pastor Host")
    fans = [UserFactory(), UserFactory()]
    for fan in fans:
        ArtistFollower.objects.create(artist=artist, user=fan)
    stranger = UserFactory()
    stream = make_stream(host, title="Easter vigil")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/start")
    assert response.status_code == 200
    assert response.json()["status"] == "live"
    stream.refresh_from_db()
    assert stream.started_at is not None and stream.followers_notified_at is not None

    notes = Notification.objects.filter(type=NotificationType.LIVE_STARTED)
    assert sorted(n.recipient_id for n in notes) == sorted(f.pk for f in fans)
    note = notes.first()
    assert note.title == "Pastor Host is live: Easter vigil"
    assert note.data == {"stream_id": stream.pk, "host_id": host.pk}
    assert note.actor_id == host.pk
    assert not Notification.objects.filter(recipient=stranger).exists()
    # A redelivered task notifies nobody twice.
    assert services.stream_notify_followers(stream_id=stream.pk) == 0
    assert notes.count() == 2

    again = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/start")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_private_streams_notify_nobody(livekit_keys, host, django_capture_on_commit_callbacks):
    artist = Artist.objects.create(user=host, name="Host")
    ArtistFollower.objects.create(artist=artist, user=UserFactory())
    stream = make_stream(host, is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(host).post(f"/api/v1/live/streams/{stream.pk}/start").status_code == 200
    assert not Notification.objects.exists()


def test_ending_a_live_stream_closes_its_room(fake_livekit, host):
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=timezone.now())
    fake_livekit.add_participant(stream.room_name, "user-99")
    response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/end")
    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert stream.room_name not in fake_livekit.rooms
    assert "RoomService/DeleteRoom" in fake_livekit.methods()
    again = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/end")
    assert again.status_code == 409


def test_ending_a_scheduled_stream_cancels_it_without_livekit(livekit_keys, host):
    stream = make_stream(host)
    response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/end")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_when_livekit_is_down_ending_fails_and_changes_nothing(livekit_keys, host):
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=timezone.now())
    before = snapshot(stream)
    response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/end")
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert snapshot(stream) == before


# --- the permission matrix -----------------------------------------------------------------

# (method, path suffix, stream status) -> expected status per role, for a PUBLIC stream.
MATRIX = [
    ("get", "", StreamStatus.LIVE, codes(200, 200, 200, 200)),
    ("get", "chat", StreamStatus.LIVE, codes(200, 200, 200, 200)),
    ("post", "start", StreamStatus.SCHEDULED, codes(401, 403, 200, 200)),
    ("post", "end", StreamStatus.LIVE, codes(401, 403, 200, 200)),
    ("post", "token", StreamStatus.LIVE, codes(401, 200, 200, 200)),
    ("post", "recording/start", StreamStatus.LIVE, codes(401, 403, 200, 200)),
]


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "suffix", "status", "expected"), MATRIX)
def test_stream_permission_matrix(
    fake_livekit, settings, actor, host, method, suffix, status, expected
):
    settings.LIVEKIT_EGRESS_ENABLED = True
    role, _, client = actor
    stream = make_stream(
        host, status=status, started_at=timezone.now() if status == StreamStatus.LIVE else None
    )
    before = snapshot(stream)
    path = f"/api/v1/live/streams/{stream.pk}/{suffix}".rstrip("/")
    response = getattr(client, method)(path)
    assert response.status_code == expected[role], (role, response.content)
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "code"}
        assert snapshot(stream) == before
        assert fake_livekit.calls == []


HIDDEN_MATRIX = [
    ("get", "", codes(404, 404, 200, 200)),
    ("get", "chat", codes(404, 404, 200, 200)),
    ("post", "start", codes(401, 404, 200, 200)),
    ("post", "token", codes(401, 404, 200, 409)),
]


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "suffix", "expected"), HIDDEN_MATRIX)
def test_private_streams_look_unknown_to_others(
    livekit_keys, actor, host, method, suffix, expected
):
    role, _, client = actor
    stream = make_stream(host, is_public=False)
    before = snapshot(stream)
    path = f"/api/v1/live/streams/{stream.pk}/{suffix}".rstrip("/")
    response = getattr(client, method)(path)
    assert response.status_code == expected[role], (role, response.content)
    if response.status_code >= 400:
        assert snapshot(stream) == before
    unknown = getattr(client, method)(
        f"/api/v1/live/streams/{stream.pk + 1000}/{suffix}".rstrip("/")
    )
    assert unknown.status_code == (401 if role == "anonymous" and method == "post" else 404)


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_creating_needs_a_signed_in_user(livekit_off, actor):
    role, _, client = actor
    response = client.post("/api/v1/live/streams", {"title": "Vigil"}, format="json")
    assert response.status_code == (401 if role == "anonymous" else 201)
    assert LiveStream.objects.count() == (0 if role == "anonymous" else 1)


# --- recording -----------------------------------------------------------------------------


def test_recording_starts_one_egress_and_stops_it(fake_livekit, settings, host):
    settings.LIVEKIT_EGRESS_ENABLED = True
    stream = make_stream(host, status=StreamStatus.LIVE, started_at=timezone.now())
    client = client_for(host)
    response = client.post(f"/api/v1/live/streams/{stream.pk}/recording/start")
    assert response.status_code == 200 and response.json()["recording_status"] == "recording"
    stream.refresh_from_db()
    [call] = fake_livekit.calls
    assert call.request.room_name == stream.room_name
    assert call.request.file_outputs[0].filepath.startswith(f"live/recordings/{stream.room_name}-")
    assert stream.egress_id == next(iter(fake_livekit.egresses))
    again = client.post(f"/api/v1/live/streams/{stream.pk}/recording/start")
    assert again.status_code == 409
    assert len(fake_livekit.egresses) == 1
    stopped = client.post(f"/api/v1/live/streams/{stream.pk}/recording/stop")
    assert stopped.status_code == 200
    assert fake_livekit.methods()[-1] == "Egress/StopEgress"


def test_recording_without_egress_is_not_configured(fake_livekit, settings, host):
    settings.LIVEKIT_EGRESS_ENABLED = False
    stream = make_stream(host, status=StreamStatus.LIVE)
    response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/recording/start")
    assert response.status_code == 503 and response.json()["code"] == "not_configured"
    stream.refresh_from_db()
    assert stream.recording_status == RecordingStatus.NONE and fake_livekit.calls == []
