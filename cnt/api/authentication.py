"""Who an access token names: the API's authentication (which also picks the caller's
language), and the same check for transports DRF does not serve (WebSockets)."""

from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from cnt.i18n import activate_for_user


class JWTAuthentication(simplejwt.JWTAuthentication):
    """simplejwt's Bearer token check; a signed-in user's saved `language` then wins over
    the Accept-Language that LocaleMiddleware chose, for the messages of this request."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_for_user(result[0], request)
        return result


def user_for_access_token(raw_token: str):
    """The active user an access token names, or None for anything invalid (expired,
    tampered, a refresh token, an inactive or deleted user)."""
    auth = simplejwt.JWTAuthentication()
    try:
        return auth.get_user(auth.get_validated_token(raw_token))
    except (InvalidToken, AuthenticationFailed):
        return None
