"""Rate limits of the auth endpoints (rates: DEFAULT_THROTTLE_RATES, by scope)."""

from cnt.api.throttles import ScopedCacheThrottle


class LoginThrottle(ScopedCacheThrottle):
    scope = "login"


class LoginIdentifierThrottle(ScopedCacheThrottle):
    """Caps attempts against one account from any number of addresses."""

    scope = "login"

    def get_identity(self, request, view) -> str | None:
        data = request.data if hasattr(request.data, "get") else {}
        identifier = data.get("email") or data.get("username")
        if not isinstance(identifier, str) or not identifier.strip():
            return None
        return f"identifier:{identifier.strip().lower()}"


class RegisterThrottle(ScopedCacheThrottle):
    scope = "register"


class SendOtpThrottle(ScopedCacheThrottle):
    scope = "send_otp"


class VerifyOtpThrottle(ScopedCacheThrottle):
    scope = "verify_otp"


class CheckUsernameThrottle(ScopedCacheThrottle):
    scope = "check_username"


class PasswordResetThrottle(ScopedCacheThrottle):
    scope = "password_reset"


class GoogleLoginThrottle(ScopedCacheThrottle):
    scope = "google_login"
