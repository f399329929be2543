"""A local fake of Firebase Cloud Messaging for the real Admin SDK.

It speaks the two wire formats the SDK uses: Google's OAuth 2.0 token endpoint with the
service-account JWT grant (RFC 7523: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
an RS256 assertion checked against the test key) and the FCM HTTP v1 send endpoint
(`POST /v1/projects/{project}/messages:send`, one message per request, a Bearer token from the
first). Errors come back as FCM's: a google.rpc.Status body with an FcmError detail.
"""

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "cnt-test"
CLIENT_EMAIL = f"push@{PROJECT}.iam.gserviceaccount.com"
# google-auth always names Google's token endpoint as the assertion's audience, wherever
# token_uri points; Google's endpoint checks that value.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Either grants FCM sends (the SDK asks for cloud-platform among others).
MESSAGING_SCOPES = {
    "https://www.googleapis.com/auth/firebase.messaging",
    "https://www.googleapis.com/auth/cloud-platform",
}
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}
STATUS_NAMES |= {500: "INTERNAL", 503: "UNAVAILABLE"}

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeFCM:
    url: str = ""
    # Message bodies FCM accepted ({"message": {...}}), in arrival order.
    sent: list[dict] = field(default_factory=list)
    token_requests: int = 0
    send_requests: int = 0
    # Registration tokens FCM no longer knows (404 UNREGISTERED) or finds malformed (400).
    unregistered: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    # (status, fcm_error_code, retry_after) answered instead of success for the next sends.
    failures: list[tuple[int, str, str | None]] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tokens_sent_to(self) -> list[str]:
        return [body["message"]["token"] for body in self.sent]

    def credentials_file(self, directory: Path) -> Path:
        """A service-account JSON whose token_uri is this fake."""
        pem = _KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        path = directory / "firebase-service-account.json"
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": PROJECT,
                    "private_key_id": "test-key-1",
                    "private_key": pem,
                    "client_email": CLIENT_EMAIL,
                    "client_id": "1234567890",
                    "token_uri": f"{self.url}/token",
                }
            )
        )
        return path


def _fcm_error(status: int, code: str, message: str, extra_details=()) -> dict:
    details = [{"@type": FCM_ERROR, "errorCode": code}, *extra_details]
    return {
        "error": {
            "code": status,
            "message": message,
            "status": STATUS_NAMES.get(status, "UNKNOWN"),
            "details": details,
        }
    }


def _handler(fake: FakeFCM):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status: int, body: dict, headers: dict | None = None):
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_POST(self):
            if self.path == "/token":
                return self._token(parse_qs(self._body().decode()))
            prefix, suffix = "/v1/projects/", "/messages:send"
            if self.path.startswith(prefix) and self.path.endswith(suffix):
                project = self.path[len(prefix) : -len(suffix)]
                return self._message(project, self._body())
            self._send(404, {"error": {"code": 404, "message": "no such method"}})

        def _token(self, form: dict):
            with fake.lock:
                fake.token_requests += 1
            if form.get("grant_type") != [GRANT] or "assertion" not in form:
                return self._send(400, {"error": "unsupported_grant_type"})
            try:
                claims = jwt.decode(
                    form["assertion"][0],
                    _KEY.public_key(),
                    algorithms=["RS256"],
                    audience=GOOGLE_TOKEN_AUDIENCE,
                    issuer=CLIENT_EMAIL,
                )
            except jwt.PyJWTError as exc:
                return self._send(400, {"error": "invalid_grant", "error_description": str(exc)})
            if not MESSAGING_SCOPES & set(claims.get("scope", "").split()):
                return self._send(400, {"error": "invalid_scope"})
            token = f"ya29.{uuid.uuid4().hex}"
            with fake.lock:
                fake.access_tokens.add(token)
            self._send(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

        def _message(self, project: str, raw: bytes):
            with fake.lock:
                fake.send_requests += 1
                authorized = self.headers.get("Authorization", "") in {
                    f"Bearer {t}" for t in fake.access_tokens
                }
                failure = fake.failures.pop(0) if fake.failures else None
            if not authorized:
                return self._send(401, _fcm_error(401, "THIRD_PARTY_AUTH_ERROR", "unauthorized"))
            if project != PROJECT:
                return self._send(403, _fcm_error(403, "SENDER_ID_MISMATCH", "wrong project"))
            body = json.loads(raw)
            message = body.get("message", {})
            problem = _invalid(message)
            if problem:
                return self._send(400, _fcm_error(400, "INVALID_ARGUMENT", problem))
            if failure is not None:
                status, code, retry_after = failure
                headers = {"Retry-After": retry_after} if retry_after else None
                return self._send(status, _fcm_error(status, code, "try later"), headers)
            token = message["token"]
            if token in fake.unregistered:
                return self._send(
                    404, _fcm_error(404, "UNREGISTERED", "Requested entity was not found.")
                )
            if token in fake.invalid:
                violation = {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "message.token", "description": "Invalid registration token"}
                    ],
                }
                return self._send(
                    400,
                    _fcm_error(
                        400,
                        "INVALID_ARGUMENT",
                        "The registration token is not a valid FCM registration token",
                        [violation],
                    ),
                )
            with fake.lock:
                fake.sent.append(body)
            self._send(200, {"name": f"projects/{project}/messages/{uuid.uuid4().hex}"})

    return Handler


def _invalid(message: dict) -> str:
    """FCM's own checks of a message that matter here, or ''."""
    targets = [key for key in ("token", "topic", "condition") if key in message]
    if len(targets) != 1:
        return "Exactly one of token, topic or condition must be specified."
    data = message.get("data", {})
    if any(not isinstance(value, str) for value in data.values()):
        return "Invalid value in data: every value must be a string."
    if "notification" in message and not message["notification"].get("title"):
        return "A notification needs a title."
    return ""


def start() -> tuple[FakeFCM, ThreadingHTTPServer]:
    fake = FakeFCM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
