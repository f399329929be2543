from django.urls import path

from live.consumers import LiveChatConsumer

websocket_urlpatterns = [
    path("ws/live/<int:stream_id>/chat/", LiveChatConsumer.as_asgi()),
]
