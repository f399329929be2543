"""WebSocket plumbing: token authentication and the collected routes of every app.

Sockets are authenticated by JWT, not by Origin: native apps often send no Origin header.
The access token comes from the `Authorization: Bearer` header or the `token` query parameter.
"""

import importlib
import importlib.util
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

WS_APPS = ("accounts", "catalog", "community", "media", "live", "finance", "bible", "support")


def _collect_routes():
    routes = []
    for app in WS_APPS:
        if importlib.util.find_spec(f"{app}.routing") is not None:
            routes += importlib.import_module(f"{app}.routing").websocket_urlpatterns
    return routes


websocket_urlpatterns = _collect_routes()


def _token_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() == "bearer":
                return parts[1]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return tokens[0] if tokens else None


@database_sync_to_async
def user_for_token(raw_token: str | None):
    """The active user an access token names, or AnonymousUser for anything invalid."""
    if not raw_token:
        return AnonymousUser()
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(raw_token)
        return auth.get_user(validated)
    except (InvalidToken, AuthenticationFailed):
        return AnonymousUser()


class JwtAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        scope["user"] = await user_for_token(_token_from_scope(scope))
        return await super().__call__(scope, receive, send)
