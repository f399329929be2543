"""Open sockets lose the rights their user lost: a password change or reset, signing out
everywhere, deactivation and deletion close every socket of the user with 4401; a chat ban
closes the banned user's sockets of that stream with 4403. A socket that missed the message
is closed by its periodic re-check. Over the real Redis channel layer."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services as account_services
from cnt import asyncapi
from cnt.asgi import application
from cnt.realtime import send_to_user
from live.models import LiveRestriction, RestrictionKind, StreamStatus
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live.conftest import make_stream

pytestmark = pytest.mark.django_db(transaction=True)

# Revocations are sent at once; this is only how long a test waits before it fails.
CLOSE_WITHIN = 5


def access_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


async def open_socket(path, first_event):
    socket = WebsocketCommunicator(application, path)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == first_event
    return socket


async def notifications(token):
    return await open_socket(f"/ws/notifications/?token={token}", "connection.ready")


async def chat(stream_id, token):
    return await open_socket(f"/ws/live/{stream_id}/chat/?token={token}", "live.chat.ready")


async def closed_with(socket) -> int | None:
    """The close code the server sent (skipping frames sent before it)."""
    while True:
        output = await socket.receive_output(timeout=CLOSE_WITHIN)
        if output["type"] == "websocket.close":
            return output.get("code")


async def still_open(socket) -> bool:
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    return await socket.receive_json_from(timeout=5) == {"type": "pong"}


@pytest.fixture
def alice(db):
    return UserFactory()


def _revocation_closes_every_socket_of_the_user(alice, revoke):
    bystander = UserFactory()
    stream = make_stream(UserFactory(), status=StreamStatus.LIVE)
    token, other_token = access_for(alice), access_for(bystander)

    async def scenario():
        mine = await notifications(token)
        my_chat = await chat(stream.pk, token)
        theirs = await notifications(other_token)
        await sync_to_async(revoke)()
        assert await closed_with(mine) == 4401
        assert await closed_with(my_chat) == 4401
        assert await still_open(theirs)
        await theirs.disconnect()

    run(scenario)


def test_a_password_change_closes_the_users_sockets(alice):
    client = client_for(alice)

    def change():
        response = client.post(
            reverse("auth-me-change-password"),
            {"current_password": DEFAULT_PASSWORD, "new_password": "Another-Horse-77"},
            format="json",
        )
        assert response.status_code == 200, response.content

    _revocation_closes_every_socket_of_the_user(alice, change)


def test_signing_out_everywhere_closes_the_users_sockets(alice):
    _revocation_closes_every_socket_of_the_user(
        alice, lambda: account_services.user_tokens_revoke_all(user=alice)
    )


def test_deleting_the_account_closes_the_users_sockets(alice):
    client = client_for(alice)

    def delete():
        assert client.delete(reverse("auth-me")).status_code == 204

    _revocation_closes_every_socket_of_the_user(alice, delete)


def test_deactivation_in_the_admin_closes_the_users_sockets(alice, client, admin_user):
    client.force_login(admin_user)

    def deactivate():
        url = reverse("admin:accounts_user_change", args=[alice.pk])
        form = client.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value not in (None, "") and name not in {"password", "last_login", "date_joined"}
        }
        data.update({"groups": [], "user_permissions": []})
        data.pop("is_active")  # an unticked checkbox is absent from the form data
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        alice.refresh_from_db()
        assert alice.is_active is False

    _revocation_closes_every_socket_of_the_user(alice, deactivate)


def test_a_revocation_inside_a_rolled_back_transaction_closes_nothing(alice):
    from django.db import transaction

    token = access_for(alice)

    class Rollback(Exception):
        pass

    def revoke_then_roll_back():
        try:
            with transaction.atomic():
                account_services.user_tokens_revoke_all(user=alice)
                raise Rollback
        except Rollback:
            pass

    async def scenario():
        mine = await notifications(token)
        await sync_to_async(revoke_then_roll_back)()
        assert await still_open(mine)
        await mine.disconnect()

    run(scenario)


def test_the_periodic_recheck_closes_a_socket_whose_revocation_was_missed(alice, settings):
    settings.WS_REVALIDATE_SECONDS = 0.2
    token = access_for(alice)

    async def scenario():
        mine = await notifications(token)
        assert await still_open(mine)
        # Deactivated behind the services' back: no revocation message is sent.
        await sync_to_async(get_user_model().objects.filter(pk=alice.pk).update)(is_active=False)
        assert await closed_with(mine) == 4401

    run(scenario)


def test_the_periodic_recheck_notices_a_changed_password(alice, settings):
    settings.WS_REVALIDATE_SECONDS = 0.2
    token = access_for(alice)

    def change_quietly():
        alice.set_password("Quiet-Change-99")
        get_user_model().objects.filter(pk=alice.pk).update(password=alice.password)

    async def scenario():
        mine = await notifications(token)
        await sync_to_async(change_quietly)()
        assert await closed_with(mine) == 4401

    run(scenario)


def test_a_valid_socket_survives_its_rechecks_and_still_gets_pushes(alice, settings):
    settings.WS_REVALIDATE_SECONDS = 0.2
    token = access_for(alice)

    async def scenario():
        mine = await notifications(token)
        assert await mine.receive_nothing(timeout=1)  # a few re-checks, no close
        payload = {
            "id": 1,
            "type": "system",
            "title": "Hi",
            "message": "",
            "data": {},
            "actor_id": None,
            "read_at": None,
            "created_at": "2026-12-03T12:00:00+00:00",
        }
        await sync_to_async(send_to_user)(alice.id, "community.notification.created", payload)
        assert (await mine.receive_json_from(timeout=5))["data"] == payload
        await mine.disconnect()

    run(scenario)


# --- chat bans -------------------------------------------------------------------------------


def test_a_chat_ban_closes_the_banned_users_socket_of_that_stream_only(alice):
    host = UserFactory()
    stream = make_stream(host, status=StreamStatus.LIVE)
    elsewhere = make_stream(UserFactory(), status=StreamStatus.LIVE)
    host_token, token = access_for(host), access_for(alice)

    async def scenario():
        host_chat = await chat(stream.pk, host_token)
        banned_chat = await chat(stream.pk, token)
        other_chat = await chat(elsewhere.pk, token)
        my_notifications = await notifications(token)

        await host_chat.send_to(text_data=json.dumps({"type": "chat.ban", "user_id": alice.pk}))

        assert await closed_with(banned_chat) == 4403
        banned = await host_chat.receive_json_from(timeout=5)
        assert banned == {
            "type": "live.chat.banned",
            "data": {"user_id": alice.pk, "stream_id": stream.pk},
        }
        assert await still_open(other_chat)
        assert await still_open(my_notifications)
        # A new socket to the banned chat is refused.
        again = WebsocketCommunicator(application, f"/ws/live/{stream.pk}/chat/?token={token}")
        assert await again.connect(timeout=5) == (False, 4403)
        await again.disconnect()
        for socket in (host_chat, other_chat, my_notifications):
            await socket.disconnect()

    run(scenario)
    assert LiveRestriction.objects.filter(
        stream=stream, user=alice, kind=RestrictionKind.REMOVED
    ).exists()


def test_a_viewer_cannot_ban_and_the_host_cannot_be_banned(alice):
    host = UserFactory()
    stream = make_stream(host, status=StreamStatus.LIVE)
    host_token, token = access_for(host), access_for(alice)

    async def scenario():
        host_chat = await chat(stream.pk, host_token)
        viewer_chat = await chat(stream.pk, token)
        await viewer_chat.send_to(text_data=json.dumps({"type": "chat.ban", "user_id": host.pk}))
        refused = await viewer_chat.receive_json_from(timeout=5)
        assert refused["type"] == "live.chat.error" and refused["data"]["code"] == "forbidden"
        await host_chat.send_to(text_data=json.dumps({"type": "chat.ban", "user_id": host.pk}))
        refused = await host_chat.receive_json_from(timeout=5)
        assert refused["type"] == "live.chat.error" and refused["data"]["code"] == "invalid"
        assert await still_open(host_chat) and await still_open(viewer_chat)
        await host_chat.disconnect()
        await viewer_chat.disconnect()

    run(scenario)
    assert not LiveRestriction.objects.exists()


def test_an_unban_lets_the_user_back_in(alice):
    from live import chat as live_chat

    host = UserFactory()
    stream = make_stream(host, status=StreamStatus.LIVE)
    live_chat.chat_user_ban(stream_id=stream.pk, by=host, user_id=alice.pk)
    with pytest.raises(live_chat.ChatError) as refused:
        live_chat.chat_message_send(stream_id=stream.pk, user=alice, text="hi")
    assert refused.value.code == "banned"
    assert live_chat.chat_access(user=alice, stream_id=stream.pk) is None

    live_chat.chat_user_unban(stream_id=stream.pk, by=host, user_id=alice.pk)

    assert live_chat.chat_access(user=alice, stream_id=stream.pk) is not None
    assert live_chat.chat_message_send(stream_id=stream.pk, user=alice, text="hi").text == "hi"


def test_the_close_codes_are_documented_on_every_socket():
    document = asyncapi.asyncapi_document()
    for channel in document["channels"].values():
        codes = {item["code"]: item["when"] for item in channel["x-close-codes"]}
        assert set(codes) == {4400, 4401, 4403, 4413, 4429}
        assert "password" in codes[4401] and "deleted" in codes[4401]
        assert "banned" in codes[4403]
    assert asyncapi.close_code_problems("notifications", 4401) == []
    assert asyncapi.close_code_problems("notifications", 4999) != []
