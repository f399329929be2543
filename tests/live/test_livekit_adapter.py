"""live/livekit.py against a local fake speaking LiveKit's Twirp API (protobuf bodies)."""

import pytest
from livekit import api

from cnt.api.exceptions import status_for_error
from cnt.errors import ApplicationError, NotConfigured, ServiceUnavailable
from live import livekit
from tests.live.conftest import UNREACHABLE_URL


def test_rooms_are_created_listed_and_deleted(fake_livekit):
    room = livekit.room_create("room-a", empty_timeout=30, max_participants=5)
    assert (room.name, room.empty_timeout, room.max_participants) == ("room-a", 30, 5)
    livekit.room_create("room-b")
    assert sorted(r.name for r in livekit.room_list()) == ["room-a", "room-b"]
    assert [r.name for r in livekit.room_list(["room-b"])] == ["room-b"]
    assert livekit.room_delete("room-a") is True
    assert livekit.room_delete("room-a") is False  # LiveKit's not_found: already gone
    assert [r.name for r in livekit.room_list()] == ["room-b"]


def test_the_sdk_speaks_protobuf_with_per_call_grants(fake_livekit):
    livekit.room_create("room-a")
    livekit.participant_list("room-a")
    create, participants = fake_livekit.calls
    assert create.content_type == "application/protobuf"
    assert create.claims.video.room_create is True
    assert participants.claims.video.room_admin is True
    assert participants.claims.video.room == "room-a"


def test_participants_are_listed_removed_and_muted(fake_livekit):
    alice = fake_livekit.add_participant("room-a", "user-1", audio_tracks=2)
    fake_livekit.add_participant("room-a", "user-2")
    assert sorted(p.identity for p in livekit.participant_list("room-a")) == ["user-1", "user-2"]
    assert livekit.participant_list("no-such-room") == []

    muted = livekit.participant_mute("room-a", "user-1")
    audio = [t.sid for t in alice.tracks if t.type == api.TrackType.AUDIO]
    assert muted == audio and len(audio) == 2
    assert all(t.muted for t in alice.tracks if t.type == api.TrackType.AUDIO)
    assert not any(t.muted for t in alice.tracks if t.type == api.TrackType.VIDEO)
    assert livekit.participant_mute("room-a", "user-1", track_sid=audio[0], muted=False) == [
        audio[0]
    ]
    assert alice.tracks[0].muted is False
    assert livekit.participant_mute("room-a", "nobody") is None

    assert livekit.participant_remove("room-a", "user-2") is True
    assert livekit.participant_remove("room-a", "user-2") is False
    assert [p.identity for p in livekit.participant_list("room-a")] == ["user-1"]


def test_agents_are_dispatched_into_existing_rooms(fake_livekit):
    dispatch_id = livekit.agent_dispatch_create("voice-1", "cnt-agent", {"user_id": 3})
    assert dispatch_id.startswith("AD_")
    [call] = fake_livekit.calls
    assert (call.service, call.method) == ("AgentDispatchService", "CreateDispatch")
    assert (call.request.agent_name, call.request.room) == ("cnt-agent", "voice-1")
    assert call.request.metadata == '{"user_id":3}'


def test_egress_records_the_room_to_one_mp4(fake_livekit, settings):
    settings.LIVEKIT_EGRESS_ENABLED = True
    egress_id = livekit.egress_start_room("stream-1", "live/recordings/stream-1.mp4")
    [call] = fake_livekit.calls
    [output] = call.request.file_outputs
    assert call.request.room_name == "stream-1"
    assert output.filepath == "live/recordings/stream-1.mp4"
    assert output.file_type == api.EncodedFileType.MP4
    assert livekit.egress_stop(egress_id) is True
    assert livekit.egress_stop("EG_unknown") is False


def test_egress_off_is_not_configured(fake_livekit, settings):
    settings.LIVEKIT_EGRESS_ENABLED = False
    with pytest.raises(NotConfigured):
        livekit.egress_start_room("stream-1", "x.mp4")


def test_a_failing_livekit_is_a_503(fake_livekit):
    fake_livekit.fail_with = 500
    with pytest.raises(ServiceUnavailable):
        livekit.room_list()


def test_a_refusal_is_a_502(fake_livekit):
    fake_livekit.fail_with = 400
    with pytest.raises(ApplicationError) as caught:
        livekit.room_list()
    assert status_for_error(caught.value) == 502


def test_an_unreachable_livekit_is_a_503(livekit_keys, settings):
    settings.LIVEKIT_URL = UNREACHABLE_URL
    with pytest.raises(ServiceUnavailable):
        livekit.room_list()


def test_unconfigured_calls_are_not_configured(livekit_off):
    with pytest.raises(NotConfigured) as caught:
        livekit.room_list()
    assert status_for_error(caught.value) == 503
    assert caught.value.code == "not_configured"


def test_identities_map_back_to_users():
    assert livekit.user_id_of("user-42") == 42
    assert livekit.user_id_of("agent-AJ_x") is None
    assert livekit.user_id_of("user-4x") is None
