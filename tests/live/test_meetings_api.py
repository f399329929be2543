"""Meetings API: rooms with invitees and a hashed passcode, join tokens, participants through
the SDK (against the fake LiveKit), removal, muting, ending; the permission matrix."""

import pytest
from django.contrib.auth.hashers import check_password

from live.models import LiveRestriction, LiveStream, MeetingInvite, StreamKind, StreamStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.live.conftest import ROLES, make_meeting, verify

pytestmark = pytest.mark.django_db


def codes(anonymous, user, host, moderator) -> dict:
    return {"anonymous": anonymous, "user": user, "host": host, "moderator": moderator}


def snapshot(meeting):
    meeting.refresh_from_db()
    return (
        meeting.status,
        meeting.ended_at,
        sorted(MeetingInvite.objects.filter(meeting=meeting).values_list("user_id", flat=True)),
        LiveRestriction.objects.count(),
    )


def test_a_meeting_is_created_with_invitees_and_a_hashed_passcode(livekit_off, host, other):
    response = client_for(host).post(
        "/api/v1/live/meetings",
        {
            "title": "Elders",
            "passcode": "amen-1234",
            "max_participants": 12,
            "invitees": [other.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_passcode"] is True and "passcode" not in body
    assert body["invitees"] == [other.pk] and body["max_participants"] == 12
    meeting = LiveStream.objects.get(pk=body["id"])
    assert meeting.kind == StreamKind.MEETING and meeting.is_public is False
    assert meeting.passcode_hash != "amen-1234"
    assert check_password("amen-1234", meeting.passcode_hash)
    assert meeting.room_name.startswith("meeting-")


def test_unknown_invitees_are_refused_and_nothing_is_stored(livekit_off, host):
    response = client_for(host).post(
        "/api/v1/live/meetings", {"title": "x", "invitees": [987654]}, format="json"
    )
    assert response.status_code == 400
    assert not LiveStream.objects.exists()


def test_who_may_join(livekit_keys, host, other, moderator):
    invitee, stranger = UserFactory(), UserFactory()
    meeting = make_meeting(host, passcode_hash="")
    MeetingInvite.objects.create(meeting=meeting, user=invitee)
    path = f"/api/v1/live/meetings/{meeting.pk}/token"
    for user in (host, invitee, moderator):
        response = client_for(user).post(path)
        assert response.status_code == 200, user
        assert verify(response.json()["token"]).identity == f"user-{user.pk}"
    assert client_for(stranger).post(path, {"passcode": "anything"}).status_code == 404


def test_passcode_holders_join_and_wrong_passcodes_look_unknown(
    livekit_keys, host, other, settings
):
    from django.contrib.auth.hashers import make_password

    settings.LIVE_PASSCODE_ATTEMPTS = 3
    meeting = make_meeting(host, passcode_hash=make_password("amen-1234"))
    path = f"/api/v1/live/meetings/{meeting.pk}/token"
    client = client_for(other)
    assert client.post(path, {"passcode": "amen-1234"}, format="json").status_code == 200
    assert client.post(path, {"passcode": "nope"}, format="json").status_code == 404
    assert client.post(path, {}, format="json").status_code == 404
    assert client.post(path, {"passcode": "nope2"}, format="json").status_code == 404
    throttled = client.post(path, {"passcode": "amen-1234"}, format="json")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    # The meeting stays hidden from passcode holders otherwise.
    assert client.get(f"/api/v1/live/meetings/{meeting.pk}").status_code == 404


def test_participants_are_listed_muted_and_removed_through_livekit(fake_livekit, host, other):
    meeting = make_meeting(host, status=StreamStatus.LIVE)
    MeetingInvite.objects.create(meeting=meeting, user=other)
    fake_livekit.add_participant(meeting.room_name, f"user-{host.pk}")
    guest = fake_livekit.add_participant(meeting.room_name, f"user-{other.pk}")
    client = client_for(host)

    listed = client.get(f"/api/v1/live/meetings/{meeting.pk}/participants")
    assert listed.status_code == 200
    by_identity = {p["identity"]: p for p in listed.json()}
    assert by_identity[f"user-{other.pk}"]["user_id"] == other.pk
    assert {t["type"] for t in by_identity[f"user-{other.pk}"]["tracks"]} == {"audio", "video"}

    muted = client.post(
        f"/api/v1/live/meetings/{meeting.pk}/participants/user-{other.pk}/mute", {}, format="json"
    )
    assert muted.status_code == 200
    audio = [t for t in guest.tracks if t.type == 0]
    assert muted.json() == {"tracks": [audio[0].sid], "muted": True} and audio[0].muted

    removed = client.post(f"/api/v1/live/meetings/{meeting.pk}/participants/user-{other.pk}/remove")
    assert removed.status_code == 204
    assert f"user-{other.pk}" not in fake_livekit.participants[meeting.room_name]
    # Removed users cannot come back with a new token until invited again.
    rejoin = client_for(other).post(f"/api/v1/live/meetings/{meeting.pk}/token")
    assert rejoin.status_code == 403
    client.post(
        f"/api/v1/live/meetings/{meeting.pk}/invites", {"user_ids": [other.pk]}, format="json"
    )
    assert client_for(other).post(f"/api/v1/live/meetings/{meeting.pk}/token").status_code == 200

    gone = client.post(f"/api/v1/live/meetings/{meeting.pk}/participants/user-{other.pk}/remove")
    assert gone.status_code == 404
    host_removal = client.post(
        f"/api/v1/live/meetings/{meeting.pk}/participants/user-{host.pk}/remove"
    )
    assert host_removal.status_code == 400


def test_ending_closes_the_room_and_stops_new_tokens(fake_livekit, host):
    meeting = make_meeting(host, status=StreamStatus.LIVE)
    fake_livekit.add_participant(meeting.room_name, f"user-{host.pk}")
    client = client_for(host)
    response = client.post(f"/api/v1/live/meetings/{meeting.pk}/end")
    assert response.status_code == 200 and response.json()["status"] == "ended"
    assert meeting.room_name not in fake_livekit.rooms
    assert client.post(f"/api/v1/live/meetings/{meeting.pk}/token").status_code == 409


def test_listing_shows_hosted_and_invited_meetings(
    livekit_off, host, other, django_assert_max_num_queries
):
    mine = make_meeting(host)
    invited = make_meeting(UserFactory())
    MeetingInvite.objects.create(meeting=invited, user=host)
    make_meeting(UserFactory())
    client = client_for(host)
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/live/meetings")
    assert sorted(m["id"] for m in response.json()["results"]) == sorted([mine.pk, invited.pk])


# --- the permission matrix -----------------------------------------------------------------

# Roles: anonymous, user (invited, not the host), host, moderator.
MATRIX = [
    ("get", "", None, codes(401, 200, 200, 200)),
    ("post", "token", None, codes(401, 200, 200, 200)),
    ("get", "participants", None, codes(401, 403, 200, 200)),
    ("post", "invites", {"user_ids": ["NEW"]}, codes(401, 403, 200, 200)),
    ("post", "participants/user-777/mute", {}, codes(401, 403, 200, 200)),
    ("post", "participants/user-777/remove", None, codes(401, 403, 204, 204)),
    ("post", "end", None, codes(401, 403, 200, 200)),
]


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "suffix", "data", "expected"), MATRIX)
def test_meeting_permission_matrix(
    fake_livekit, actor, host, other, method, suffix, data, expected
):
    role, _, client = actor
    meeting = make_meeting(host, status=StreamStatus.LIVE)
    MeetingInvite.objects.create(meeting=meeting, user=other)
    fake_livekit.add_participant(meeting.room_name, "user-777")
    if data and data.get("user_ids") == ["NEW"]:
        data = {"user_ids": [UserFactory().pk]}
    before = snapshot(meeting)
    calls_before = len(fake_livekit.calls)
    path = f"/api/v1/live/meetings/{meeting.pk}/{suffix}".rstrip("/")
    response = (
        getattr(client, method)(path, data, format="json")
        if data is not None
        else getattr(client, method)(path)
    )
    assert response.status_code == expected[role], (role, response.content)
    if response.status_code >= 400:
        assert snapshot(meeting) == before
        assert len(fake_livekit.calls) == calls_before
        assert "user-777" in fake_livekit.participants[meeting.room_name]


@pytest.mark.parametrize("suffix", ["", "participants", "end", "invites"])
def test_strangers_get_404_for_every_meeting_endpoint(fake_livekit, host, suffix):
    meeting = make_meeting(host, status=StreamStatus.LIVE)
    before = snapshot(meeting)
    client = client_for(UserFactory())
    path = f"/api/v1/live/meetings/{meeting.pk}/{suffix}".rstrip("/")
    response = (
        client.get(path)
        if suffix in ("", "participants")
        else client.post(path, {"user_ids": [host.pk]}, format="json")
    )
    assert response.status_code == 404
    assert snapshot(meeting) == before and fake_livekit.calls == []


def test_meeting_livekit_calls_without_livekit_are_503(livekit_off, host):
    meeting = make_meeting(host, status=StreamStatus.LIVE)
    response = client_for(host).get(f"/api/v1/live/meetings/{meeting.pk}/participants")
    assert response.status_code == 503 and response.json()["code"] == "not_configured"
