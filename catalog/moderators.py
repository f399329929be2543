"""The moderators group: exactly the Django Admin permissions daily moderation needs, and the
services that make a user a staff moderator (`manage.py grant_moderator`).

The permissions come from the content-kind registry (view and change of every kind's model,
view of the audit trail) plus what the apps above the catalogue add for their moderation work
(reports, support tickets) with `moderator_permissions_add` from their AppConfig.ready(). The
group is set to exactly that after every migrate: a new kind is moderated at once, and a
permission added by hand (bank details, gateway keys) does not survive. Nothing here grants
finance, accounts or keys.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from accounts.policies import MODERATORS_GROUP
from catalog import kinds
from cnt import realtime
from cnt.errors import InvalidInput

# The audit trail moderators read (catalog.ModerationDecision, read-only in the admin).
_CATALOG_PERMISSIONS = ("catalog.view_moderationdecision",)
_EXTRA_PERMISSIONS: list[str] = []


def moderator_permissions_add(*permissions: str) -> None:
    """Add "app_label.codename" permissions to what the moderators group holds (called by an
    app above the catalogue for the moderation work it owns, e.g. handling reports)."""
    for permission in permissions:
        if permission not in _EXTRA_PERMISSIONS:
            _EXTRA_PERMISSIONS.append(permission)


def moderator_permission_names() -> list[str]:
    """Every "app_label.codename" the moderators group holds, derived from the kinds."""
    names = []
    for kind in kinds.kinds():
        app_label, _ = kind.model_label.split(".")
        model_name = kind.model._meta.model_name
        names += [f"{app_label}.view_{model_name}", f"{app_label}.change_{model_name}"]
    return [*names, *_CATALOG_PERMISSIONS, *_EXTRA_PERMISSIONS]


def moderators_group_sync() -> Group:
    """Set the moderators group's permissions to exactly `moderator_permission_names()`
    (idempotent; permissions not created yet, during a first migrate, join on a later run)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    match = Q(pk__in=[])
    for name in moderator_permission_names():
        app_label, codename = name.split(".")
        match |= Q(content_type__app_label=app_label, codename=codename)
    wanted = set(Permission.objects.filter(match).values_list("pk", flat=True))
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    return group


def on_post_migrate(sender, **kwargs) -> None:
    """Sync once per migrate (or test flush): post_migrate fires for every app with models,
    in INSTALLED_APPS order, and by the last one every app's permissions exist."""
    if kwargs.get("using", "default") != "default":
        return
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        moderators_group_sync()


# --- staff moderators ----------------------------------------------------------------------


def moderator_user_find(*, identifier: str):
    """The user named `identifier` (username, or email, case-insensitive)."""
    identifier = (identifier or "").strip()
    users = get_user_model().objects.filter(
        Q(username__iexact=identifier) | Q(email__iexact=identifier)
    )
    found = list(users[:2]) if identifier else []
    if len(found) != 1:
        problem = "matches more than one user" if found else "matches no user"
        raise InvalidInput(f"“{identifier}” {problem}; give the exact username.")
    return found[0]


def moderator_grant(*, user) -> bool:
    """Make `user` a staff moderator: staff (Django Admin access) and in the moderators
    group, whose permissions are synced first. Returns whether anything changed."""
    with transaction.atomic():
        group = moderators_group_sync()
        changed = not user.is_staff or not user.groups.filter(pk=group.pk).exists()
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
    return changed


def moderator_revoke(*, user) -> bool:
    """Take moderation away: out of the moderators group, and out of Django Admin unless the
    user is a superuser or keeps another group. Open sockets (live chat, where moderators
    moderate) close after commit, so a reconnect sees the new role. Returns whether anything
    changed."""
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
        changed = user.groups.filter(pk=group.pk).exists()
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser and not user.groups.exists():
            user.is_staff = False
            user.save(update_fields=["is_staff"])
            changed = True
        if changed:
            realtime.sockets_revoke_on_commit(user.pk, reason="Moderator rights removed.")
    return changed
