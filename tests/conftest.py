"""Shared fixtures: files go to a temp dir, caches start empty, API clients per role."""

import contextlib

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from media import samples
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_TUS_DIR = str(tmp_path / "tus")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


def _worker_redis_url(url: str, worker_id: str) -> str:
    """Parallel workers (pytest -n) each get their own Redis database, counting down from
    the configured one (gw0 keeps it): a worker's cache.clear() empties only its own, and
    no worker reads another's cached rows or channel-layer groups."""
    if worker_id == "master":
        return url
    base, _, db = url.rpartition("/")
    return f"{base}/{int(db or 0) - int(worker_id.removeprefix('gw'))}"


@pytest.fixture(scope="session", autouse=True)
def _redis_per_worker(worker_id):
    from copy import deepcopy

    from django.conf import settings
    from django.test import override_settings

    caches = deepcopy(settings.CACHES)
    layers = deepcopy(settings.CHANNEL_LAYERS)
    cache_url = caches["default"].get("LOCATION")
    if worker_id == "master" or not str(cache_url or "").startswith("redis://"):
        yield
        return
    caches["default"]["LOCATION"] = _worker_redis_url(cache_url, worker_id)
    for host in layers["default"].get("CONFIG", {}).get("hosts", []):
        host["address"] = _worker_redis_url(host["address"], worker_id)
    with override_settings(CACHES=caches, CHANNEL_LAYERS=layers):
        yield


@pytest.fixture(autouse=True)
def _refused_sockets_end_their_consumer(monkeypatch):
    """A refused handshake ends the consumer, as a real server makes it by sending
    websocket.disconnect after the close. Without it the consumer stays parked on its
    channel-layer receive, and asyncio.run's shutdown, cancelling every task at once,
    could wait forever on the Redis layer's receive (a suite once hung there)."""
    from channels.testing import WebsocketCommunicator

    connect = WebsocketCommunicator.connect

    async def connect_and_end_if_refused(self, timeout=1):
        connected, detail = await connect(self, timeout=timeout)
        if not connected and not self.future.done():
            await self.send_input({"type": "websocket.disconnect", "code": detail or 1000})
            with contextlib.suppress(Exception):
                await self.wait(timeout=timeout)
        return connected, detail

    monkeypatch.setattr(WebsocketCommunicator, "connect", connect_and_end_if_refused)


@pytest.fixture(autouse=True)
def _frames_follow_the_asyncapi_document(monkeypatch):
    """Every frame any socket sends in any test must be a message the AsyncAPI document
    (cnt/asyncapi.py) lists for that socket, with a payload that fits its schema, and every
    close code one of the codes it lists (`x-close-codes`)."""
    from cnt import asyncapi, ws

    problems = []
    send_json = ws.AuthenticatedJsonConsumer.send_json
    close = ws.AuthenticatedJsonConsumer.close

    async def checked(self, content):
        assert self.asyncapi_channel, f"{type(self).__name__} names no AsyncAPI channel"
        problems.extend(asyncapi.frame_problems(self.asyncapi_channel, content))
        await send_json(self, content)

    async def checked_close(self, code=None, reason=None):
        assert self.asyncapi_channel, f"{type(self).__name__} names no AsyncAPI channel"
        problems.extend(asyncapi.close_code_problems(self.asyncapi_channel, code))
        await close(self, code=code, reason=reason)

    monkeypatch.setattr(ws.AuthenticatedJsonConsumer, "send_json", checked)
    monkeypatch.setattr(ws.AuthenticatedJsonConsumer, "close", checked_close)
    yield
    assert not problems, problems


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a French request leaves its language active
    on the test's thread (a server gives every request its own context)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(user):
    return client_for(user)


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_api(admin_user):
    return client_for(admin_user)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is the production hasher (tests/accounts check it); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Real media generated with FFmpeg, shared by every test package.
@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("generated-media")


@pytest.fixture(scope="session")
def tone_mp3(media_dir):
    return samples.make_tone(media_dir / "tone.mp3", seconds=5, frequency=440)


@pytest.fixture(scope="session")
def video_720p(media_dir):
    return samples.make_video(media_dir / "v720.mp4", seconds=5, width=1280, height=720)


@pytest.fixture(scope="session")
def video_small(media_dir):
    return samples.make_video(media_dir / "v240.mp4", seconds=3, width=320, height=240)


@pytest.fixture(scope="session")
def jpeg_bytes():
    return samples.make_image_bytes("Psalm 23", size=(800, 600))


@pytest.fixture
def fcm(settings, tmp_path):
    """Push on, through the real Firebase Admin SDK, against a local fake FCM server."""
    from cnt import push
    from tests.cnt import fake_fcm

    fake, server = fake_fcm.start()
    settings.FCM_CREDENTIALS_FILE = str(fake.credentials_file(tmp_path))
    settings.FCM_API_URL = fake.url
    settings.FCM_COLLAPSE_SECONDS = 30
    push.reset()
    yield fake
    push.reset()
    server.shutdown()
    server.server_close()
