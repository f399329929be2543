"""Reads for media assets."""

from django.db.models import QuerySet

from cnt.errors import NotFound
from media.models import MediaAsset
from media.policies import can_view_asset


def asset_list_for_owner(*, user) -> QuerySet[MediaAsset]:
    """The caller's own assets, newest first, with renditions prefetched."""
    return (
        MediaAsset.objects.filter(owner=user).prefetch_related("renditions").order_by("-created_at")
    )


def asset_get_for_user(*, user, asset_id) -> MediaAsset:
    """Fetch and authorize in one call; anything not visible is simply "not found"."""
    asset = MediaAsset.objects.prefetch_related("renditions").filter(id=asset_id).first()
    if asset is None or not can_view_asset(user, asset):
        raise NotFound()
    return asset
