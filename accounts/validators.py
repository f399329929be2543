"""Input rules shared by registration, profile edits, check-username and Google sign-up."""

import re

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 30
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
# Placeholders of deleted accounts use this prefix; nobody else may take it.
DELETED_USERNAME_PREFIX = "deleted-"
DELETED_EMAIL_DOMAIN = "deleted.invalid"

RESERVED_USERNAMES = frozenset(
    {
        "about",
        "account",
        "accounts",
        "admin",
        "administrator",
        "anonymous",
        "api",
        "app",
        "auth",
        "cnt",
        "cntmedia",
        "cnt-media",
        "cnt_media",
        "contact",
        "deleted",
        "help",
        "login",
        "logout",
        "me",
        "media",
        "mod",
        "moderator",
        "moderators",
        "none",
        "null",
        "official",
        "register",
        "root",
        "settings",
        "signup",
        "staff",
        "static",
        "support",
        "system",
        "undefined",
        "user",
        "users",
        "www",
    }
)

EMAIL_TAKEN_MESSAGE = _("A user with that email already exists.")

USERNAME_MESSAGES = {
    "too_short": format_lazy(
        _("Usernames have at least {count} characters."), count=USERNAME_MIN_LENGTH
    ),
    "too_long": format_lazy(
        _("Usernames have at most {count} characters."), count=USERNAME_MAX_LENGTH
    ),
    "invalid_characters": _("Use only letters, digits, '.', '_' and '-'."),
    "reserved": _("This username is reserved."),
    "taken": _("A user with that username already exists."),
}


def username_problem(value: str) -> str | None:
    """The reason code a username breaks the format rules, or None when it is acceptable."""
    lowered = value.lower()
    if lowered in RESERVED_USERNAMES or lowered.startswith(DELETED_USERNAME_PREFIX):
        return "reserved"
    if len(value) < USERNAME_MIN_LENGTH:
        return "too_short"
    if len(value) > USERNAME_MAX_LENGTH:
        return "too_long"
    if not USERNAME_PATTERN.match(value):
        return "invalid_characters"
    return None


def validate_username_format(value: str) -> None:
    problem = username_problem(value)
    if problem:
        raise ValidationError(USERNAME_MESSAGES[problem], code=problem)


def validate_email_domain(value: str) -> None:
    domain = value.rsplit("@", 1)[-1].lower()
    if domain == "invalid" or domain.endswith(".invalid"):
        raise ValidationError(_("Enter an email address you can receive mail at."), code="invalid")
