"""API exceptions shared by every app, rendered in the one error shape by exceptions.py."""

from rest_framework import status
from rest_framework.exceptions import APIException


class NotConfigured(APIException):
    """An external service (LiveKit, OpenAI, Google, the payment gateway) has no credentials."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "This service is not configured on this server."
    default_code = "not_configured"


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A dependency is unavailable; try again shortly."
    default_code = "service_unavailable"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"
