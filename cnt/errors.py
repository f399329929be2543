"""The project's application errors: what went wrong, in words the domain uses.

Services, selectors, policies and tasks raise these; they know nothing of HTTP. Only
cnt/api/exceptions.py maps them to status codes and the one JSON error shape
({"detail", "code"}, plus "errors" for field errors). Domain errors subclass the semantic
class that fits (OtpInvalid is an InvalidInput) and set their own `default_code`, which is
what clients match on.
"""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base of every error a client is meant to see: a human `detail` and a stable `code`.

    `errors` maps field names (dotted for nested input: "operations.0.end") to messages.
    """

    default_detail = _("The request could not be completed.")
    default_code = "error"

    def __init__(self, detail=None, code=None, *, errors=None):
        self.detail = str(self.default_detail if detail is None else detail)
        self.code = str(code or self.default_code)
        self.errors = _normalise(errors) if errors else None
        super().__init__(self.detail)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(detail={self.detail!r}, code={self.code!r})"


def _normalise(errors: dict) -> dict[str, list[str]]:
    """{field: message | [messages] | {sub: ...}} -> {"field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            for sub, messages in _normalise(value).items():
                out[f"{key}.{sub}"] = messages
        elif isinstance(value, (list, tuple)):
            out[str(key)] = [str(item) for item in value]
        else:
            out[str(key)] = [str(value)]
    return out


class InvalidInput(ApplicationError):
    """The input is wrong. With `errors`, the detail names the first field and message."""

    default_detail = _("Invalid input.")
    default_code = "invalid"

    def __init__(self, detail=None, code=None, *, errors=None):
        if detail is None and errors:
            field, messages = next(iter(_normalise(errors).items()))
            detail = messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
        super().__init__(detail, code, errors=errors)


class NotAuthenticated(ApplicationError):
    """Credentials are missing, wrong, expired or belong to an inactive account."""

    default_detail = _("Incorrect authentication credentials.")
    default_code = "authentication_failed"


class SignatureInvalid(ApplicationError):
    """A signed request from a service (a webhook) does not verify; there is no user here."""

    default_detail = _("The signature is invalid.")
    default_code = "invalid_signature"


class Forbidden(ApplicationError):
    default_detail = _("You do not have permission to perform this action.")
    default_code = "permission_denied"


class NotFound(ApplicationError):
    """Missing, or not visible to the caller: the two are one answer (no existence leak)."""

    default_detail = _("Not found.")
    default_code = "not_found"


class Conflict(ApplicationError):
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


class Gone(ApplicationError):
    """The thing existed but is gone for good (an expired upload)."""

    default_detail = _("This resource is gone.")
    default_code = "gone"


class PreconditionFailed(ApplicationError):
    """A protocol precondition the client sent (a version, a header) does not hold."""

    default_detail = _("A precondition of the request does not hold.")
    default_code = "precondition_failed"


class PayloadTooLarge(ApplicationError):
    default_detail = _("The upload is too large.")
    default_code = "payload_too_large"


class UnsupportedMediaType(ApplicationError):
    default_detail = _("This type of file is not supported.")
    default_code = "unsupported_media_type"


class Unprocessable(ApplicationError):
    """Well-formed, but it cannot be processed as sent (a reused idempotency key)."""

    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


class ChecksumMismatch(ApplicationError):
    """Received data does not match the checksum sent with it; it was discarded."""

    default_detail = _("The data does not match its checksum; it was discarded.")
    default_code = "checksum_mismatch"


class RateLimited(ApplicationError):
    """Too many attempts; `retry_after` (seconds) says when trying again makes sense."""

    default_detail = _("Request was throttled.")
    default_code = "throttled"

    def __init__(self, detail=None, code=None, *, retry_after: float | None = None):
        super().__init__(detail, code)
        self.retry_after = retry_after


class UpstreamRejected(ApplicationError):
    """A service we depend on (LiveKit, the payment gateway) refused the request."""

    default_detail = _("An upstream service refused the request.")
    default_code = "bad_gateway"


class ServiceUnavailable(ApplicationError):
    default_detail = _("A dependency is unavailable; try again shortly.")
    default_code = "service_unavailable"


class NotConfigured(ApplicationError):
    """An external service (LiveKit, OpenAI, Google, the payment gateway) has no credentials."""

    default_detail = _("This service is not configured on this server.")
    default_code = "not_configured"
