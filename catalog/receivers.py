"""Signal receivers of the catalog: cache busting for catalog/read_cache.py, and the
referential clean-up of a deleted item of any kind (its playlist entries and playback
positions, which name it by (content_type, object_id) rather than by a foreign key)."""

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from catalog import kinds, read_cache
from catalog.models import Category
from media.models import MediaAsset, Transcript


def _cached_models():
    """The kinds whose details and list totals are cached: the playable ones."""
    return [kind.model for kind in kinds.playable_kinds()]


def _content_changed(sender, instance, **kwargs):
    read_cache.detail_forget(model=sender, pk=instance.pk)
    read_cache.count_version_bump(model=sender)
    # Again after commit: a count computed between the write and its commit is dropped.
    transaction.on_commit(lambda: read_cache.count_version_bump(model=sender))


def _content_deleted(sender, instance, **kwargs):
    from catalog.services import content_references_forget

    content_references_forget(content_type=kinds.kind_for(sender).name, object_id=instance.pk)


def _category_deleted(sender, instance, **kwargs):
    """Its items lose their category without being saved one by one."""
    for model in _cached_models():
        read_cache.count_version_bump(model=model)


def _asset_changed(sender, instance, update_fields=None, **kwargs):
    """An asset's state shows in its items (media status, HLS and image URLs)."""
    if update_fields is not None and not {"status", "output_prefix"} & set(update_fields):
        return  # heartbeats and progress
    for kind in kinds.playable_kinds():
        using = Q()
        for field in kind.asset_fields:
            using |= Q(**{f"{field}_id": instance.pk})
        for pk in kind.model.objects.filter(using).values_list("pk", flat=True):
            read_cache.detail_forget(model=kind.model, pk=pk)


def _transcript_changed(sender, instance, **kwargs):
    """Captions status and languages show in the items streaming the asset."""
    _asset_changed(sender, MediaAsset(pk=instance.asset_id), update_fields=None)


def connect() -> None:
    for kind in kinds.kinds():
        model = kind.model
        if kind.is_playable:
            uid = f"detail-{kind.name}"
            post_save.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-del")
        if kind.is_playable or kind.in_playlists:
            post_delete.connect(
                _content_deleted, sender=model, dispatch_uid=f"references-{kind.name}"
            )
    post_save.connect(_asset_changed, sender=MediaAsset, dispatch_uid="detail-asset")
    post_save.connect(_transcript_changed, sender=Transcript, dispatch_uid="detail-transcript")
    post_delete.connect(_category_deleted, sender=Category, dispatch_uid="count-category")
