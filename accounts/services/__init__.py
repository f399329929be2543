"""Writes of the accounts app: sign-up, sign-in, tokens, one-time codes, profile, deletion.

Split by sub-domain (tokens, otp, users); import from here: `services.user_register(...)`.
"""

from accounts.services.otp import (
    otp_email_send,
    otp_send,
    otp_verify,
    user_password_reset,
)
from accounts.services.tokens import (
    token_pair_issue,
    token_refresh,
    token_revoke,
    user_tokens_revoke_all,
)
from accounts.services.users import (
    user_delete,
    user_google_login,
    user_login,
    user_password_change,
    user_register,
    user_update,
)

__all__ = [
    "otp_email_send",
    "otp_send",
    "otp_verify",
    "token_pair_issue",
    "token_refresh",
    "token_revoke",
    "user_delete",
    "user_google_login",
    "user_login",
    "user_password_change",
    "user_password_reset",
    "user_register",
    "user_tokens_revoke_all",
    "user_update",
]
