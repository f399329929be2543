"""Push to phones and browsers through Firebase Cloud Messaging, with the official Admin SDK.

The only module that imports firebase_admin. Push is off (`is_enabled()` is False) without
FCM_CREDENTIALS_FILE, a service-account JSON; FCM_API_URL points the SDK at another FCM HTTP v1
endpoint (Google's by default; the tests' fake server). The OAuth token endpoint is the
`token_uri` of the credentials file, as the SDK reads it.

`send_each` sends up to 500 messages (the SDK's limit per call) and sorts the outcome per
token: sent, unregistered (the caller forgets the token), transient (the caller retries later,
after `retry_after` seconds when FCM said so) or failed (a permanent refusal, logged).
"""

import logging
import threading
import warnings
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import firebase_admin
import google.auth.exceptions
import google.auth.transport.requests
import requests.adapters
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from firebase_admin import credentials, exceptions, messaging
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

APP_NAME = "cnt-push"
MAX_BATCH = 500  # messaging.send_each refuses more
GOOGLE_FCM_URL = "https://fcm.googleapis.com"
# Web Push `Topic` headers allow 32 URL-safe characters; apns-collapse-id 64 bytes.
COLLAPSE_KEY_MAX = 32


class PushUnavailable(Exception):
    """FCM (or its OAuth endpoint) could not be reached or refused for now: retry later."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Push:
    """One message to one registration token. `data` values are strings (FCM requires it);
    pushes sharing a `collapse_key` replace each other on the device."""

    token: str
    title: str
    body: str = ""
    data: dict[str, str] = field(default_factory=dict)
    collapse_key: str = ""


@dataclass
class BatchOutcome:
    sent: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    transient: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry_after: float | None = None


def is_enabled() -> bool:
    return bool(settings.FCM_CREDENTIALS_FILE)


_lock = threading.Lock()
_current: tuple[tuple, firebase_admin.App] | None = None


def _app() -> firebase_admin.App:
    """The SDK app for the current settings (a settings change gives a fresh one)."""
    global _current
    base_url = settings.FCM_API_URL.rstrip("/")
    key = (settings.FCM_CREDENTIALS_FILE, base_url, settings.FCM_TIMEOUT_SECONDS)
    with _lock:
        if _current is not None and _current[0] == key:
            return _current[1]
        if _current is not None:
            firebase_admin.delete_app(_current[1])
            _current = None
        try:
            credential = credentials.Certificate(settings.FCM_CREDENTIALS_FILE)
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"FCM_CREDENTIALS_FILE is not a readable service-account JSON ({exc}); download "
                "one from the Firebase console (Project settings > Service accounts), or leave "
                "it empty to turn push off."
            ) from exc
        app = firebase_admin.initialize_app(
            credential, {"httpTimeout": settings.FCM_TIMEOUT_SECONDS}, name=APP_NAME
        )
        _point_at(app, base_url)
        _current = (key, app)
        return app


def _point_at(app: firebase_admin.App, base_url: str) -> None:
    """Aim the SDK's messaging service at `base_url` and leave retries to the caller.

    The SDK has no option for the FCM endpoint (it has one for its emulators only), so the one
    override lives here: the send URL the service built from Google's host. Its own quick
    retries of 500/503 (up to four, sleeping in the worker) give way to the Celery task's,
    which back off without holding a worker and honour Retry-After on 429 too; connection
    and read errors still get the SDK's single immediate retry."""
    service = messaging._get_messaging_service(app)
    if not hasattr(service, "_fcm_url"):
        raise ImproperlyConfigured(
            f"firebase-admin {firebase_admin.__version__} no longer exposes the FCM send URL "
            "that cnt/push.py points at FCM_API_URL; pin the version in requirements.txt."
        )
    service._fcm_url = f"{base_url}/v1/projects/{app.project_id}/messages:send"
    retries = Retry(
        total=1,
        connect=1,
        read=1,
        status=0,
        redirect=0,
        allowed_methods=None,
        respect_retry_after_header=False,  # the task waits, with the response in hand
        raise_on_status=False,
    )
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=10, pool_maxsize=100, max_retries=retries
    )
    service._client.session.mount(base_url + "/", adapter)
    if base_url != GOOGLE_FCM_URL:
        # google-auth looks up the account's regional access boundary at Google's IAM API after
        # each token; it only matters to Google's endpoints, and another FCM endpoint (the
        # tests' fake) must not make the worker call out to Google.
        credential = app.credential.get_credential()
        if hasattr(credential, "_is_regional_access_boundary_lookup_required"):
            credential._is_regional_access_boundary_lookup_required = lambda: False


def reset() -> None:
    """Forget the SDK app (tests switch fake servers; a worker never needs this)."""
    global _current
    with _lock:
        if _current is not None:
            firebase_admin.delete_app(_current[1])
            _current = None


def send_url() -> str:
    """Where messages go, as the SDK will send them."""
    return messaging._get_messaging_service(_app())._fcm_url


def _message(push: Push) -> messaging.Message:
    key = push.collapse_key[:COLLAPSE_KEY_MAX]
    with warnings.catch_warnings():
        # The SDK now prefers installation ids (`fid`); devices register FCM registration
        # tokens, which the HTTP v1 API takes as `token`.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _build(push, key)


def _build(push: Push, key: str) -> messaging.Message:
    return messaging.Message(
        token=push.token,
        notification=messaging.Notification(title=push.title, body=push.body or None),
        data=push.data or None,
        android=messaging.AndroidConfig(
            collapse_key=key, notification=messaging.AndroidNotification(tag=key)
        )
        if key
        else None,
        apns=messaging.APNSConfig(headers={"apns-collapse-id": key}) if key else None,
        webpush=messaging.WebpushConfig(
            headers={"Topic": key}, notification=messaging.WebpushNotification(tag=key)
        )
        if key
        else None,
    )


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    response = error.http_response
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def _names_the_token(error: exceptions.FirebaseError) -> bool:
    """An INVALID_ARGUMENT about the registration token (not about the message)."""
    if "registration token" in str(error).lower():
        return True
    response = error.http_response
    try:
        details = response.json()["error"].get("details", []) if response is not None else []
    except (ValueError, KeyError, AttributeError):
        return False
    return any(
        violation.get("field") == "message.token"
        for detail in details
        for violation in detail.get("fieldViolations", [])
    )


TRANSIENT = (
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.ResourceExhaustedError,  # 429, QuotaExceededError among them
    exceptions.UnknownError,
)


def classify(error: exceptions.FirebaseError) -> str:
    """'unregistered', 'transient' or 'failed' for one message's error."""
    if isinstance(error, exceptions.NotFoundError):  # UNREGISTERED, NOT_FOUND
        return "unregistered"
    if isinstance(error, exceptions.InvalidArgumentError) and _names_the_token(error):
        return "unregistered"
    if isinstance(error, TRANSIENT):
        return "transient"
    response = error.http_response
    if response is not None and response.status_code >= 500:
        return "transient"
    return "failed"


def _authorize(app: firebase_admin.App) -> None:
    """Fetch the OAuth token once before a batch, so a token endpoint that is down fails the
    batch cleanly (nothing sent) rather than inside the SDK's threads."""
    credential = app.credential.get_credential()
    if credential.valid:
        return
    try:
        credential.refresh(google.auth.transport.requests.Request())
    except google.auth.exceptions.TransportError as exc:
        raise PushUnavailable(f"FCM OAuth endpoint unreachable: {exc}") from exc
    except google.auth.exceptions.RefreshError as exc:
        if getattr(exc, "retryable", False):
            raise PushUnavailable(f"FCM OAuth endpoint refused for now: {exc}") from exc
        raise ImproperlyConfigured(
            f"FCM refused the service account of FCM_CREDENTIALS_FILE ({exc}); check that the "
            "key is current and belongs to the Firebase project."
        ) from exc


def send_each(pushes: list[Push]) -> BatchOutcome:
    """Send up to MAX_BATCH pushes in one SDK call; see the module docstring for the outcome.
    Raises PushUnavailable when nothing could be sent."""
    if len(pushes) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} pushes per call, got {len(pushes)}")
    outcome = BatchOutcome()
    if not pushes:
        return outcome
    app = _app()
    _authorize(app)
    try:
        batch = messaging.send_each([_message(push) for push in pushes], app=app)
    except exceptions.FirebaseError as exc:
        raise PushUnavailable(f"FCM batch failed: {exc}") from exc
    for push, response in zip(pushes, batch.responses, strict=True):
        if response.success:
            outcome.sent.append(push.token)
            continue
        error = response.exception
        kind = classify(error)
        getattr(outcome, kind).append(push.token)
        if kind == "transient":
            wait = _retry_after(error)
            if wait is not None:
                outcome.retry_after = max(outcome.retry_after or 0.0, wait)
        elif kind == "failed":
            logger.warning("FCM refused a push: %s (%s)", error, getattr(error, "code", ""))
    return outcome
