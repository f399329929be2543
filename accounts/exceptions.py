"""Errors of the accounts domain (rendered as {"detail", "code"} by the shared handler)."""

from cnt.errors import InvalidInput


class OtpError(InvalidInput):
    """A one-time code was wrong, expired or tried too often."""

    default_detail = "The code is invalid."
    default_code = "otp_invalid"
