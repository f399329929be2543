"""A local fake of LiveKit's server API: Twirp over HTTP with protobuf bodies, as the SDK
speaks it (POST /twirp/livekit.<Service>/<Method>, Content-Type: application/protobuf).

Keeps rooms, participants, dispatches and egresses in memory and records every request
with the claims of its bearer token, so tests can check what the SDK asked for.
"""

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from livekit import api

KEY = "test-api-key"
SECRET = "test-api-secret-0123456789-abcdefghij"


@dataclass
class Call:
    service: str
    method: str
    request: object
    content_type: str
    claims: object


class TwirpError(Exception):
    def __init__(self, status: int, code: str, msg: str):
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


@dataclass
class FakeLiveKit:
    rooms: dict = field(default_factory=dict)
    participants: dict = field(default_factory=dict)  # room -> {identity: ParticipantInfo}
    egresses: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this HTTP status
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- state helpers for tests

    def add_participant(
        self, room: str, identity: str, *, audio_tracks: int = 1, video: bool = True
    ):
        self.rooms.setdefault(room, api.Room(name=room, sid=f"RM_{next(self._ids)}"))
        info = api.ParticipantInfo(
            sid=f"PA_{next(self._ids)}", identity=identity, name=identity, joined_at=1_700_000_000
        )
        for _ in range(audio_tracks):
            info.tracks.append(
                api.TrackInfo(
                    sid=f"TR_A{next(self._ids)}",
                    type=api.TrackType.AUDIO,
                    source=api.TrackSource.MICROPHONE,
                )
            )
        if video:
            info.tracks.append(
                api.TrackInfo(
                    sid=f"TR_V{next(self._ids)}",
                    type=api.TrackType.VIDEO,
                    source=api.TrackSource.CAMERA,
                )
            )
        self.participants.setdefault(room, {})[identity] = info
        return info

    def methods(self) -> list[str]:
        return [f"{c.service}/{c.method}" for c in self.calls]

    # --- Twirp methods

    def _room(self, name):
        if name not in self.rooms:
            raise TwirpError(404, "not_found", "requested room does not exist")
        return self.rooms[name]

    def _participant(self, room, identity):
        self._room(room)
        found = self.participants.get(room, {}).get(identity)
        if found is None:
            raise TwirpError(404, "not_found", "participant does not exist")
        return found

    def handle(self, service: str, method: str, body: bytes):
        handlers = {
            ("RoomService", "CreateRoom"): (api.CreateRoomRequest, self.create_room),
            ("RoomService", "ListRooms"): (api.ListRoomsRequest, self.list_rooms),
            ("RoomService", "DeleteRoom"): (api.DeleteRoomRequest, self.delete_room),
            ("RoomService", "ListParticipants"): (
                api.ListParticipantsRequest,
                self.list_participants,
            ),
            ("RoomService", "GetParticipant"): (api.RoomParticipantIdentity, self.get_participant),
            ("RoomService", "RemoveParticipant"): (
                api.RoomParticipantIdentity,
                self.remove_participant,
            ),
            ("RoomService", "MutePublishedTrack"): (api.MuteRoomTrackRequest, self.mute_track),
            ("AgentDispatchService", "CreateDispatch"): (
                api.CreateAgentDispatchRequest,
                self.create_dispatch,
            ),
            ("Egress", "StartRoomCompositeEgress"): (
                api.RoomCompositeEgressRequest,
                self.start_egress,
            ),
            ("Egress", "StopEgress"): (api.StopEgressRequest, self.stop_egress),
        }
        if (service, method) not in handlers:
            raise TwirpError(404, "bad_route", f"no handler for {service}/{method}")
        request_class, handler = handlers[(service, method)]
        request = request_class.FromString(body)
        return request, handler(request)

    def create_room(self, req):
        room = api.Room(
            name=req.name,
            sid=f"RM_{next(self._ids)}",
            empty_timeout=req.empty_timeout,
            max_participants=req.max_participants,
            metadata=req.metadata,
        )
        self.rooms[req.name] = room
        return room

    def list_rooms(self, req):
        names = set(req.names)
        return api.ListRoomsResponse(
            rooms=[r for n, r in self.rooms.items() if not names or n in names]
        )

    def delete_room(self, req):
        self._room(req.room)
        del self.rooms[req.room]
        self.participants.pop(req.room, None)
        return api.DeleteRoomResponse()

    def list_participants(self, req):
        self._room(req.room)
        return api.ListParticipantsResponse(
            participants=list(self.participants.get(req.room, {}).values())
        )

    def get_participant(self, req):
        return self._participant(req.room, req.identity)

    def remove_participant(self, req):
        self._participant(req.room, req.identity)
        del self.participants[req.room][req.identity]
        return api.RemoveParticipantResponse()

    def mute_track(self, req):
        info = self._participant(req.room, req.identity)
        for track in info.tracks:
            if track.sid == req.track_sid:
                track.muted = req.muted
                return api.MuteRoomTrackResponse(track=track)
        raise TwirpError(404, "not_found", "track does not exist")

    def create_dispatch(self, req):
        return api.AgentDispatch(
            id=f"AD_{next(self._ids)}",
            agent_name=req.agent_name,
            room=req.room,
            metadata=req.metadata,
        )

    def start_egress(self, req):
        egress_id = f"EG_{next(self._ids)}"
        info = api.EgressInfo(
            egress_id=egress_id, room_name=req.room_name, status=api.EgressStatus.EGRESS_STARTING
        )
        self.egresses[egress_id] = info
        return info

    def stop_egress(self, req):
        if req.egress_id not in self.egresses:
            raise TwirpError(404, "not_found", "egress does not exist")
        info = self.egresses[req.egress_id]
        info.status = api.EgressStatus.EGRESS_ENDING
        return info


def _handler_class(fake: FakeLiveKit):
    verifier = api.TokenVerifier(KEY, SECRET)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, code: str, msg: str):
            body = json.dumps({"code": code, "msg": msg}).encode()
            self._answer(status, body, "application/json")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "twirp" or not parts[1].startswith("livekit."):
                return self._error(404, "bad_route", self.path)
            service, method = parts[1].removeprefix("livekit."), parts[2]
            if fake.fail_with:
                return self._error(fake.fail_with, "internal", "fake failure")
            try:
                authorization = self.headers.get("Authorization", "")
                claims = verifier.verify(authorization.removeprefix("Bearer "))
            except Exception:
                return self._error(401, "unauthenticated", "invalid token")
            try:
                request, response = fake.handle(service, method, body)
            except TwirpError as exc:
                fake.calls.append(Call(service, method, None, self.headers["Content-Type"], claims))
                return self._error(exc.status, exc.code, exc.msg)
            fake.calls.append(Call(service, method, request, self.headers["Content-Type"], claims))
            self._answer(200, response.SerializeToString(), "application/protobuf")

    return Handler


class FakeLiveKitServer:
    def __init__(self):
        self.fake = FakeLiveKit()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self.fake))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self.fake

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
