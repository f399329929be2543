"""One JSON error shape for every API error: {"detail", "code"} plus field errors.

Field errors appear under "errors" ({field: [messages]}) and nowhere else.

This is the only module that knows which HTTP status an application error (cnt.errors)
stands for. Django's own ValidationError, PermissionDenied and ProtectedError, raised by
services and model validation, are rendered here too, so views never translate by hand.
"""

import math

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cnt import errors
from cnt.api.shape import error_body

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


# Looked up along the error's MRO, so a domain error takes the status of its semantic class.
STATUS_OF_ERROR: dict[type[errors.ApplicationError], int] = {
    errors.ApplicationError: status.HTTP_400_BAD_REQUEST,
    errors.InvalidInput: status.HTTP_400_BAD_REQUEST,
    errors.NotAuthenticated: status.HTTP_401_UNAUTHORIZED,
    errors.SignatureInvalid: status.HTTP_401_UNAUTHORIZED,
    errors.Forbidden: status.HTTP_403_FORBIDDEN,
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.Gone: status.HTTP_410_GONE,
    errors.PreconditionFailed: status.HTTP_412_PRECONDITION_FAILED,
    errors.PayloadTooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    errors.UnsupportedMediaType: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    errors.Unprocessable: status.HTTP_422_UNPROCESSABLE_ENTITY,
    errors.RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
    errors.ChecksumMismatch: 460,  # tus: "Checksum Mismatch"
    errors.UpstreamRejected: status.HTTP_502_BAD_GATEWAY,
    errors.ServiceUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
    errors.NotConfigured: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def status_for_error(exc: errors.ApplicationError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[cls]
    return status.HTTP_400_BAD_REQUEST


def code_for_status(status_code: int) -> str:
    return STATUS_CODES.get(status_code, "error")


def _flatten(detail, prefix=""):
    """Turn nested DRF error details into {"field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _validation_body(exc: exceptions.ValidationError) -> dict:
    errors = _flatten(exc.detail)
    field, messages = next(iter(errors.items()), ("non_field_errors", [_("Invalid input.")]))
    detail = messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
    return error_body(detail, "invalid", errors)


def _code_of(exc: exceptions.APIException, status_code: int) -> str:
    if isinstance(exc.detail, dict) and isinstance(exc.detail.get("code"), str):
        return str(exc.detail["code"])  # simplejwt puts its real code inside the detail
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict) and isinstance(codes.get("code"), str):
        return codes["code"]
    return code_for_status(status_code)


def _detail_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", next(iter(detail.values()), ""))
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    return str(detail)


def _django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


IN_USE_NAMED = 3


def _in_use_detail(exc: ProtectedError | RestrictedError) -> str:
    """'... Still used by: Document asset 'John', ...': what blocks the delete, by name."""
    found = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None)
    names = sorted(
        f"{capfirst(obj._meta.verbose_name)} '{obj}'"
        for obj in (found or ())
        if hasattr(obj, "_meta")
    )
    detail = _("This item is still in use and cannot be deleted.")
    if not names:
        return detail
    listed = ", ".join(names[:IN_USE_NAMED])
    if len(names) > IN_USE_NAMED:
        listed += _(" and %(count)d more") % {"count": len(names) - IN_USE_NAMED}
    return _("%(detail)s Still used by: %(listed)s.") % {"detail": detail, "listed": listed}


def request_error(exc: Exception) -> errors.ApplicationError | None:
    """What Django's refusals of a request body stand for (it raises them while parsing a
    form or reading a body past DATA_UPLOAD_MAX_MEMORY_SIZE / _NUMBER_FIELDS / _NUMBER_FILES,
    and they would otherwise surface as a 500 from inside a view); None for anything else."""
    if isinstance(exc, RequestDataTooBig):
        return errors.PayloadTooLarge(
            _("The request body is larger than this API accepts."), "payload_too_large"
        )
    if isinstance(exc, TooManyFieldsSent):
        return errors.InvalidInput(_("The request has too many fields."), "too_many_fields")
    if isinstance(exc, TooManyFilesSent):
        return errors.InvalidInput(_("The request has too many files."), "too_many_files")
    if isinstance(exc, SuspiciousOperation):
        return errors.InvalidInput(_("The request was refused as malformed."), "bad_request")
    return None


def render_error(exc: Exception, context: dict | None = None) -> Response | None:
    """The one-shape response for an application error or one of Django's domain errors;
    None for anything else."""
    exc = request_error(exc) or exc
    if isinstance(exc, DjangoValidationError):
        exc = errors.InvalidInput(errors=_django_validation_errors(exc))
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = errors.Conflict(_in_use_detail(exc))
    if not isinstance(exc, errors.ApplicationError):
        return None
    status_code = status_for_error(exc)
    detail, headers = exc.detail, {}
    if isinstance(exc, errors.RateLimited) and exc.retry_after is not None:
        wait = math.ceil(exc.retry_after)
        headers["Retry-After"] = str(wait)
        detail = f"{detail} Expected available in {wait} second{'' if wait == 1 else 's'}."
    if isinstance(exc, errors.NotAuthenticated):
        # As DRF does for its own 401s: name the scheme, or answer 403 when there is none.
        view, request = (context or {}).get("view"), (context or {}).get("request")
        header = view.get_authenticate_header(request) if view and request else None
        if header:
            headers["WWW-Authenticate"] = header
        else:
            status_code = status.HTTP_403_FORBIDDEN
    return Response(error_body(detail, exc.code, exc.errors), status=status_code, headers=headers)


def exception_handler(exc, context):
    rendered = render_error(exc, context)
    if rendered is not None:
        return rendered
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unhandled: ApiJsonErrorsMiddleware logs it and answers a JSON 500
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, exceptions.APIException):
        response.data = error_body(_detail_of(exc), _code_of(exc, response.status_code))
    return response


def error_response(detail: str, code: str, status_code: int = status.HTTP_400_BAD_REQUEST):
    return Response(error_body(detail, code), status=status_code)
