"""Errors of the accounts domain (rendered as {"detail", "code"} by the shared handler)."""

from django.utils.translation import gettext_lazy as _

from cnt.errors import InvalidInput


class OtpError(InvalidInput):
    """A one-time code was wrong, expired or tried too often."""

    default_detail = _("The code is invalid.")
    default_code = "otp_invalid"
