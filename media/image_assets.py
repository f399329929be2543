"""Responsive renditions of image assets (covers, thumbnails, posters, avatars, post images).

An image asset is usable the moment it is uploaded (the API shows its original until the
renditions exist). After commit, `media.process_image` renders them (media/images.py) under a
run prefix named by a content version: the same original with the same settings always
lands on the same keys, so a rerun is a no-op or rewrites identical files, and the URLs are
content-addressed. Publishing switches `output_prefix` and `images` in one update and drops
the previous set after commit.
"""

import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from media import images, layout, storage
from media.models import AssetKind, MediaAsset
from media.services import asset_notify_owner

logger = logging.getLogger("cnt.media.images")

ROLE = "image"  # the key of an image asset's own set in MediaAsset.images
DIRECTORY = "img"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def image_schedule_renditions(*, asset: MediaAsset, force: bool = False) -> None:
    """Queue the renditions of an image asset once the current transaction commits."""
    from media.tasks import process_image

    asset_id = str(asset.id)
    transaction.on_commit(lambda: process_image.delay(asset_id, force))


def image_set_publish(*, asset: MediaAsset, role: str, output_prefix: str, described: dict):
    """Describe a rendered set in `asset.images[role]`, its paths versioned by the run."""
    described = {
        **described,
        "renditions": [
            {**r, "path": layout.versioned_path(output_prefix, r["path"])}
            for r in described["renditions"]
        ],
    }
    asset.images = {**(asset.images or {}), role: described}


POSTER_ROLE = "poster"
POSTER_MANIFEST = f"{POSTER_ROLE}/images.json"


def poster_renditions(*, prefix: str, workdir: Path, poster: Path | None) -> dict | None:
    """The responsive set of a video's poster frame, rendered from `poster` and stored under
    the run's prefix (with a manifest, so a rerun that skips the stills still knows it); with
    `poster` None, what an earlier attempt of the run stored. None if there is none."""
    manifest = f"{prefix}/{POSTER_MANIFEST}"
    if poster is None:
        if not default_storage.exists(manifest):
            return None
        with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
            storage.download(manifest, Path(tmp) / "images.json")
            return json.loads((Path(tmp) / "images.json").read_text())
    try:
        rendered = images.render(poster, workdir / POSTER_ROLE, POSTER_ROLE)
    except images.ImageUnusable as exc:
        logger.warning("poster frame %s has no renditions: %s", poster, exc)
        return None
    for variant in rendered.variants:
        storage.put_file(f"{prefix}/{variant.path}", workdir / variant.path)
    described = rendered.as_metadata()
    (workdir / POSTER_MANIFEST).write_text(json.dumps(described))
    storage.put_file(manifest, workdir / POSTER_MANIFEST)
    return described


def image_asset_process(*, asset_id, force: bool = False) -> str:
    """Render and publish one image asset's renditions. Returns "ready", "noop", "gone" or
    "failed" (a file the pipeline cannot use: the original stays what the API shows).
    Storage errors propagate, for the task to retry."""
    asset = MediaAsset.objects.filter(id=asset_id, kind=AssetKind.IMAGE).first()
    if asset is None:
        return "gone"
    purpose = layout.purpose_of(asset)
    workdir = Path(tempfile.mkdtemp(prefix="cnt-img-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        with storage.local_copy(asset.storage_key) as src:
            version = images.content_version(asset.checksum_sha256 or _sha256(src))
            prefix = layout.run_prefix(purpose, asset.id, version)
            if not force and asset.output_prefix == prefix and (asset.images or {}).get(ROLE):
                return "noop"
            try:
                rendered = images.render(src, workdir / DIRECTORY, DIRECTORY)
            except images.ImageUnusable as exc:
                logger.warning("image asset %s has no renditions: %s", asset.id, exc)
                MediaAsset.objects.filter(id=asset.id).update(
                    processing_log=f"image renditions: {exc}"[:8000]
                )
                return "failed"
        for variant in rendered.variants:
            storage.put_file(f"{prefix}/{variant.path}", workdir / variant.path)
        return _publish(asset.id, prefix, rendered)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _publish(asset_id, prefix: str, rendered) -> str:
    with transaction.atomic():
        locked = MediaAsset.objects.select_for_update().filter(id=asset_id).first()
        if locked is None:
            transaction.on_commit(lambda: storage.delete_prefix(prefix))
            return "gone"
        previous = locked.output_prefix
        image_set_publish(
            asset=locked, role=ROLE, output_prefix=prefix, described=rendered.as_metadata()
        )
        locked.output_prefix = prefix
        locked.processed_at = timezone.now()
        locked.save(update_fields=["images", "output_prefix", "processed_at", "updated_at"])
        if previous and previous != prefix:
            transaction.on_commit(lambda: storage.delete_prefix(previous))
        asset_notify_owner(asset=locked)
    return "ready"
