"""Keeps every response under /api/ JSON: Django's HTML error pages and unhandled exceptions
(also outside DRF views, and with DEBUG on) become the one error shape, never a stack trace."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from cnt.api.exceptions import code_for_status, error_body

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
