"""Writes for media assets: create from an uploaded file, schedule and record processing."""

import hashlib
import logging
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from cnt.errors import ServiceUnavailable
from cnt.realtime import send_to_user
from media import layout, storage, validation
from media.models import AssetKind, AssetStatus, MediaAsset

logger = logging.getLogger("cnt.media")

PROCESSED_KINDS = {AssetKind.AUDIO, AssetKind.VIDEO}


def clean_filename(name: str) -> str:
    """A display-only version of the uploader's file name (never used in storage keys)."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>\"'`]", "", name).strip(" .")
    return name[:200]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def asset_create_from_path(*, owner, purpose: str, path: Path, filename: str = "") -> MediaAsset:
    """Validate a local file by content, store it under the layout and record the asset.

    Raises MediaRejected (4xx) for unacceptable files and ServiceUnavailable (503) when
    storage fails; either way no row and no stored object remain. Audio and video are
    queued for processing once the row is committed.
    """
    kind = layout.KIND_OF_PURPOSE[purpose]
    validated = validation.validate(kind, Path(path))
    key = layout.original_key(purpose, validated.extension)
    try:
        try:
            storage.put_file(key, validated.path)
        except Exception as exc:
            logger.warning("storing %s failed: %s", key, exc)
            raise ServiceUnavailable("File storage is unavailable; try again shortly.")
        try:
            with transaction.atomic():
                asset = MediaAsset.objects.create(
                    owner=owner,
                    kind=kind,
                    purpose=purpose,
                    status=AssetStatus.UPLOADED if kind in PROCESSED_KINDS else AssetStatus.READY,
                    storage_key=key,
                    original_filename=clean_filename(filename),
                    content_type=validated.content_type,
                    size_bytes=validated.path.stat().st_size,
                    checksum_sha256=_sha256(validated.path),
                    duration_seconds=validated.duration,
                    width=validated.width,
                    height=validated.height,
                    metadata=validated.metadata,
                )
                if kind in PROCESSED_KINDS:
                    asset_schedule_processing(asset=asset)
                elif kind == AssetKind.IMAGE:
                    from media.image_assets import image_schedule_renditions

                    image_schedule_renditions(asset=asset)
        except Exception:
            default_storage.delete(key)
            raise
    finally:
        for temp in validated.cleanup:
            temp.unlink(missing_ok=True)
    return asset


def asset_create_from_upload(*, owner, purpose: str, upload) -> MediaAsset:
    """asset_create_from_path for a file Django received (in memory or in a temp file);
    anything written here is removed afterwards."""
    if hasattr(upload, "temporary_file_path"):
        return asset_create_from_path(
            owner=owner,
            purpose=purpose,
            path=Path(upload.temporary_file_path()),
            filename=upload.name or "",
        )
    workdir = Path(tempfile.mkdtemp(prefix="cnt-up-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        path = workdir / "upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return asset_create_from_path(
            owner=owner, purpose=purpose, path=path, filename=upload.name or ""
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def asset_schedule_processing(*, asset: MediaAsset) -> None:
    """Queue the pipeline for an asset once the current transaction commits."""
    from media.tasks import process_asset

    asset_id = str(asset.id)
    transaction.on_commit(lambda: process_asset.delay(asset_id))


def asset_notify_owner(*, asset: MediaAsset, event: str = "media.asset.updated") -> None:
    """Tell the owner's apps about a status or progress change (after commit)."""
    if asset.owner_id is None:
        return
    payload = {
        "id": str(asset.id),
        "kind": asset.kind,
        "status": asset.status,
        "error": asset.error,
        "renditions": [
            {"name": r.name, "status": r.status, "progress": round(r.progress, 3)}
            for r in asset.renditions.all()
        ],
    }
    owner_id = asset.owner_id
    transaction.on_commit(lambda: send_to_user(owner_id, event, payload))


def asset_delete(*, asset: MediaAsset) -> None:
    """Delete an asset with its original and every derived file."""
    original, root = asset.storage_key, layout.asset_root(layout.purpose_of(asset), asset.id)
    asset.delete()

    def remove_files():
        default_storage.delete(original)
        storage.delete_prefix(root)

    transaction.on_commit(remove_files)
