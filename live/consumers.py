"""The live chat socket of a stream, fed by live.chat (which stores before it pushes)."""

from channels.db import database_sync_to_async

from cnt.ws import AuthenticatedJsonConsumer
from live import chat

ERROR_EVENT = "live.chat.error"


class LiveChatConsumer(AuthenticatedJsonConsumer):
    """`/ws/live/<stream_id>/chat/`: everyone who may see the stream receives; signed-in
    users send `{"type": "chat.send", "text"}`; the host and moderators also send
    `chat.delete` (`id`), `chat.mute`, `chat.unmute`, `chat.ban` and `chat.unban`
    (`user_id`). Refused actions answer `live.chat.error` with a code and keep the socket
    open. A ban closes the banned user's sockets of this stream with 4403."""

    asyncapi_channel = "liveChat"  # its frames, as cnt/asyncapi.py documents them

    async def authorize(self) -> bool:
        stream_id = self.scope["url_route"]["kwargs"]["stream_id"]
        self.access = await database_sync_to_async(chat.chat_access)(
            user=self.scope["user"], stream_id=stream_id
        )
        return self.access is not None

    async def join(self):
        self.group = chat.chat_group(self.access.stream_id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def on_accepted(self):
        await self.send_json(
            {
                "type": "live.chat.ready",
                "data": {
                    "stream_id": self.access.stream_id,
                    "can_moderate": self.access.can_moderate,
                    "is_muted": self.access.is_muted,
                },
            }
        )

    def revocation_applies(self, message: dict) -> bool:
        """Revocations of the user's credentials, and bans from this stream's chat."""
        stream_id = message.get("stream_id")
        return stream_id is None or stream_id == self.access.stream_id

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_message(self, message: dict):
        handler = {
            "chat.send": self._send_message,
            "chat.delete": self._delete_message,
            "chat.mute": self._mute,
            "chat.unmute": self._unmute,
            "chat.ban": self._ban,
            "chat.unban": self._unban,
        }.get(message["type"])
        if handler is None:
            return
        try:
            await handler(message)
        except chat.ChatError as exc:
            await self.send_json(
                {"type": ERROR_EVENT, "data": {"code": exc.code, "detail": exc.detail}}
            )

    async def _send_message(self, message):
        await database_sync_to_async(chat.chat_message_send)(
            stream_id=self.access.stream_id, user=self.scope["user"], text=message.get("text")
        )

    async def _delete_message(self, message):
        await database_sync_to_async(chat.chat_message_delete)(
            stream_id=self.access.stream_id, by=self.scope["user"], message_id=_int(message, "id")
        )

    async def _mute(self, message):
        await database_sync_to_async(chat.chat_user_mute)(
            stream_id=self.access.stream_id, by=self.scope["user"], user_id=_int(message, "user_id")
        )

    async def _unmute(self, message):
        await database_sync_to_async(chat.chat_user_unmute)(
            stream_id=self.access.stream_id, by=self.scope["user"], user_id=_int(message, "user_id")
        )

    async def _ban(self, message):
        await database_sync_to_async(chat.chat_user_ban)(
            stream_id=self.access.stream_id, by=self.scope["user"], user_id=_int(message, "user_id")
        )

    async def _unban(self, message):
        await database_sync_to_async(chat.chat_user_unban)(
            stream_id=self.access.stream_id, by=self.scope["user"], user_id=_int(message, "user_id")
        )


def _int(message: dict, field: str) -> int:
    value = message.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= chat.MAX_ID:
        raise chat.ChatError("invalid", f"`{field}` must be a positive integer.")
    return value
