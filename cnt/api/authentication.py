"""Who an access token names, for transports DRF does not serve (WebSockets)."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken


def user_for_access_token(raw_token: str):
    """The active user an access token names, or None for anything invalid (expired,
    tampered, a refresh token, an inactive or deleted user)."""
    auth = JWTAuthentication()
    try:
        return auth.get_user(auth.get_validated_token(raw_token))
    except (InvalidToken, AuthenticationFailed):
        return None
