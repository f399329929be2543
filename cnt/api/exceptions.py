"""One JSON error shape for every API error: {"detail", "code"} plus field errors.

Field errors appear under "errors" ({field: [messages]}) and, for clients written against
DRF's default shape, also at the top level when the name does not clash with detail/code.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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


def code_for_status(status_code: int) -> str:
    return STATUS_CODES.get(status_code, "error")


def error_body(detail: str, code: str, errors: dict | None = None) -> dict:
    body = {"detail": str(detail), "code": str(code)}
    if errors:
        body["errors"] = errors
        for field, messages in errors.items():
            body.setdefault(field, messages)
    return body


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
    field, messages = next(iter(errors.items()), ("non_field_errors", ["Invalid input."]))
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


def exception_handler(exc, context):
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
