"""The notifications socket over the real Redis channel layer."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from cnt.asgi import application
from cnt.realtime import send_to_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def access_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


async def connect(path, headers=None, subprotocols=None):
    communicator = WebsocketCommunicator(
        application, path, headers=headers or [], subprotocols=subprotocols
    )
    connected, detail = await communicator.connect(timeout=3)
    return communicator, connected, detail


def test_channel_layer_is_redis():
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


def test_a_push_reaches_its_user_within_a_second_and_no_one_else():
    alice, bob = UserFactory(), UserFactory()
    alice_token, bob_token = access_for(alice), access_for(bob)

    async def scenario():
        mine, ok, _ = await connect(f"/ws/notifications/?token={alice_token}")
        theirs, ok2, _ = await connect(f"/ws/notifications/?token={bob_token}")
        assert ok and ok2
        ready = await mine.receive_json_from()
        assert ready == {"type": "connection.ready", "data": {"user_id": alice.id}}
        await theirs.receive_json_from()
        loop = asyncio.get_running_loop()
        started = loop.time()
        payload = {
            "id": 7,
            "type": "system",
            "title": "Welcome",
            "message": "",
            "data": {},
            "actor_id": None,
            "read_at": None,
            "created_at": "2026-12-03T12:00:00+00:00",
        }
        await sync_to_async(send_to_user)(alice.id, "community.notification.created", payload)
        message = await mine.receive_json_from(timeout=1)
        assert loop.time() - started < 1.0
        assert message == {"type": "community.notification.created", "data": payload}
        assert await theirs.receive_nothing(timeout=0.5)
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)


@pytest.mark.parametrize("kind", ["missing", "garbage", "refresh", "expired", "inactive"])
def test_bad_tokens_are_refused_before_accept(kind):
    user = UserFactory()
    token = {
        "missing": "",
        "garbage": "abc.def.ghi",
        "refresh": str(RefreshToken.for_user(user)),
        "expired": None,
        "inactive": access_for(user),
    }[kind]
    if kind == "expired":
        expired = AccessToken.for_user(user)
        expired.set_exp(lifetime=-timedelta(seconds=1))
        token = str(expired)
    if kind == "inactive":
        user.is_active = False
        user.save(update_fields=["is_active"])

    async def scenario():
        _, connected, code = await connect(f"/ws/notifications/?token={token}")
        assert (connected, code) == (False, 4401)

    run(scenario)


def test_header_and_subprotocol_tokens_work():
    user = UserFactory()
    token = access_for(user)

    async def scenario():
        by_header, ok, _ = await connect(
            "/ws/notifications/", headers=[(b"authorization", f"Bearer {token}".encode())]
        )
        assert ok
        await by_header.disconnect()
        by_protocol, ok, subprotocol = await connect(
            "/ws/notifications/", subprotocols=["bearer", token]
        )
        assert ok and subprotocol == "bearer"
        await by_protocol.disconnect()

    run(scenario)


def test_foreign_browser_origins_are_refused_but_native_clients_pass(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    token = access_for(UserFactory())

    async def scenario():
        _, connected, code = await connect(
            f"/ws/notifications/?token={token}", headers=[(b"origin", b"https://evil.example")]
        )
        assert (connected, code) == (False, 4403)
        allowed, ok, _ = await connect(
            f"/ws/notifications/?token={token}", headers=[(b"origin", b"https://app.example.org")]
        )
        assert ok
        await allowed.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [("x" * 20000, 4413), ("{not json", 4400), ('["a list"]', 4400), ('{"no":"type"}', 4400)],
)
def test_bad_frames_close_the_socket_without_harm(frame, code):
    user = UserFactory()
    token = access_for(user)

    async def scenario():
        socket, ok, _ = await connect(f"/ws/notifications/?token={token}")
        assert ok
        await socket.receive_json_from()
        await socket.send_to(text_data=frame)
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": code}
        # The process is fine: a new socket works and answers pings.
        again, ok, _ = await connect(f"/ws/notifications/?token={token}")
        assert ok
        await again.receive_json_from()
        await again.send_to(text_data=json.dumps({"type": "ping"}))
        assert await again.receive_json_from() == {"type": "pong"}
        await again.disconnect()

    run(scenario)


def test_like_notification_and_processing_progress_arrive_live(tone_mp3, settings):
    from cnt.models import ModerationStatus
    from community.models import CommunityPost
    from community.services import post_like
    from media import services as media_services

    settings.MEDIA_HLS_SEGMENT_SECONDS = 2
    author, fan = UserFactory(), UserFactory()
    post = CommunityPost.objects.create(author=author, body="x", status=ModerationStatus.APPROVED)
    token = access_for(author)

    async def scenario():
        socket, ok, _ = await connect(f"/ws/notifications/?token={token}")
        assert ok
        await socket.receive_json_from()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await sync_to_async(post_like, thread_sensitive=False)(post=post, user=fan)
        message = await socket.receive_json_from(timeout=1)
        assert loop.time() - started < 1.0
        assert message["type"] == "community.notification.created"
        assert message["data"]["type"] == "like" and message["data"]["data"] == {"post_id": post.pk}

        await sync_to_async(media_services.asset_create_from_path, thread_sensitive=False)(
            owner=author, purpose="audio", path=tone_mp3, filename="song.mp3"
        )
        seen = []
        while True:
            message = await socket.receive_json_from(timeout=5)
            seen.append(message["type"])
            if message["type"] == "community.notification.created":
                assert message["data"]["type"] == "media_ready"
                break
        assert "media.asset.updated" in seen
        assert "media.asset.progress" in seen
        await socket.disconnect()

    run(scenario)
