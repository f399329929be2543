"""Reading configuration that can be wrong: each problem is one ImproperlyConfigured whose
message says what to fix (manage.py and the ASGI entry point print it as one line)."""

import warnings

import environ
from django.core.exceptions import ImproperlyConfigured

DATABASE_URL_HELP = (
    "use postgres://USER:PASSWORD@HOST:5432/NAME, or leave DATABASE_URL unset for the "
    "embedded SQLite database"
)


def database_config(url: str) -> dict:
    """Django's DATABASES entry for `url`, or a one-line error naming what is wrong."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # django-environ warns before failing
            config = environ.Env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not valid ({exc}); {DATABASE_URL_HELP}.")
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL (no known scheme); {DATABASE_URL_HELP}."
        )
    return config


def fernet_keys_problem(keys) -> str | None:
    """Why FINANCE_ENCRYPTION_KEYS cannot be used, or None when every key is a Fernet key."""
    from cryptography.fernet import Fernet

    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key.strip().encode())
        except (ValueError, TypeError):
            return (
                f"FINANCE_ENCRYPTION_KEYS key {index} is not a Fernet key (url-safe base64 "
                "of 32 bytes); make one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`."
            )
    return None
