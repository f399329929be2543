"""Reads of the accounts app."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User


def _users_with_profile() -> QuerySet[User]:
    return User.objects.select_related("avatar", "artist")


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def username_taken(*, username: str, exclude_user_id: int | None = None) -> bool:
    queryset = User.objects.filter(username__iexact=username)
    if exclude_user_id is not None:
        queryset = queryset.exclude(pk=exclude_user_id)
    return queryset.exists()


def is_email_shaped(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def user_get_by_identifier(*, identifier: str) -> User | None:
    """The user an email (if email-shaped) or a username names, ignoring case."""
    identifier = identifier.strip()
    if is_email_shaped(identifier):
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(username__iexact=identifier).first()


def user_get_active_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def user_get_profile(*, user_id: int) -> User:
    """The user with avatar and artist profile loaded (for the private `me` view)."""
    return _users_with_profile().get(pk=user_id)


def user_get_public(*, username: str) -> User:
    """An active user's public profile, or 404 for unknown and deactivated accounts."""
    user = _users_with_profile().filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise Http404("No such user.")
    return user
