"""Errors of the accounts API (rendered as {"detail", "code"} by the shared handler)."""

from rest_framework import status
from rest_framework.exceptions import APIException


class OtpError(APIException):
    """A one-time code was wrong, expired or tried too often."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The code is invalid."
    default_code = "otp_invalid"
