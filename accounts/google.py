"""Google Sign-In: the only module that talks to Google. Verifies ID tokens with google-auth.

Google's signing certificates are fetched from settings.GOOGLE_CERTS_URL and kept in the
shared cache for as long as Google's Cache-Control allows (capped at an hour).
"""

import logging
import re
from dataclasses import dataclass

import google.auth.exceptions
import google.auth.transport.requests
import jwt
from django.conf import settings
from django.core.cache import cache
from google.oauth2 import id_token as google_id_token

from cnt.errors import NotAuthenticated, NotConfigured, ServiceUnavailable

logger = logging.getLogger(__name__)

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
CERTS_TIMEOUT_SECONDS = 5
CERTS_MAX_CACHE_SECONDS = 3600
CLOCK_SKEW_SECONDS = 10


@dataclass(frozen=True)
class GoogleIdentity:
    subject: str
    email: str
    email_verified: bool
    name: str


def client_ids() -> dict[str, str]:
    """The configured OAuth client IDs (web, ios, android); blank ones left out."""
    configured = getattr(settings, "GOOGLE_CLIENT_IDS", {}) or {}
    return {platform: value for platform, value in configured.items() if value}


class _CachedResponse:
    def __init__(self, status: int, headers: dict, data: bytes):
        self.status = status
        self.headers = headers
        self.data = data


class _CertsRequest(google.auth.transport.requests.Request):
    """A google-auth transport with a short timeout that caches successful GETs."""

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        cache_key = f"google:certs:{url}"
        if method == "GET":
            cached = cache.get(cache_key)
            if cached is not None:
                return _CachedResponse(200, {}, cached)
        response = super().__call__(
            url, method=method, body=body, headers=headers, timeout=CERTS_TIMEOUT_SECONDS, **kwargs
        )
        if method == "GET" and response.status == 200:
            max_age = _max_age(response.headers.get("Cache-Control", ""))
            if max_age:
                cache.set(cache_key, response.data, timeout=min(max_age, CERTS_MAX_CACHE_SECONDS))
        return response


def _max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control)
    return int(match.group(1)) if match else 0


def _check_shape(token: str) -> None:
    """Refuse what cannot be a Google ID token before fetching any certificate."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        header = {}
    if header.get("alg") != "RS256" or not header.get("kid"):
        raise NotAuthenticated("The Google token is invalid.", code="google_token_invalid")


def verify_id_token(token: str) -> GoogleIdentity:
    """Check an ID token's signature, expiry, audience (our client IDs) and issuer."""
    audiences = list(client_ids().values())
    if not audiences:
        raise NotConfigured("Google sign-in is not configured on this server.")
    _check_shape(token)
    try:
        claims = google_id_token.verify_token(
            token,
            _CertsRequest(),
            audience=audiences,
            certs_url=settings.GOOGLE_CERTS_URL,
            clock_skew_in_seconds=CLOCK_SKEW_SECONDS,
        )
    except google.auth.exceptions.TransportError as exc:
        logger.warning("Google certificates unavailable: %s", exc)
        raise ServiceUnavailable("Google sign-in is unavailable; try again shortly.")
    except (ValueError, google.auth.exceptions.GoogleAuthError, jwt.PyJWTError) as exc:
        logger.info("Google ID token refused: %s", exc)
        raise NotAuthenticated("The Google token is invalid.", code="google_token_invalid")
    if claims.get("iss") not in GOOGLE_ISSUERS:
        raise NotAuthenticated("The Google token is invalid.", code="google_token_invalid")
    email = claims.get("email")
    if not claims.get("sub") or not isinstance(email, str) or "@" not in email:
        raise NotAuthenticated(
            "The Google token carries no email address.", code="google_token_invalid"
        )
    return GoogleIdentity(
        subject=str(claims["sub"]),
        email=email,
        email_verified=claims.get("email_verified") in (True, "true", "True"),
        name=str(claims.get("name") or "")[:100],
    )
