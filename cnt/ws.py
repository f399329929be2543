"""WebSocket plumbing: token authentication, the Origin policy, a JSON consumer base, and
the collected routes of every app.

Sockets are authenticated by JWT, not by Origin: native apps often send no Origin header.
The access token comes from (in order) the `Authorization: Bearer` header, the
`Sec-WebSocket-Protocol` pair `bearer, <token>` (browsers cannot set headers), or the
`token` query parameter.

Origin policy: a handshake that carries an Origin (every browser sends one) must come from
an allowed origin, compared by scheme, host AND port (a page on another port of the same
host is another origin): one listed in CORS_ALLOWED_ORIGINS or CSRF_TRUSTED_ORIGINS, or the
server's own origin (the handshake's Host, when ALLOWED_HOSTS accepts it, with http/https
matching ws/wss or the trusted proxy's SECURE_PROXY_SSL_HEADER). A handshake without Origin
(native apps) is allowed through to the token check; `Origin: null` and anything that is
not scheme://host[:port] are refused.

Revocation: a socket keeps no rights its user lost. Every socket joins its user's
`sessions.<id>` group; the services that end a user's sessions (password change or reset,
sign-out everywhere, deactivation, deletion) and a chat ban send a revocation there after
commit (cnt.realtime.sockets_revoke) and the socket closes at once (4401, or 4403 for a
ban). As a fallback for a missed message, each socket re-checks every
WS_REVALIDATE_SECONDS that its user is still active with the same password.
"""

import asyncio
import contextlib
import importlib
import importlib.util
import json
import logging
from urllib.parse import SplitResult, parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

from cnt import realtime

logger = logging.getLogger("cnt.ws")

WS_APPS = ("accounts", "catalog", "community", "media", "live", "finance", "bible", "support")
BEARER_SUBPROTOCOL = "bearer"

# Close codes (4000-4999 are for applications).
CLOSE_UNAUTHENTICATED = realtime.CLOSE_REVOKED  # also: credentials revoked while open
CLOSE_FORBIDDEN = realtime.CLOSE_BANNED  # also: banned from the stream's chat while open
CLOSE_BAD_MESSAGE = 4400
CLOSE_TOO_LARGE = 4413
CLOSE_RATE_LIMITED = 4429

MAX_FRAME_BYTES = 8 * 1024


def _collect_routes():
    routes = []
    for app in WS_APPS:
        if importlib.util.find_spec(f"{app}.routing") is not None:
            routes += importlib.import_module(f"{app}.routing").websocket_urlpatterns
    return routes


def _header(scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _token_from_scope(scope) -> tuple[str | None, str | None]:
    """(token, subprotocol to accept with)."""
    authorization = _header(scope, b"authorization")
    if authorization:
        parts = authorization.split()
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return parts[1], None
    protocols = [p.strip() for p in scope.get("subprotocols") or []]
    if BEARER_SUBPROTOCOL in protocols:
        index = protocols.index(BEARER_SUBPROTOCOL)
        if index + 1 < len(protocols):
            return protocols[index + 1], BEARER_SUBPROTOCOL
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return (tokens[0] if tokens else None), None


@database_sync_to_async
def user_for_token(raw_token: str | None):
    """The active user an access token names, or AnonymousUser for anything invalid
    (missing, expired, tampered, a refresh token, an inactive or deleted user)."""
    if not raw_token:
        return AnonymousUser()
    from cnt.api.authentication import user_for_access_token  # needs the app registry

    return user_for_access_token(raw_token) or AnonymousUser()


@database_sync_to_async
def _user_still_valid(user_id, password_hash) -> bool:
    """The socket's user is still active and has not changed (or lost) their password."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(pk=user_id, is_active=True, password=password_hash).exists()
    )


DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def _origin_of(parts: SplitResult) -> Origin | None:
    """(scheme, host, port) with the scheme's default port made explicit; None when the
    value is not a web origin."""
    scheme = (parts.scheme or "").lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:  # a port that is not a number, or out of range
        return None
    return scheme, parts.hostname.lower().rstrip("."), port


def parse_origin(value: str) -> Origin | None:
    try:
        return _origin_of(urlsplit(value.strip()))
    except ValueError:
        return None


def _listed_origins() -> set[Origin]:
    listed = [*settings.CORS_ALLOWED_ORIGINS, *settings.CSRF_TRUSTED_ORIGINS]
    return {origin for origin in map(parse_origin, listed) if origin is not None}


def _is_secure(scope) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, expected = proxy_header
        wanted = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        value = _header(scope, wanted)
        return value is not None and value.split(",")[0].strip() == expected
    return False


def _own_origin(scope) -> Origin | None:
    """The origin a page served by this server has: the handshake's Host (if ALLOWED_HOSTS
    accepts it) with the scheme the client used."""
    host = _header(scope, b"host")
    if not host:
        return None
    scheme = "https" if _is_secure(scope) else "http"
    own = parse_origin(f"{scheme}://{host}")
    if own is None or not validate_host(own[1], settings.ALLOWED_HOSTS):
        return None
    return own


def origin_allowed(origin: str | None, scope=None) -> bool:
    if origin is None or origin == "":
        return True  # native apps; they still need a valid token
    parsed = parse_origin(origin)
    if parsed is None:
        return False  # "null" (sandboxed pages, file://) or not an origin at all
    if parsed in _listed_origins():
        return True
    return scope is not None and parsed == _own_origin(scope)


class JwtAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token, subprotocol = _token_from_scope(scope)
        scope["user"] = await user_for_token(token)
        scope["auth_subprotocol"] = subprotocol
        scope["origin_allowed"] = origin_allowed(_header(scope, b"origin"), scope)
        return await super().__call__(scope, receive, send)


class AuthenticatedJsonConsumer(AsyncWebsocketConsumer):
    """A JSON socket for signed-in users. Refuses the handshake (close code 4401/4403)
    before accepting; closes on malformed (4400) or oversized (4413) frames, and when its
    user's rights end while it is open (4401 revoked credentials, 4403 a chat ban)."""

    max_frame_bytes = MAX_FRAME_BYTES
    # The channel of cnt/asyncapi.py that documents this socket's frames.
    asyncapi_channel: str = ""
    _sessions_group: str | None = None
    _revalidation: asyncio.Task | None = None

    async def connect(self):
        if not self.scope.get("origin_allowed", True):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self.authorize():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self._sessions_group = realtime.sessions_group(user.pk)
        await self.channel_layer.group_add(self._sessions_group, self.channel_name)
        await self.join()
        await self.accept(subprotocol=self.scope.get("auth_subprotocol"))
        self._revalidation = asyncio.create_task(self._revalidate(user.pk, user.password))
        await self.on_accepted()

    async def _revalidate(self, user_id, password_hash):
        """The fallback for a revocation message that never arrived (Redis down, a deactivation
        made outside the services): re-check the user now and then."""
        interval = float(settings.WS_REVALIDATE_SECONDS)
        while True:
            await asyncio.sleep(interval)
            try:
                valid = await _user_still_valid(user_id, password_hash)
            except Exception as exc:  # a database blip is not a revocation; try again later
                logger.warning("socket re-check of user %s failed: %s", user_id, exc)
                continue
            if not valid:
                self._revalidation = None  # closing from inside the task must not cancel it
                await self.revoke(CLOSE_UNAUTHENTICATED)
                return

    def revocation_applies(self, message: dict) -> bool:
        """Whether a revocation sent to this socket's user concerns this socket (a chat ban
        names a stream; other revocations concern every socket)."""
        return "stream_id" not in message

    async def session_revoke(self, message):
        """A revocation from cnt.realtime.sockets_revoke: close if it concerns this socket."""
        if self.revocation_applies(message):
            await self.revoke(int(message["code"]), message.get("reason") or None)

    async def revoke(self, code: int, reason: str | None = None):
        await self._stop_listening()
        await self.close(code=code, reason=reason)

    async def _stop_listening(self):
        task, self._revalidation = self._revalidation, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        group, self._sessions_group = self._sessions_group, None
        if group:
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def websocket_disconnect(self, message):
        await self._stop_listening()
        await super().websocket_disconnect(message)

    async def authorize(self) -> bool:
        return True

    async def join(self):
        """Join this socket's groups (before accepting, so nothing is missed)."""

    async def on_accepted(self):
        """Send whatever a freshly connected client needs."""

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else bytes_data
        if raw is None or len(raw) > self.max_frame_bytes:
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            message = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        if message["type"] == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.receive_message(message)

    async def receive_message(self, message: dict):
        """Handle a client message of a type other than ping; unknown types are ignored."""

    async def send_json(self, content):
        await self.send(text_data=json.dumps(content, separators=(",", ":"), default=str))

    async def push_event(self, message):
        """Group messages from cnt.realtime: {"event", "payload"} -> {"type", "data"}."""
        await self.send_json({"type": message["event"], "data": message["payload"]})


websocket_urlpatterns = _collect_routes()
