"""Live chat over the real Redis channel layer: send/receive, muting, deletion, rate limits,
refused sockets, and the REST history."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from cnt.asgi import application
from live import chat, services
from live.models import LiveChatMessage, LiveRestriction, StreamStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.live.conftest import make_stream

pytestmark = pytest.mark.django_db(transaction=True)


def access_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


async def connect(stream_id, token):
    socket = WebsocketCommunicator(application, f"/ws/live/{stream_id}/chat/?token={token}")
    connected, code = await socket.connect(timeout=3)
    return socket, connected, code


async def ready(stream_id, token):
    socket, connected, code = await connect(stream_id, token)
    assert connected, code
    hello = await socket.receive_json_from(timeout=3)
    assert hello["type"] == "live.chat.ready"
    return socket, hello["data"]


async def send(socket, **message):
    await socket.send_to(text_data=json.dumps(message))


async def next_event(socket, event_type):
    message = await socket.receive_json_from(timeout=3)
    assert message["type"] == event_type, message
    return message["data"]


@pytest.fixture
def people(db):
    host, viewer, moderator = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    stream = make_stream(host, status=StreamStatus.LIVE)
    return stream, host, viewer, moderator


def test_messages_reach_everyone_watching_and_are_kept(people):
    stream, host, viewer, _ = people
    host_token, viewer_token = access_for(host), access_for(viewer)

    async def scenario():
        host_socket, host_info = await ready(stream.pk, host_token)
        viewer_socket, viewer_info = await ready(stream.pk, viewer_token)
        assert host_info == {"stream_id": stream.pk, "can_moderate": True, "is_muted": False}
        assert viewer_info == {"stream_id": stream.pk, "can_moderate": False, "is_muted": False}
        await send(viewer_socket, type="chat.send", text="  Amen!  ")
        for socket in (viewer_socket, host_socket):
            data = await next_event(socket, "live.chat.message")
            assert data["text"] == "Amen!" and data["user"]["id"] == viewer.pk
            assert data["stream_id"] == stream.pk
        await send(host_socket, type="ping")
        assert await host_socket.receive_json_from(timeout=3) == {"type": "pong"}
        await host_socket.disconnect()
        await viewer_socket.disconnect()

    run(scenario)
    history = client_for(UserFactory()).get(f"/api/v1/live/streams/{stream.pk}/chat").json()
    assert [(m["text"], m["user"]["id"]) for m in history] == [("Amen!", viewer.pk)]


def test_refused_sockets(people):
    stream, host, viewer, _ = people
    private = make_stream(host, is_public=False, status=StreamStatus.LIVE)
    token = access_for(viewer)

    async def scenario():
        for stream_id, tok, expected in [
            (private.pk, token, 4403),
            (999999, token, 4403),
            (stream.pk, "garbage.token.here", 4401),
            (stream.pk, "", 4401),
        ]:
            socket, connected, code = await connect(stream_id, tok)
            assert (connected, code) == (False, expected)
            await socket.disconnect()  # let the refused consumer finish instead of cancelling it

    run(scenario)


def test_long_messages_and_floods_are_refused_without_storing(people, settings):
    settings.LIVE_CHAT_MAX_LENGTH = 20
    settings.LIVE_CHAT_RATE_COUNT = 3
    stream, _, viewer, _ = people
    token = access_for(viewer)

    async def scenario():
        socket, _ = await ready(stream.pk, token)
        await send(socket, type="chat.send", text="x" * 21)
        assert (await next_event(socket, "live.chat.error"))["code"] == "too_long"
        await send(socket, type="chat.send", text="   ")
        assert (await next_event(socket, "live.chat.error"))["code"] == "invalid"
        for n in range(3):
            await send(socket, type="chat.send", text=f"msg {n}")
            await next_event(socket, "live.chat.message")
        await send(socket, type="chat.send", text="one too many")
        error = await next_event(socket, "live.chat.error")
        assert error["code"] == "rate_limited"
        await socket.disconnect()

    run(scenario)
    assert list(LiveChatMessage.objects.values_list("text", flat=True)) == [
        "msg 0",
        "msg 1",
        "msg 2",
    ]


def test_the_host_mutes_and_unmutes_a_viewer(people):
    stream, host, viewer, _ = people
    host_token, viewer_token = access_for(host), access_for(viewer)

    async def scenario():
        host_socket, _ = await ready(stream.pk, host_token)
        viewer_socket, _ = await ready(stream.pk, viewer_token)
        await send(host_socket, type="chat.mute", user_id=viewer.pk)
        for socket in (host_socket, viewer_socket):
            assert await next_event(socket, "live.chat.muted") == {
                "user_id": viewer.pk,
                "stream_id": stream.pk,
            }
        await send(viewer_socket, type="chat.send", text="let me speak")
        assert (await next_event(viewer_socket, "live.chat.error"))["code"] == "muted"
        assert await host_socket.receive_nothing(timeout=0.3)
        # A muted viewer still receives the chat.
        await send(host_socket, type="chat.send", text="Welcome all")
        assert (await next_event(viewer_socket, "live.chat.message"))["text"] == "Welcome all"
        await next_event(host_socket, "live.chat.message")
        # A viewer cannot mute anyone.
        await send(viewer_socket, type="chat.mute", user_id=host.pk)
        assert (await next_event(viewer_socket, "live.chat.error"))["code"] == "forbidden"
        await send(host_socket, type="chat.unmute", user_id=viewer.pk)
        await next_event(viewer_socket, "live.chat.unmuted")
        await next_event(host_socket, "live.chat.unmuted")
        await send(viewer_socket, type="chat.send", text="thank you")
        assert (await next_event(viewer_socket, "live.chat.message"))["text"] == "thank you"
        await host_socket.disconnect()
        await viewer_socket.disconnect()

    run(scenario)
    assert not LiveRestriction.objects.exists()
    assert list(LiveChatMessage.objects.values_list("text", flat=True)) == [
        "Welcome all",
        "thank you",
    ]


def test_moderators_delete_messages_and_viewers_cannot(people):
    stream, host, viewer, moderator = people
    viewer_token, moderator_token = access_for(viewer), access_for(moderator)
    message = LiveChatMessage.objects.create(stream=stream, user=viewer, text="spam link")
    other_message = LiveChatMessage.objects.create(stream=stream, user=host, text="hello")

    async def scenario():
        viewer_socket, _ = await ready(stream.pk, viewer_token)
        moderator_socket, info = await ready(stream.pk, moderator_token)
        assert info["can_moderate"] is True
        await send(viewer_socket, type="chat.delete", id=other_message.pk)
        assert (await next_event(viewer_socket, "live.chat.error"))["code"] == "forbidden"
        await send(moderator_socket, type="chat.delete", id=message.pk)
        for socket in (viewer_socket, moderator_socket):
            assert await next_event(socket, "live.chat.deleted") == {
                "id": message.pk,
                "stream_id": stream.pk,
            }
        await send(moderator_socket, type="chat.delete", id="not an id")
        assert (await next_event(moderator_socket, "live.chat.error"))["code"] == "invalid"
        await viewer_socket.disconnect()
        await moderator_socket.disconnect()

    run(scenario)
    history = client_for(viewer).get(f"/api/v1/live/streams/{stream.pk}/chat").json()
    assert [m["id"] for m in history] == [other_message.pk]
    other_message.refresh_from_db()
    assert other_message.is_deleted is False


def test_the_chat_hears_when_the_stream_ends_and_then_closes(people, settings):
    settings.LIVEKIT_URL = ""
    stream, host, viewer, _ = people
    token = access_for(viewer)

    async def scenario():
        socket, _ = await ready(stream.pk, token)
        await sync_to_async(services.stream_end)(stream=stream)
        assert (await next_event(socket, "live.stream.ended"))["status"] == "ended"
        await send(socket, type="chat.send", text="bye")
        assert (await next_event(socket, "live.chat.error"))["code"] == "chat_closed"
        await socket.disconnect()

    run(scenario)
    assert not LiveChatMessage.objects.exists()


def test_only_the_newest_messages_are_kept(people, settings):
    settings.LIVE_CHAT_HISTORY = 3
    settings.LIVE_CHAT_RATE_COUNT = 100
    stream, _, viewer, _ = people
    for n in range(5):
        chat.chat_message_send(stream_id=stream.pk, user=viewer, text=f"m{n}")
    assert list(LiveChatMessage.objects.values_list("text", flat=True)) == ["m2", "m3", "m4"]
    page = client_for(viewer).get(f"/api/v1/live/streams/{stream.pk}/chat", {"limit": 2}).json()
    assert [m["text"] for m in page] == ["m3", "m4"]
    before = page[0]["id"]
    older = (
        client_for(viewer).get(f"/api/v1/live/streams/{stream.pk}/chat", {"before": before}).json()
    )
    assert [m["text"] for m in older] == ["m2"]


def test_followers_hear_over_their_socket_when_a_stream_goes_live():
    from catalog.models import Artist, ArtistFollower

    host, fan = UserFactory(display_name="Pastor Ann"), UserFactory()
    ArtistFollower.objects.create(artist=Artist.objects.create(user=host, name="Ann"), user=fan)
    stream = make_stream(host, title="Vigil")
    token = access_for(fan)

    async def scenario():
        socket = WebsocketCommunicator(application, f"/ws/notifications/?token={token}")
        connected, _ = await socket.connect(timeout=3)
        assert connected
        await socket.receive_json_from(timeout=3)  # connection.ready
        await sync_to_async(services.stream_start)(stream=stream)
        message = await socket.receive_json_from(timeout=5)
        assert message["type"] == "community.notification.created"
        assert message["data"]["type"] == "live_started"
        assert message["data"]["title"] == "Pastor Ann is live: Vigil"
        assert message["data"]["data"] == {"stream_id": stream.pk, "host_id": host.pk}
        await socket.disconnect()

    run(scenario)
