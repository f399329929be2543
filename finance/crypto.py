"""Encryption at rest for finance data: Fernet tokens under a MultiFernet.

Keys come from FINANCE_ENCRYPTION_KEYS (a list of Fernet keys, comma-separated in the
environment): the first encrypts, every one decrypts. To rotate, put a new key first, run
`manage.py rotate_finance_keys`, then drop the old key.

Without FINANCE_ENCRYPTION_KEYS (the embedded default only: production refuses to start
without it) one key is derived from SECRET_KEY with HKDF-SHA256, so `make run` works. Data
written under that derived key is moved to configured keys with
`manage.py rotate_finance_keys --include-derived-key`.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

DERIVATION_INFO = b"cnt.finance.encryption.v1"


class UndecryptableValue(Exception):
    """A stored token that none of the configured keys opens (a key was dropped too early)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from SECRET_KEY (used only when no keys are configured)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "FINANCE_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(key.strip() for key in keys if key and key.strip())


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...], secret_key: str) -> tuple[Fernet, ...]:
    if not keys:
        keys = (derived_key(secret_key).decode(),)
    try:
        return tuple(Fernet(key.encode()) for key in keys)
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "FINANCE_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys of 32 bytes "
            "(make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        )


def _keyring() -> tuple[Fernet, ...]:
    return _fernets(configured_keys(), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    """A token of `plaintext` under the current (first) key."""
    return _keyring()[0].encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return MultiFernet(_keyring()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A stored finance value cannot be decrypted with FINANCE_ENCRYPTION_KEYS; "
            "was a key removed before `rotate_finance_keys` ran?"
        )


def is_current(token: str) -> bool:
    """Whether `token` is already under the current key (rotation skips it)."""
    try:
        _keyring()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str, *, include_derived: bool = False) -> str:
    """Re-encrypt `token` under the current key. It may be under any configured key, or with
    `include_derived` under the key derived from SECRET_KEY (the embedded default's)."""
    keyring = list(_keyring())
    if include_derived:
        keyring.append(Fernet(derived_key(settings.SECRET_KEY)))
    try:
        return MultiFernet(keyring).rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue("A stored token cannot be decrypted with any configured key.")


def mask(value: str, visible: int = 4) -> str:
    """`****1234`: the last `visible` characters of a secret, never its length."""
    value = value or ""
    if not value:
        return ""
    return "****" + value[-visible:]


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; read back as plain text. Empty stays empty.

    Tokens differ on every write, so the column cannot be filtered on (only `isnull`).
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(f"Encrypted field {self.name!r} supports no `{lookup_name}` lookup.")
        return super().get_lookup(lookup_name)


def encrypted_fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
