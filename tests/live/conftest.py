"""Live fixtures: the roles of the permission matrix, LiveKit keys, a fake LiveKit server,
and signed webhooks built the way LiveKit builds them."""

import base64
import hashlib
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from google.protobuf.json_format import MessageToJson
from livekit import api
from rest_framework.test import APIClient

from accounts.policies import MODERATORS_GROUP
from live.models import LiveStream, StreamKind, StreamStatus
from media.models import AssetKind, AssetStatus, MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.live.fake_livekit import KEY, SECRET, FakeLiveKitServer

ROLES = ["anonymous", "user", "host", "moderator"]
# Nothing listens on the discard port: a test that must not reach LiveKit points here.
UNREACHABLE_URL = "http://127.0.0.1:9"


@pytest.fixture
def host(db):
    return UserFactory(display_name="Pastor Host")


@pytest.fixture
def other(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def actor(request, host, other, moderator):
    """(role, user, client) for the role named by indirect parametrisation."""
    role = request.param
    user = {"anonymous": AnonymousUser(), "user": other, "host": host, "moderator": moderator}[role]
    client = APIClient() if role == "anonymous" else client_for(user)
    return role, user, client


@pytest.fixture
def livekit_keys(settings):
    """LiveKit configured, but no server: proves a code path never calls it."""
    settings.LIVEKIT_URL = UNREACHABLE_URL
    settings.LIVEKIT_API_KEY = KEY
    settings.LIVEKIT_API_SECRET = SECRET
    settings.LIVEKIT_PUBLIC_URL = "wss://live.example.org"
    return settings


@pytest.fixture
def livekit_off(settings):
    settings.LIVEKIT_URL = ""
    settings.LIVEKIT_API_KEY = ""
    settings.LIVEKIT_API_SECRET = ""
    return settings


@pytest.fixture
def fake_livekit(settings):
    server = FakeLiveKitServer()
    with server as fake:
        settings.LIVEKIT_URL = server.url
        settings.LIVEKIT_API_KEY = KEY
        settings.LIVEKIT_API_SECRET = SECRET
        settings.LIVEKIT_PUBLIC_URL = "wss://live.example.org"
        settings.LIVEKIT_API_TIMEOUT_SECONDS = 5
        yield fake


def make_stream(host, **fields) -> LiveStream:
    defaults = {
        "kind": StreamKind.STREAM,
        "title": "Sunday service",
        "room_name": f"stream-{uuid.uuid4().hex}",
        "status": StreamStatus.SCHEDULED,
    }
    return LiveStream.objects.create(host=host, **{**defaults, **fields})


def make_meeting(host, **fields) -> LiveStream:
    defaults = {
        "kind": StreamKind.MEETING,
        "title": "Prayer meeting",
        "room_name": f"meeting-{uuid.uuid4().hex}",
        "is_public": False,
    }
    return make_stream(host, **{**defaults, **fields})


def make_image(owner) -> MediaAsset:
    return MediaAsset.objects.create(
        owner=owner,
        kind=AssetKind.IMAGE,
        purpose="thumbnail",
        status=AssetStatus.READY,
        storage_key=f"images/thumbnails/{uuid.uuid4()}.jpg",
    )


def verify(token: str):
    return api.TokenVerifier(KEY, SECRET).verify(token)


def signed_webhook(event: api.WebhookEvent, *, secret: str = SECRET) -> tuple[bytes, str]:
    """The body and Authorization header LiveKit sends: a JWT from the API key carrying the
    base64 sha256 of the exact body."""
    body = MessageToJson(event)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = api.AccessToken(KEY, secret).with_sha256(digest).to_jwt()
    return body.encode(), token


def post_webhook(client, body: bytes, authorization: str | None):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return client.post(
        "/api/v1/live/webhook", data=body, content_type="application/webhook+json", **extra
    )
