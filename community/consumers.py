"""The notifications socket: each user's own group, fed by cnt.realtime."""

from cnt.realtime import user_group
from cnt.ws import AuthenticatedJsonConsumer


class NotificationConsumer(AuthenticatedJsonConsumer):
    """`/ws/notifications/`: new notifications and media progress for the signed-in user.

    The group comes from the token's user only, so no one can join another user's group."""

    asyncapi_channel = "notifications"  # its frames, as cnt/asyncapi.py documents them

    async def join(self):
        self.group = user_group(self.scope["user"].id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def on_accepted(self):
        await self.send_json(
            {"type": "connection.ready", "data": {"user_id": self.scope["user"].id}}
        )

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)
