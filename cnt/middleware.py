"""Request plumbing every view relies on.

ApiJsonErrorsMiddleware keeps every response under /api/ JSON: Django's HTML error pages and
unhandled exceptions (also outside DRF views, and with DEBUG on) become the one error shape,
never a stack trace; Django's refusals of oversized or overfull bodies become 413/400.

RequestBoundsMiddleware refuses, before any view runs, a path or query parameter holding
NUL or another control character (PostgreSQL cannot compare text with NUL: a 500 deep in a
queryset otherwise) and a query string with more than DATA_UPLOAD_MAX_NUMBER_FIELDS
parameters: 400 under /api/; outside it such a path is a plain 404 (no page or file has
one) and such a query a plain 400. JSON bodies are bounded by cnt.api.parsers.BoundedJSONParser.
"""

import logging

from django.core.exceptions import TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseBadRequest, HttpResponseNotFound, JsonResponse

from cnt.api.exceptions import code_for_status, error_body, request_error, status_for_error
from cnt.text import has_control_characters, has_forbidden_characters

logger = logging.getLogger("cnt.api")

JSON_PREFIXES = ("/api/",)


def _is_api(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") or content_type.startswith(
            "application/problem+json"
        ):
            return response
        reason = response.reason_phrase or "Error"
        replacement = JsonResponse(
            error_body(reason, code_for_status(response.status_code)),
            status=response.status_code,
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        refused = request_error(exception)
        if refused is not None:
            return JsonResponse(
                error_body(refused.detail, refused.code), status=status_for_error(refused)
            )
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning("database unavailable on %s: %s", request.path, exception)
            return JsonResponse(
                error_body(
                    "The database is unavailable; try again shortly.", "service_unavailable"
                ),
                status=503,
                headers={"Retry-After": "5"},
            )
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return JsonResponse(error_body("Internal server error.", "server_error"), status=500)


def _refuse(request, detail: str, code: str):
    if _is_api(request):
        return JsonResponse(error_body(detail, code), status=400)
    return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")


class RequestBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._check(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def _check(self, request):
        if has_control_characters(request.path_info):
            if not _is_api(request):
                return HttpResponseNotFound()  # no page or file has such a path
            return _refuse(
                request, "The path may not contain control characters.", "control_characters"
            )
        try:
            parameters = list(request.GET.lists())
        except TooManyFieldsSent:
            return _refuse(request, "The query has too many parameters.", "too_many_fields")
        for name, values in parameters:
            if has_forbidden_characters(name) or any(map(has_forbidden_characters, values)):
                return _refuse(
                    request,
                    f"Query parameter {name!r} may not contain NUL or control characters."
                    if not has_forbidden_characters(name)
                    else "Query parameter names may not contain control characters.",
                    "control_characters",
                )
        return None
