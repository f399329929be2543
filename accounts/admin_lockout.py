"""Who django-axes counts Django Admin login failures against: the account and the client
address (settings AXES_USERNAME_CALLABLE and AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings


def lockout_username(request, credentials: dict | None = None) -> str:
    """The submitted username, trimmed and lower-cased, since logins ignore case: otherwise
    "Admin", "ADMIN" and "admin" would each get their own allowance of guesses."""
    data = credentials if credentials else getattr(request, "POST", None) or {}
    username = str(data.get("username") or "")
    return username.strip().lower()[:255]  # AccessAttempt.username


def lockout_ip(request) -> str:
    """The client address as the API's throttles see it: X-Forwarded-For counts only with
    NUM_PROXIES set (otherwise anyone could send a new one with every guess), and then the
    address the outermost trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not num_proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",")]
    return addresses[-min(num_proxies, len(addresses))] or remote
