"""The moderators group may view and change every content kind (the registry decides which)
in Django Admin. Kept in step after every migrate, so a new kind is moderated at once."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType as ModelType

from accounts.policies import MODERATORS_GROUP
from catalog import kinds


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
    group.permissions.add(*wanted)
    return group


def on_post_migrate(sender, **kwargs) -> None:
    if kwargs.get("using", "default") == "default":
        moderators_group_sync()
