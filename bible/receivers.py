"""Referential clean-up: a deleted item (a story, a podcast) leaves no passages behind.
The only signal receivers of the app, connected in BibleConfig.ready()."""

from django.db.models.signals import post_delete

from bible.models import ScriptureLink
from catalog import kinds


def _content_deleted(sender, instance, **kwargs):
    ScriptureLink.objects.filter(
        content_type=kinds.kind_for(sender).name, object_id=instance.pk
    ).delete()


def connect() -> None:
    for kind in kinds.kinds():
        post_delete.connect(
            _content_deleted, sender=kind.model, dispatch_uid=f"bible-links-{kind.name}"
        )
