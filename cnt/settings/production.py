"""Production: DEBUG off, HTTPS only, and no start without the secrets it needs."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "FINANCE_ENCRYPTION_KEYS")
_missing = [name for name in REQUIRED if not env(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + ". Set them (see .env.example) or use the default settings module for local runs."
    )

from .config import fernet_keys_problem  # noqa: E402

_problem = fernet_keys_problem(env.list("FINANCE_ENCRYPTION_KEYS"))
if _problem:
    raise ImproperlyConfigured(_problem)

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Only the origins named; no localhost default in production.
CORS_ALLOWED_ORIGIN_REGEXES = env.list("CORS_ALLOWED_ORIGIN_REGEXES", default=[])
# /metrics only behind METRICS_TOKEN.
METRICS_REQUIRE_TOKEN = True
