"""The moderators group may view and change every content kind (the registry decides which)
in Django Admin, and what the moderation queue's other sources need (catalog/moderation/
sources.py). Kept in step after every migrate, so a new kind is moderated at once."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType as ModelType

from accounts.policies import MODERATORS_GROUP
from catalog import kinds
from catalog.moderation.sources import queue_sources


def moderators_group_sync() -> Group:
    """Give the moderators group view and change on every kind's model (idempotent)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = []
    for kind in kinds.kinds():
        model_type = ModelType.objects.get_for_model(kind.model)
        name = kind.model._meta.model_name
        wanted.extend(
            Permission.objects.filter(
                content_type=model_type, codename__in=[f"view_{name}", f"change_{name}"]
            )
        )
    # And what the queue's other sources need (reported posts and comments: the reports).
    for source in queue_sources():
        if source.kind:
            continue
        app_label, codename = source.permission.split(".")
        model_name = codename.removeprefix("change_")
        wanted.extend(
            Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model_name}", codename],
            )
        )
    group.permissions.add(*wanted)
    return group


def on_post_migrate(sender, **kwargs) -> None:
    if kwargs.get("using", "default") == "default":
        moderators_group_sync()
