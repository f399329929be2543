"""Cache busting for catalog/read_cache.py (the only signal receivers of the app)."""

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from catalog import read_cache, selectors
from catalog.models import Category, Movie, MusicTrack, Podcast
from media.models import MediaAsset

CONTENT_MODELS = (Podcast, Movie, MusicTrack)


def _content_changed(sender, instance, **kwargs):
    read_cache.detail_forget(model=sender, pk=instance.pk)
    read_cache.count_version_bump(model=sender)
    # Again after commit: a count computed between the write and its commit is dropped.
    transaction.on_commit(lambda: read_cache.count_version_bump(model=sender))


def _category_deleted(sender, instance, **kwargs):
    """Its items lose their category without being saved one by one."""
    for model in CONTENT_MODELS:
        read_cache.count_version_bump(model=model)


def _asset_changed(sender, instance, update_fields=None, **kwargs):
    """An asset's state shows in its items (media status, HLS and image URLs)."""
    if update_fields is not None and not {"status", "output_prefix"} & set(update_fields):
        return  # heartbeats and progress
    for model in CONTENT_MODELS:
        fields = [*selectors.MEDIA_FIELDS[model], *selectors.IMAGE_FIELDS[model]]
        using = Q()
        for field in fields:
            using |= Q(**{f"{field}_id": instance.pk})
        for pk in model.objects.filter(using).values_list("pk", flat=True):
            read_cache.detail_forget(model=model, pk=pk)


def connect() -> None:
    for model in CONTENT_MODELS:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"detail-save-{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"detail-del-{model}")
    post_save.connect(_asset_changed, sender=MediaAsset, dispatch_uid="detail-asset")
    post_delete.connect(_category_deleted, sender=Category, dispatch_uid="count-category")
