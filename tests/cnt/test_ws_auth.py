"""WebSockets authenticate by JWT (header or query), not by Origin."""

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path
from rest_framework_simplejwt.tokens import RefreshToken

from cnt.ws import JwtAuthMiddleware
from tests.factories import UserFactory


class WhoAmI(JsonWebsocketConsumer):
    def connect(self):
        self.accept()
        user = self.scope["user"]
        self.send_json({"username": user.username if user.is_authenticated else None})


application = JwtAuthMiddleware(URLRouter([path("ws/whoami/", WhoAmI.as_asgi())]))


def _who(path, headers=None):
    async def run():
        communicator = WebsocketCommunicator(application, path, headers=headers or [])
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_json_from()
        await communicator.disconnect()
        return message["username"]

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_token_in_query_or_header_authenticates_without_origin():
    user = UserFactory(username="hannah")
    access = str(RefreshToken.for_user(user).access_token)
    assert _who(f"/ws/whoami/?token={access}") == "hannah"
    assert (
        _who("/ws/whoami/", headers=[(b"authorization", f"Bearer {access}".encode())]) == "hannah"
    )


@pytest.mark.django_db(transaction=True)
def test_bad_refresh_or_inactive_tokens_are_anonymous():
    user = UserFactory()
    refresh = RefreshToken.for_user(user)
    assert _who("/ws/whoami/?token=garbage") is None
    assert _who(f"/ws/whoami/?token={refresh}") is None  # a refresh token is not an access token
    access = str(refresh.access_token)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _who(f"/ws/whoami/?token={access}") is None
