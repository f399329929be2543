"""Profile pictures: an image asset becomes a user's avatar, the previous one is deleted.

One swap for both endpoints (auth/me/avatar re-encodes the upload to at most 1024 px;
upload/profile-image stores it through the upload pipeline): under the user's row lock, the
replaced picture (row, original and anything derived) deleted once the change is committed.
Media owns this rather than accounts: users sit below media and know nothing of assets.
"""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from accounts import selectors as account_selectors
from accounts.images import avatar_prepare
from cnt.errors import ServiceUnavailable
from media.image_assets import image_schedule_renditions
from media.layout import ORIGINAL_PREFIX, original_key
from media.models import AssetKind, AssetPurpose, AssetStatus, MediaAsset
from media.services import asset_delete

logger = logging.getLogger("cnt.media")

PROFILE_IMAGE_PREFIX = f"{ORIGINAL_PREFIX[AssetPurpose.PROFILE]}/"


def avatar_release(asset_id) -> None:
    """Delete a profile picture nobody uses any more (row, original and derived files).
    Only pictures stored as profile images go; one set again meanwhile stays."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or not asset.storage_key.startswith(PROFILE_IMAGE_PREFIX):
        return
    if get_user_model().objects.filter(avatar_id=asset_id).exists():
        return
    with transaction.atomic():
        asset_delete(asset=asset)


def _swap(locked, asset: MediaAsset) -> None:
    previous_id = locked.avatar_id
    locked.avatar = asset
    locked.save(update_fields=["avatar", "updated_at"])
    if previous_id and previous_id != asset.pk:
        transaction.on_commit(partial(avatar_release, previous_id), robust=True)


def avatar_use(*, user, asset: MediaAsset):
    """Make an uploaded, validated profile image (upload/profile-image) the user's avatar."""
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        _swap(locked, asset)
    user.avatar = asset
    return locked


def _stored_file_discard(key: str) -> None:
    try:
        default_storage.delete(key)
    except Exception:
        logger.exception("could not delete orphaned file %s", key)


def avatar_set_from_upload(*, user, upload):
    """Store a re-encoded profile picture as an image asset and make it the user's avatar.
    Returns the user's profile as accounts reads it."""
    prepared = avatar_prepare(upload)
    key = original_key(AssetPurpose.PROFILE, prepared.extension)
    try:
        stored_key = default_storage.save(key, ContentFile(prepared.data))
    except Exception:
        logger.exception("profile image upload failed")
        raise ServiceUnavailable("File storage is unavailable; try again shortly.")
    try:
        with transaction.atomic():
            locked = get_user_model().objects.select_for_update().get(pk=user.pk)
            asset = MediaAsset.objects.create(
                owner=locked,
                kind=AssetKind.IMAGE,
                purpose=AssetPurpose.PROFILE,
                status=AssetStatus.READY,
                storage_key=stored_key,
                original_filename=(getattr(upload, "name", "") or "")[-255:],
                content_type=prepared.content_type,
                size_bytes=len(prepared.data),
                width=prepared.width,
                height=prepared.height,
            )
            _swap(locked, asset)
            image_schedule_renditions(asset=asset)
    except Exception:
        _stored_file_discard(stored_key)  # no stored object without its row
        raise
    return account_selectors.user_get_profile(user_id=locked.pk)


def on_avatar_released(sender, asset_id, **kwargs) -> None:
    """accounts.signals.avatar_released: a user let go of their picture (account deleted)."""
    avatar_release(asset_id)
