"""Who is who: the one place that decides a user's role (API permissions, admin, consumers)."""

from django.db import models

MODERATORS_GROUP = "moderators"
# Holding the change permission of any moderated content kind makes a moderator. The kinds
# are declared above this layer (catalog/kinds.py), which adds each kind's permission here.
MODERATION_PERMISSIONS: list[str] = []


def moderation_permission_add(permission: str) -> None:
    """Count holders of `permission` ("app_label.change_model") as moderators."""
    if permission not in MODERATION_PERMISSIONS:
        MODERATION_PERMISSIONS.append(permission)


class Role(models.TextChoices):
    USER = "user", "User"
    CREATOR = "creator", "Creator"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"


def _is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    """Superusers administer the platform."""
    return _is_active_user(user) and user.is_superuser


def is_moderator(user) -> bool:
    """Staff, members of the moderators group and holders of a content change permission."""
    if not _is_active_user(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    cached = getattr(user, "_cnt_is_moderator", None)  # one lookup per request's user object
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists() or any(
            user.has_perm(perm) for perm in MODERATION_PERMISSIONS
        )
        user._cnt_is_moderator = cached
    return cached


def is_creator(user) -> bool:
    """A creator is a user with an artist profile."""
    return _is_active_user(user) and hasattr(user, "artist")


def role_of(user) -> str:
    """The highest role a user holds: admin > moderator > creator > user."""
    if is_admin(user):
        return Role.ADMIN.value
    if is_moderator(user):
        return Role.MODERATOR.value
    if is_creator(user):
        return Role.CREATOR.value
    return Role.USER.value
