"""The WebSocket Origin check compares scheme, host and port; native apps send no Origin."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from cnt.asgi import application
from cnt.ws import origin_allowed
from tests.factories import UserFactory


def _scope(host="localhost:8000", scheme="ws", headers=()):
    return {"scheme": scheme, "headers": [(b"host", host.encode()), *headers]}


@pytest.fixture(autouse=True)
def _origins(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://admin.example.org:8443"]
    settings.ALLOWED_HOSTS = ["localhost", "api.example.org"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.example.org", True),
        ("https://app.example.org:443", True),  # the default port, spelled out
        ("https://APP.example.org", True),
        ("https://app.example.org:8443", False),  # same host, another port
        ("http://app.example.org", False),  # same host, another scheme
        ("https://app.example.org.evil.example", False),
        ("https://admin.example.org:8443", True),
        ("https://admin.example.org", False),
        ("null", False),
        ("file://", False),
        ("https://app.example.org:99999", False),
        ("https://user@app.example.org", False),
    ],
)
def test_listed_origins_match_by_scheme_host_and_port(origin, allowed):
    assert origin_allowed(origin, _scope()) is allowed


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:8000", True),
        ("http://localhost", False),  # port 80: another server on the same host
        ("http://localhost:9000", False),
        ("https://localhost:8000", False),
    ],
)
def test_the_servers_own_origin_includes_its_port(origin, allowed):
    assert origin_allowed(origin, _scope("localhost:8000")) is allowed


def test_own_origin_over_tls_or_behind_a_tls_proxy(settings):
    assert origin_allowed("https://api.example.org", _scope("api.example.org", scheme="wss"))
    assert not origin_allowed("http://api.example.org", _scope("api.example.org", scheme="wss"))
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = _scope("api.example.org", headers=[(b"x-forwarded-proto", b"https")])
    assert origin_allowed("https://api.example.org", proxied)
    assert not origin_allowed("http://api.example.org", proxied)


def test_a_host_outside_allowed_hosts_is_not_an_own_origin():
    assert not origin_allowed("http://evil.example:8000", _scope("evil.example:8000"))


def test_no_origin_is_left_to_the_token_check():
    assert origin_allowed(None, _scope())
    assert origin_allowed("", _scope())


@pytest.mark.django_db(transaction=True)
def test_a_page_on_another_port_of_an_allowed_host_is_refused_at_the_handshake():
    token = str(RefreshToken.for_user(UserFactory()).access_token)

    async def connect(origin: bytes):
        communicator = WebsocketCommunicator(
            application,
            f"/ws/notifications/?token={token}",
            headers=[(b"host", b"localhost:8000"), (b"origin", origin)],
        )
        connected, code = await communicator.connect(timeout=3)
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(connect)(b"http://localhost:3000") == (False, 4403)
    assert async_to_sync(connect)(b"http://localhost") == (False, 4403)
    assert async_to_sync(connect)(b"http://localhost:8000")[0] is True
