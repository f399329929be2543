"""Reads for media assets."""

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from cnt.errors import InvalidInput, NotFound
from media.models import AssetStatus, MediaAsset
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


@dataclass(frozen=True)
class AssetWording:
    """The messages of an unusable asset reference; `{expected}` names the accepted kinds
    with its article ("an audio or video"), `{kind}` the asset's own kind."""

    not_found: str = "No media asset with this id among your uploads."
    wrong_kind: str = "Expected {expected} asset, got {kind}."
    failed: str = "This asset failed processing; upload the file again."
    not_ready: str = "The asset is not ready yet."


def _with_article(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def asset_get_usable_for_owner(
    *,
    user,
    asset_id,
    kinds: tuple[str, ...],
    field: str | tuple = "asset",
    ready_only: bool = False,
    wording: AssetWording = AssetWording(),
) -> MediaAsset:
    """The caller's own asset of one of `kinds` that can be used: not failed (or, with
    `ready_only`, ready). Otherwise a 400 on `field` (a name, or a path like
    ("operations", 0, "image") for nested input); someone else's asset, a malformed id and
    an unknown one get the same answer."""

    def invalid(message: str, code: str) -> InvalidInput:
        detail: list | dict = [message]
        for key in reversed(field if isinstance(field, tuple) else (field,)):
            detail = {key: detail}
        return InvalidInput(errors=detail)

    try:
        asset_id = uuid.UUID(str(asset_id))
    except ValueError:
        raise invalid(wording.not_found, "not_found")
    asset = MediaAsset.objects.filter(pk=asset_id, owner_id=user.pk).first()
    if asset is None:
        raise invalid(wording.not_found, "not_found")
    if asset.kind not in kinds:
        expected = _with_article(" or ".join(str(kind) for kind in kinds))
        message = wording.wrong_kind.format(expected=expected, kind=asset.kind)
        raise invalid(message, "wrong_media_type")
    if ready_only and asset.status != AssetStatus.READY:
        raise invalid(wording.not_ready, "not_ready")
    if asset.status == AssetStatus.FAILED:
        raise invalid(wording.failed, "failed")
    return asset
