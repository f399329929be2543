"""Fixtures of the accounts tests: eager Celery, throttle rates, a local Google certs server."""

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from rest_framework.test import APIClient

from cnt.celery import app as celery_app

WEB_CLIENT_ID = "web-client.apps.googleusercontent.com"
IOS_CLIENT_ID = "ios-client.apps.googleusercontent.com"
ANDROID_CLIENT_ID = "android-client.apps.googleusercontent.com"
GOOGLE_KID = "test-kid-1"


@pytest.fixture(autouse=True)
def _eager_celery():
    # Tasks run in-process whatever the environment says, so sent mail lands in the outbox.
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def throttle_rates(settings):
    """Set some throttle rates for this test: throttle_rates(login="2/min")."""

    def apply(**rates):
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **rates}
        settings.REST_FRAMEWORK = framework

    return apply


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def code_from(message) -> str:
    """The 6-digit code in a sent email."""
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


# --- Google ----------------------------------------------------------------------------------


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed_pem(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cnt-test-google-signer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class CertsServerState:
    certs: dict
    status: int = 200
    hits: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="session")
def google_keys():
    signing, stranger = _rsa_key(), _rsa_key()
    return {
        "signing": _private_pem(signing),
        "stranger": _private_pem(stranger),
        "certs": {GOOGLE_KID: _self_signed_pem(signing)},
    }


@pytest.fixture(scope="session")
def google_certs_server(google_keys):
    """A real HTTP server on 127.0.0.1 serving Google's v1 certs format ({kid: PEM cert})."""
    state = CertsServerState(certs=google_keys["certs"])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with state.lock:
                state.hits += 1
            body = json.dumps(state.certs).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/oauth2/v1/certs"
    yield state
    server.shutdown()
    server.server_close()


class GoogleTokens:
    def __init__(self, keys, server):
        self.keys = keys
        self.server = server

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": WEB_CLIENT_ID,
            "azp": WEB_CLIENT_ID,
            "sub": "108000000000000000001",
            "email": "ada.lovelace@example.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {key: value for key, value in claims.items() if value is not None}

    def token(self, *, key: str = "signing", kid: str = GOOGLE_KID, **overrides) -> str:
        return jwt.encode(
            self.claims(**overrides), self.keys[key], algorithm="RS256", headers={"kid": kid}
        )


@pytest.fixture
def google_tokens(settings, monkeypatch, google_keys, google_certs_server):
    """Google sign-in configured against the local certs server; builds signed ID tokens."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    google_certs_server.status = 200
    google_certs_server.hits = 0
    settings.GOOGLE_CERTS_URL = google_certs_server.url
    settings.GOOGLE_CLIENT_IDS = {
        "web": WEB_CLIENT_ID,
        "ios": IOS_CLIENT_ID,
        "android": ANDROID_CLIENT_ID,
    }
    return GoogleTokens(google_keys, google_certs_server)
