"""The WebSocket contract as an AsyncAPI 3.0 document, served at /api/asyncapi.json.

Every frame is JSON `{"type": <event>, "data": <payload>}` (`pong` has no data). Each socket
(channel) lists every event it sends and every message it accepts; tests validate every
frame a consumer sends against this document (tests/conftest.py), so it cannot drift.
"""

from copy import deepcopy
from functools import lru_cache

from cnt.notifications.models import NotificationType

INT_ID = {"type": "integer", "format": "int64", "minimum": 1}
UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "format": "date-time"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict, required=None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


SCHEMAS = {
    "Notification": _object(
        {
            "id": INT_ID,
            "type": {"type": "string", "enum": list(NotificationType.values)},
            "title": {"type": "string"},
            "message": {"type": "string"},
            "data": {"type": "object", "description": "What the notification is about."},
            "actor_id": _nullable(INT_ID),
            "read_at": _nullable(TIME),
            "created_at": TIME,
        }
    ),
    "AssetState": _object(
        {
            "id": UUID,
            "kind": {"type": "string", "enum": ["audio", "video", "image", "document"]},
            "status": {"type": "string"},
            "error": {"type": "string"},
            "renditions": {
                "type": "array",
                "items": _object(
                    {
                        "name": {"type": "string"},
                        "status": {"type": "string"},
                        "progress": {"type": "number", "minimum": 0, "maximum": 1},
                    }
                ),
            },
        }
    ),
    "AssetProgress": _object(
        {
            "id": UUID,
            "status": {"type": "string"},
            "progress": {
                "type": "object",
                "description": "Per rendition, from 0 to 1.",
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
            },
        }
    ),
    "EditJobState": _object(
        {
            "id": UUID,
            "kind": {"type": "string", "enum": ["audio", "video"]},
            "status": {"type": "string"},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "error": {"type": "string"},
            "result": _nullable(UUID),
        }
    ),
    "ChatUser": _object(
        {"id": INT_ID, "username": {"type": "string"}, "display_name": {"type": "string"}}
    ),
    "ChatMessage": _object(
        {
            "id": INT_ID,
            "stream_id": INT_ID,
            "user": {"$ref": "#/components/schemas/ChatUser"},
            "text": {"type": "string"},
            "created_at": TIME,
        }
    ),
}

# (message id, event type, summary, payload schema or None for no data)
NOTIFICATION_EVENTS = [
    (
        "connectionReady",
        "connection.ready",
        "Sent once the socket is open.",
        _object({"user_id": INT_ID}),
    ),
    ("pong", "pong", "The answer to a ping.", None),
    (
        "notificationCreated",
        "community.notification.created",
        "A new notification.",
        {"$ref": "#/components/schemas/Notification"},
    ),
    (
        "assetUpdated",
        "media.asset.updated",
        "An upload changed state (processing, ready, failed).",
        {"$ref": "#/components/schemas/AssetState"},
    ),
    (
        "assetProgress",
        "media.asset.progress",
        "Transcoding progress of an upload.",
        {"$ref": "#/components/schemas/AssetProgress"},
    ),
    (
        "editJobUpdated",
        "media.edit_job.updated",
        "An audio or video edit job moved on.",
        {"$ref": "#/components/schemas/EditJobState"},
    ),
]
CHAT_EVENTS = [
    (
        "chatReady",
        "live.chat.ready",
        "Sent once the socket is open.",
        _object(
            {
                "stream_id": INT_ID,
                "can_moderate": {"type": "boolean"},
                "is_muted": {"type": "boolean"},
            }
        ),
    ),
    ("pong", "pong", "The answer to a ping.", None),
    (
        "chatMessage",
        "live.chat.message",
        "A chat message.",
        {"$ref": "#/components/schemas/ChatMessage"},
    ),
    (
        "chatDeleted",
        "live.chat.deleted",
        "A moderator deleted a message.",
        _object({"id": INT_ID, "stream_id": INT_ID}),
    ),
    (
        "chatMuted",
        "live.chat.muted",
        "A moderator muted a user.",
        _object({"user_id": INT_ID, "stream_id": INT_ID}),
    ),
    (
        "chatUnmuted",
        "live.chat.unmuted",
        "A moderator unmuted a user.",
        _object({"user_id": INT_ID, "stream_id": INT_ID}),
    ),
    (
        "chatBanned",
        "live.chat.banned",
        "A moderator banned a user from this chat (their sockets close with 4403).",
        _object({"user_id": INT_ID, "stream_id": INT_ID}),
    ),
    (
        "chatUnbanned",
        "live.chat.unbanned",
        "A moderator lifted a user's ban.",
        _object({"user_id": INT_ID, "stream_id": INT_ID}),
    ),
    (
        "chatError",
        "live.chat.error",
        "An action was refused; the socket stays open.",
        _object({"code": {"type": "string"}, "detail": {"type": "string"}}),
    ),
    (
        "streamStarted",
        "live.stream.started",
        "The stream went live.",
        _object({"stream_id": INT_ID, "status": {"type": "string"}}),
    ),
    (
        "streamEnded",
        "live.stream.ended",
        "The stream ended.",
        _object({"stream_id": INT_ID, "status": {"type": "string"}}),
    ),
]
# What clients send: (message id, type, summary, extra fields of the frame)
PING = ("ping", "ping", "Keep-alive; answered with pong.", {})
CHAT_ACTIONS = [
    PING,
    (
        "chatSend",
        "chat.send",
        "Post a message (signed in, not muted).",
        {"text": {"type": "string", "minLength": 1, "maxLength": 500}},
    ),
    ("chatDelete", "chat.delete", "Delete a message (host or moderator).", {"id": INT_ID}),
    ("chatMute", "chat.mute", "Mute a user (host or moderator).", {"user_id": INT_ID}),
    ("chatUnmute", "chat.unmute", "Unmute a user (host or moderator).", {"user_id": INT_ID}),
    (
        "chatBan",
        "chat.ban",
        "Ban a user from this chat: their sockets close with 4403 (host or moderator).",
        {"user_id": INT_ID},
    ),
    ("chatUnban", "chat.unban", "Lift a ban (host or moderator).", {"user_id": INT_ID}),
]

CLOSE_CODES = (
    "Close codes: 4401 no or invalid token, or the credentials were revoked while the socket "
    "was open (password changed or reset, signed out everywhere, account deactivated or "
    "deleted; within seconds, reconnect with a new token); 4403 not allowed (origin, or the "
    "stream is not yours to see), or banned from the stream's chat while open; 4400 a frame "
    "that is not a JSON object with a string `type`; 4413 a frame over 8 KiB; 4429 too many "
    "messages."
)
# The same, as data: (code, when), listed on every channel as `x-close-codes`.
CLOSE_CODE_LIST = [
    (4400, "A frame that is not a JSON object with a string `type`."),
    (
        4401,
        "No or invalid token at the handshake, or the credentials were revoked while open: "
        "password changed or reset, signed out everywhere, account deactivated or deleted. "
        "Sent at once by the revoking service (a missed message is caught by the socket's "
        "periodic re-check). Reconnect with a new token.",
    ),
    (
        4403,
        "Not allowed at the handshake (origin; the stream is not yours to see; banned), or "
        "banned from the stream's chat while open. Do not reconnect.",
    ),
    (4413, "A frame over 8 KiB."),
    (4429, "Too many messages."),
]


def _event_message(event: str, summary: str, payload) -> dict:
    properties = {"type": {"const": event}}
    if payload is not None:
        properties["data"] = payload
    return {
        "name": event,
        "summary": summary,
        "contentType": "application/json",
        "payload": _object(properties),
    }


def _client_message(kind: str, summary: str, fields: dict) -> dict:
    return {
        "name": kind,
        "summary": summary,
        "contentType": "application/json",
        "payload": _object({"type": {"const": kind}, **fields}),
    }


def _channel(address: str, description: str, sends, accepts, parameters=None) -> dict:
    channel = {
        "address": address,
        "description": f"{description} {CLOSE_CODES}",
        "messages": {},
        "x-close-codes": [{"code": code, "when": when} for code, when in CLOSE_CODE_LIST],
    }
    if parameters:
        channel["parameters"] = parameters
    for message_id, event, summary, payload in sends:
        channel["messages"][message_id] = _event_message(event, summary, payload)
    for message_id, kind, summary, fields in accepts:
        channel["messages"][message_id] = _client_message(kind, summary, fields)
    return channel


def _operations(name: str, sends, accepts) -> dict:
    ref = f"#/channels/{name}"
    return {
        f"{name}Receive": {
            "action": "receive",
            "channel": {"$ref": ref},
            "summary": "What the server sends on this socket.",
            "messages": [{"$ref": f"{ref}/messages/{m[0]}"} for m in sends],
        },
        f"{name}Send": {
            "action": "send",
            "channel": {"$ref": ref},
            "summary": "What a client may send on this socket.",
            "messages": [{"$ref": f"{ref}/messages/{m[0]}"} for m in accepts],
        },
    }


def asyncapi_document() -> dict:
    """The whole document (a fresh copy, safe to change)."""
    return deepcopy(_document())


@lru_cache(maxsize=1)
def _document() -> dict:
    channels = {
        "notifications": _channel(
            "/ws/notifications/",
            "The signed-in user's own events: notifications, uploads and edit jobs.",
            NOTIFICATION_EVENTS,
            [PING],
        ),
        "liveChat": _channel(
            "/ws/live/{stream_id}/chat/",
            "A stream's chat, for everyone who may see the stream.",
            CHAT_EVENTS,
            CHAT_ACTIONS,
            parameters={"stream_id": {"description": "The live stream's id."}},
        ),
    }
    operations = {
        **_operations("notifications", NOTIFICATION_EVENTS, [PING]),
        **_operations("liveChat", CHAT_EVENTS, CHAT_ACTIONS),
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CNT Media WebSockets",
            "version": "1.0.0",
            "description": (
                'Every frame is a JSON object `{"type", "data"}`. Authenticate with '
                "the access token (JWT) in the `Authorization: Bearer` header, as the "
                "subprotocol pair `bearer, <token>`, or as the `token` query parameter."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "api": {
                "host": "127.0.0.1:8000",
                "protocol": "ws",
                "description": "The API host; use wss behind TLS.",
                "security": [
                    {"$ref": "#/components/securitySchemes/bearerHeader"},
                    {"$ref": "#/components/securitySchemes/tokenQuery"},
                ],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerHeader": {
                    "type": "httpApiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Bearer <access token>`.",
                },
                "tokenQuery": {
                    "type": "httpApiKey",
                    "in": "query",
                    "name": "token",
                    "description": "The access token, for clients that cannot set headers.",
                },
            },
        },
    }


@lru_cache(maxsize=64)
def _validator(channel: str, event: str):
    import jsonschema

    document = _document()
    messages = document["channels"][channel]["messages"].values()
    wanted = [m for m in messages if m["payload"]["properties"]["type"]["const"] == event]
    if not wanted:
        return None
    schema = {**wanted[0]["payload"], "components": document["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def frame_problems(channel: str, frame: dict) -> list[str]:
    """Why `frame` is not a message the document lists for `channel` (empty: it is)."""
    event = frame.get("type")
    validator = _validator(channel, event) if isinstance(event, str) else None
    if validator is None:
        return [f"{channel}: no message of type {event!r} is documented"]
    return [f"{channel} {event}: {error.message}" for error in validator.iter_errors(frame)]


def close_code_problems(channel: str, code) -> list[str]:
    """Why `code` is not a close code the document lists for `channel` (empty: it is)."""
    listed = {item["code"] for item in _document()["channels"][channel]["x-close-codes"]}
    if code is None or code in listed:  # None: a plain close (1000)
        return []
    return [f"{channel}: close code {code!r} is not documented"]
