"""Tokens we mint verify with the SDK's TokenVerifier and carry exactly the intended grants;
minting never needs the LiveKit server (its URL points at a closed port here)."""

import pytest
from livekit import api

from live import livekit
from live.livekit import TokenRole
from live.models import LiveStream, StreamKind, StreamStatus
from tests.conftest import client_for
from tests.live.conftest import make_meeting, make_stream, verify
from tests.live.fake_livekit import KEY

pytestmark = pytest.mark.django_db


def _token(client, path, data=None):
    response = client.post(path, data or {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_host_gets_a_publishing_token_even_before_going_live(livekit_keys, host):
    stream = make_stream(host)
    body = _token(client_for(host), f"/api/v1/live/streams/{stream.pk}/token")
    assert set(body) == {"token", "url", "room", "identity", "role"}
    assert body["url"] == "wss://live.example.org"
    assert body["room"] == stream.room_name
    assert body["identity"] == f"user-{host.pk}"
    assert body["role"] == "host"
    claims = verify(body["token"])
    assert claims.identity == f"user-{host.pk}"
    assert claims.name == "Pastor Host"
    grants = claims.video
    assert (grants.room_join, grants.room) == (True, stream.room_name)
    assert (grants.can_publish, grants.can_subscribe, grants.can_publish_data) == (True, True, True)
    assert not grants.room_admin and not grants.room_create and not grants.room_list
    assert not grants.room_record and not grants.hidden and not grants.agent
    assert grants.can_update_own_metadata is False


def test_a_viewer_cannot_publish_anything(livekit_keys, host, other):
    stream = make_stream(host, status=StreamStatus.LIVE)
    body = _token(client_for(other), f"/api/v1/live/streams/{stream.pk}/token")
    assert body["role"] == "viewer"
    grants = verify(body["token"]).video
    assert grants.room == stream.room_name and grants.room_join is True
    assert grants.can_publish is False
    assert grants.can_publish_data is False
    assert grants.can_subscribe is True
    assert not grants.can_publish_sources
    assert not grants.room_admin


def test_a_moderator_who_is_not_the_host_watches_as_a_viewer(livekit_keys, host, moderator):
    stream = make_stream(host, status=StreamStatus.LIVE)
    body = _token(client_for(moderator), f"/api/v1/live/streams/{stream.pk}/token")
    assert body["role"] == "viewer"
    assert verify(body["token"]).video.can_publish is False


def test_tokens_are_short_lived(livekit_keys, host, settings):
    settings.LIVEKIT_TOKEN_TTL_SECONDS = 120
    stream = make_stream(host)
    body = _token(client_for(host), f"/api/v1/live/streams/{stream.pk}/token")
    import jwt

    raw = jwt.decode(body["token"], options={"verify_signature": False})
    assert raw["exp"] - raw["nbf"] == 120
    assert raw["iss"] == KEY


def test_a_token_signed_with_another_secret_does_not_verify(livekit_keys, host, settings):
    stream = make_stream(host)
    settings.LIVEKIT_API_SECRET = "another-secret-entirely-0123456789"
    body = _token(client_for(host), f"/api/v1/live/streams/{stream.pk}/token")
    import jwt

    with pytest.raises(jwt.InvalidSignatureError):
        verify(body["token"])


@pytest.mark.parametrize(
    ("status", "who", "code"),
    [
        (StreamStatus.SCHEDULED, "other", 409),
        (StreamStatus.ENDED, "other", 409),
        (StreamStatus.ENDED, "host", 409),
        (StreamStatus.CANCELLED, "host", 409),
    ],
)
def test_no_token_for_a_room_that_is_not_open(livekit_keys, host, other, status, who, code):
    stream = make_stream(host, status=status)
    user = host if who == "host" else other
    response = client_for(user).post(f"/api/v1/live/streams/{stream.pk}/token")
    assert response.status_code == code
    assert response.json()["code"] == "conflict"


def test_without_livekit_tokens_answer_503_not_configured(livekit_off, host):
    stream = make_stream(host)
    response = client_for(host).post(f"/api/v1/live/streams/{stream.pk}/token")
    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"


def test_meeting_tokens_let_participants_publish_and_carry_the_room_limits(livekit_keys, host):
    meeting = make_meeting(host, max_participants=8)
    body = _token(client_for(host), f"/api/v1/live/meetings/{meeting.pk}/token")
    claims = verify(body["token"])
    grants = claims.video
    assert body["role"] == "participant"
    assert (grants.can_publish, grants.can_subscribe, grants.can_publish_data) == (True, True, True)
    assert claims.room_config.name == meeting.room_name
    assert claims.room_config.max_participants == 8
    assert claims.room_config.empty_timeout == 600
    assert list(claims.room_config.agents) == []


def test_a_voice_session_dispatches_the_agent_through_the_token(livekit_keys, settings, other):
    settings.LIVEKIT_AGENT_NAME = "cnt-test-agent"
    response = client_for(other).post("/api/v1/livekit/voice/session")
    assert response.status_code == 201, response.content
    body = response.json()
    session = LiveStream.objects.get(pk=body["id"])
    assert (session.kind, session.host_id, session.is_public) == (
        StreamKind.VOICE_AGENT,
        other.pk,
        False,
    )
    assert body["room"] == session.room_name and body["agent_name"] == "cnt-test-agent"
    claims = verify(body["token"])
    assert claims.video.can_publish is True
    assert claims.video.can_publish_sources == ["microphone"]
    [dispatch] = claims.room_config.agents
    assert dispatch.agent_name == "cnt-test-agent"
    assert f'"session_id":{session.pk}' in dispatch.metadata


def test_no_voice_session_without_livekit_and_nothing_stored(livekit_off, other):
    response = client_for(other).post("/api/v1/livekit/voice/session")
    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"
    assert not LiveStream.objects.exists()


def test_voice_sessions_are_throttled(livekit_keys, settings, other):
    settings.LIVE_VOICE_SESSION_RATE = "2/min"
    client = client_for(other)
    codes = [client.post("/api/v1/livekit/voice/session").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert LiveStream.objects.count() == 2


def test_grants_per_role_are_explicit():
    for role in TokenRole:
        grants = livekit.grants_for(role, "r")
        assert isinstance(grants, api.VideoGrants)
        assert grants.room_join is True and grants.room == "r"
        assert grants.can_update_own_metadata is False
