"""A local fake of Stripe's API for the real SDK: POST /v1/payment_intents (and
/v1/payment_intents/{id}/cancel), form-encoded in, a PaymentIntent JSON out. Honours
Idempotency-Key like Stripe and counts every call. Also signs webhook payloads the way
Stripe does (t=..., v1=HMAC-SHA256)."""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_cnt_secret"
SECRET_KEY = "sk_test_cnt_fake"


@dataclass
class Call:
    method: str
    path: str
    headers: dict
    form: dict


@dataclass
class FakeStripe:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    delay: float = 0.0
    # (status, body) answered instead of a PaymentIntent, for the next N calls.
    failures: list[tuple[int, dict]] = field(default_factory=list)
    intents: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def intent_calls(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v1/payment_intents"]


def _unflatten(pairs: list[tuple[str, str]]) -> dict:
    """metadata[donation_id]=1 -> {"metadata": {"donation_id": "1"}} (Stripe's form style)."""
    out: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


def _handler(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            # Failures are final here: the SDK would otherwise retry them with backoff.
            self.send_header("Stripe-Should-Retry", "false")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{next(fake.counter)}")
            self.end_headers()
            self.wfile.write(data)

        def _cancel(self, intent_id: str):
            """Stripe's rules: paid or processing intents cannot be cancelled."""
            with fake.lock:
                intent = next((i for i in fake.intents.values() if i["id"] == intent_id), None)
                if intent is None:
                    self._send(
                        404,
                        {"error": {"type": "invalid_request_error", "code": "resource_missing"}},
                    )
                    return
                if intent["status"] in ("succeeded", "processing", "canceled"):
                    self._send(
                        400,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "code": "payment_intent_unexpected_state",
                                "message": f"This PaymentIntent's status is {intent['status']}.",
                            }
                        },
                    )
                    return
                intent["status"] = "canceled"
                intent["cancellation_reason"] = "abandoned"
            self._send(200, intent)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = _unflatten(parse_qsl(raw, keep_blank_values=True))
            call = Call("POST", self.path, dict(self.headers.items()), form)
            with fake.lock:
                fake.calls.append(call)
                failure = fake.failures.pop(0) if fake.failures else None
            if fake.delay:
                time.sleep(fake.delay)
            if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                self._send(401, {"error": {"type": "invalid_request_error", "message": "bad key"}})
                return
            if failure is not None:
                self._send(*failure)
                return
            cancel = re.fullmatch(r"/v1/payment_intents/([^/]+)/cancel", self.path)
            if cancel:
                self._cancel(cancel.group(1))
                return
            if self.path != "/v1/payment_intents":
                self._send(404, {"error": {"type": "invalid_request_error", "message": "no"}})
                return
            key = self.headers.get("Idempotency-Key")
            with fake.lock:
                if key and key in fake.intents:
                    intent = fake.intents[key]
                else:
                    number = next(fake.counter)
                    intent = {
                        "id": f"pi_fake{number}",
                        "object": "payment_intent",
                        "amount": int(form["amount"]),
                        "amount_received": 0,
                        "currency": form["currency"],
                        "client_secret": f"pi_fake{number}_secret_{number:04d}",
                        "status": "requires_payment_method",
                        "metadata": form.get("metadata", {}),
                        "livemode": False,
                    }
                    if key:
                        fake.intents[key] = intent
            self._send(200, intent)

    return Handler


def start() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake, server


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{obj.get('id')}",
        "object": "event",
        "type": event_type,
        "api_version": "2025-01-01",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
