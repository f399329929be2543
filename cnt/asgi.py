"""ASGI entry point: HTTP through Django, WebSockets through Channels (JWT-authenticated)."""

import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
try:
    django_asgi_app = get_asgi_application()
except ImproperlyConfigured as exc:
    # Wrong configuration: one line saying what to fix, not a traceback.
    raise SystemExit(f"Configuration error: {exc}") from None

from channels.routing import ProtocolTypeRouter, URLRouter

from cnt.observability import WebSocketGauge
from cnt.ws import JwtAuthMiddleware, websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketGauge(JwtAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
