"""Direct-to-S3 uploads: the client PUTs the parts of an S3 multipart upload to presigned
URLs, then asks us to complete it. The object lands at a staging key, is validated by
content like any other upload (asset_create_from_path stores the final original under the
layout), and the staging object is removed. A rejected file leaves no object and no asset.

Only available when the default storage is S3. Part URLs expire with the upload; open
uploads past their expiry are aborted by direct_upload_purge_expired (a bucket lifecycle
rule on `staging/` is the backstop for anything it misses).
"""

import logging
import math
import uuid
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cnt import errors
from cnt.errors import Conflict, NotConfigured, ServiceUnavailable
from media import layout, policies, services, storage, validation
from media.models import AssetPurpose, DirectUpload, DirectUploadStatus, MediaAsset
from media.validation import MediaRejected

logger = logging.getLogger("cnt.media")

MIB = 1024 * 1024
S3_MIN_PART_SIZE = 5 * MIB  # every part but the last must be at least this big
S3_MAX_PARTS = 10_000
PART_SIZE = 8 * MIB  # grown in whole MiB for files that would need more than 10,000 parts
STAGING_PREFIX = "staging"
UPLOAD_TTL = timedelta(hours=24)
PART_URL_TTL_SECONDS = 3600
_LOCK_NOT_AVAILABLE = "55P03"
_INVALID_PARTS = {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML"}
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class UploadGone(errors.Gone):
    default_detail = _("This upload has expired or was cancelled; start a new one.")
    default_code = "upload_expired"


class InvalidParts(errors.InvalidInput):
    default_detail = _("S3 refused the list of parts.")
    default_code = "invalid_parts"


def is_configured() -> bool:
    return storage.s3_backend() is not None


def require_configured() -> None:
    if not is_configured():
        raise NotConfigured(
            "Direct uploads need S3 storage; upload through /uploads (tus) instead.",
        )


def part_size_for(size: int) -> int:
    """The size of every part but the last: 8 MiB, more for files beyond 10,000 parts."""
    needed = math.ceil(size / S3_MAX_PARTS)
    return max(PART_SIZE, math.ceil(needed / MIB) * MIB)


def part_count(upload: DirectUpload) -> int:
    return max(1, math.ceil(upload.size_bytes / part_size_for(upload.size_bytes)))


def _unavailable(exc: Exception) -> ServiceUnavailable:
    logger.warning("S3 request for a direct upload failed: %s", exc)
    return ServiceUnavailable("File storage is unavailable; try again shortly.")


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _is_expired(upload: DirectUpload) -> bool:
    return upload.expires_at <= timezone.now()


# --- S3 calls -----------------------------------------------------------------------------


def _s3_abort(upload: DirectUpload) -> None:
    """Abort the multipart upload and remove a staging object; missing is fine."""
    client, bucket, key = (
        storage.s3_client(),
        storage.bucket_name(),
        storage.object_key(upload.staging_key),
    )
    try:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload.s3_upload_id)
    except ClientError as exc:
        if _error_code(exc) not in {"NoSuchUpload", *_NOT_FOUND}:
            raise
    _s3_delete_staging(upload)


def _s3_delete_staging(upload: DirectUpload) -> None:
    storage.s3_client().delete_object(
        Bucket=storage.bucket_name(), Key=storage.object_key(upload.staging_key)
    )


def _s3_staged_size(upload: DirectUpload) -> int | None:
    try:
        head = storage.s3_client().head_object(
            Bucket=storage.bucket_name(), Key=storage.object_key(upload.staging_key)
        )
    except ClientError as exc:
        if _error_code(exc) in _NOT_FOUND:
            return None
        raise
    return int(head["ContentLength"])


def _s3_complete(upload: DirectUpload, parts: list[dict]) -> int | None:
    """Complete the multipart upload; the staged object's size, or None if S3 has neither
    the upload nor an object (a retry after a completed attempt finds the object)."""
    try:
        storage.s3_client().complete_multipart_upload(
            Bucket=storage.bucket_name(),
            Key=storage.object_key(upload.staging_key),
            UploadId=upload.s3_upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p["part_number"], "ETag": p["etag"]} for p in parts]
            },
        )
    except ClientError as exc:
        code = _error_code(exc)
        if code in _INVALID_PARTS:
            raise InvalidParts(
                "S3 refused the parts: every part listed must be uploaded with its ETag, "
                f"and every part but the last must be at least {S3_MIN_PART_SIZE // MIB} MiB "
                f"({code})."
            )
        if code != "NoSuchUpload":
            raise
    return _s3_staged_size(upload)


# --- Services -----------------------------------------------------------------------------


def direct_upload_create(*, owner, purpose: str, filename: str, size: int) -> DirectUpload:
    """Open a multipart upload at a fresh staging key after checking the caller's right to
    the purpose and the declared size; nothing is left behind when a check fails."""
    require_configured()
    if purpose == AssetPurpose.DOCUMENT and not policies.can_upload_documents(owner):
        raise errors.Forbidden("Only moderators and admins upload documents.")
    validation.check_size(layout.KIND_OF_PURPOSE[purpose], size)
    staging_key = f"{STAGING_PREFIX}/{uuid.uuid4()}"
    try:
        created = storage.s3_client().create_multipart_upload(
            Bucket=storage.bucket_name(),
            Key=storage.object_key(staging_key),
            ContentType="application/octet-stream",
        )
    except (BotoCoreError, ClientError) as exc:
        raise _unavailable(exc)
    upload = DirectUpload(
        owner=owner,
        purpose=purpose,
        filename=services.clean_filename(filename),
        staging_key=staging_key,
        s3_upload_id=created["UploadId"],
        size_bytes=size,
        expires_at=timezone.now() + UPLOAD_TTL,
    )
    try:
        upload.save(force_insert=True)
    except Exception:
        try:
            _s3_abort(upload)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("aborting orphaned multipart upload %s failed: %s", staging_key, exc)
        raise
    return upload


def direct_upload_get_for_user(*, user, upload_id) -> DirectUpload:
    """The caller's own upload; anything else is 404 (no existence leak)."""
    upload = DirectUpload.objects.filter(pk=upload_id, owner=user).first()
    if upload is None:
        raise errors.NotFound()
    return upload


def _check_open(upload: DirectUpload) -> None:
    if upload.status == DirectUploadStatus.COMPLETED:
        raise Conflict("This upload is already complete.", "upload_completed")
    if upload.status == DirectUploadStatus.ABORTED:
        raise UploadGone("This upload was cancelled; start a new one.", "upload_aborted")
    if _is_expired(upload):
        raise UploadGone()


def direct_upload_presign_parts(
    *, user, upload_id, part_numbers: list[int]
) -> tuple[list[tuple[int, str]], datetime]:
    """Presigned PUT URLs for the given parts of an open upload, and when they expire.

    The URLs die with the upload, never later.
    """
    require_configured()
    upload = direct_upload_get_for_user(user=user, upload_id=upload_id)
    _check_open(upload)
    count = part_count(upload)
    wrong = sorted({n for n in part_numbers if not 1 <= n <= count})
    if wrong:
        raise errors.InvalidInput(
            errors={"part_numbers": [f"This upload has parts 1 to {count}; {wrong[0]} is not one."]}
        )
    remaining = int((upload.expires_at - timezone.now()).total_seconds())
    ttl = max(1, min(PART_URL_TTL_SECONDS, remaining))
    client, bucket = storage.presign_client(), storage.bucket_name()
    key = storage.object_key(upload.staging_key)
    try:
        urls = [
            (
                number,
                client.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": bucket,
                        "Key": key,
                        "UploadId": upload.s3_upload_id,
                        "PartNumber": number,
                    },
                    ExpiresIn=ttl,
                ),
            )
            for number in sorted(set(part_numbers))
        ]
    except BotoCoreError as exc:  # e.g. no credentials to sign with
        raise _unavailable(exc)
    return urls, timezone.now() + timedelta(seconds=ttl)


def _lock_for_user(*, user, upload_id) -> DirectUpload:
    """Lock the caller's upload row; a row another request holds is a 409, not a wait."""
    try:
        upload = DirectUpload.objects.select_for_update(nowait=True).filter(
            pk=upload_id, owner=user
        )
        upload = upload.first()
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise Conflict("Another request is working on this upload.", "upload_locked")
        raise
    if upload is None:
        raise errors.NotFound()
    return upload


def _mark_aborted(upload: DirectUpload) -> None:
    upload.status = DirectUploadStatus.ABORTED
    upload.save(update_fields=["status"])


def direct_upload_complete(*, user, upload_id, parts: list[dict]) -> MediaAsset:
    """Complete the multipart upload, validate the object by content and make the asset.

    `parts` is [{"part_number", "etag"}] for parts 1..n. Retrying after success returns the
    same asset. Parts S3 refuses are a 400 and the upload stays open; a file of the wrong
    size or not acceptable media is a 4xx, and the object and the upload are gone.
    """
    require_configured()
    failure: errors.ApplicationError | None = None
    with transaction.atomic():
        upload = _lock_for_user(user=user, upload_id=upload_id)
        if upload.status == DirectUploadStatus.COMPLETED:
            if upload.asset_id:
                return upload.asset
            raise UploadGone("The asset made from this upload was deleted.", "upload_completed")
        if upload.status == DirectUploadStatus.ABORTED:
            raise UploadGone("This upload was cancelled; start a new one.", "upload_aborted")
        numbers = [p["part_number"] for p in parts]
        if numbers != list(range(1, part_count(upload) + 1)):
            raise errors.InvalidInput(
                errors={"parts": [f"List parts 1 to {part_count(upload)} once each, in order."]}
            )
        try:
            if _is_expired(upload):
                _s3_abort(upload)
                _mark_aborted(upload)
                failure = UploadGone()
            else:
                asset, failure = _finish(upload, parts)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc)
    if failure is not None:
        raise failure
    return asset


def _finish(
    upload: DirectUpload, parts: list[dict]
) -> tuple[MediaAsset | None, errors.ApplicationError | None]:
    """Inside the row lock: complete, check the size, validate and store. Rejections abort
    the upload and remove the staged object (the abort commits with the lock)."""
    size = _s3_complete(upload, parts)
    if size is None:
        _mark_aborted(upload)
        return None, UploadGone("The upload's data is gone; start a new upload.", "upload_lost")
    if size != upload.size_bytes:
        _s3_delete_staging(upload)
        _mark_aborted(upload)
        return None, MediaRejected(
            f"The uploaded file has {size} bytes, not the {upload.size_bytes} declared.",
            "size_mismatch",
        )
    try:
        with storage.local_copy(upload.staging_key) as path:
            asset = services.asset_create_from_path(
                owner=upload.owner, purpose=upload.purpose, path=path, filename=upload.filename
            )
    except MediaRejected as exc:
        _s3_delete_staging(upload)
        _mark_aborted(upload)
        return None, exc
    except FileNotFoundError:
        _mark_aborted(upload)
        return None, UploadGone("The upload's data is gone; start a new upload.", "upload_lost")
    upload.status = DirectUploadStatus.COMPLETED
    upload.asset = asset
    upload.save(update_fields=["status", "asset"])
    transaction.on_commit(lambda: _delete_staging_quietly(upload))
    return asset, None


def _delete_staging_quietly(upload: DirectUpload) -> None:
    try:
        _s3_delete_staging(upload)
    except (BotoCoreError, ClientError) as exc:  # the lifecycle rule on staging/ gets it
        logger.warning("deleting staging object %s failed: %s", upload.staging_key, exc)


def direct_upload_abort(*, user, upload_id) -> None:
    """Cancel the caller's open upload: S3 drops the parts, the row is marked aborted.
    Cancelling twice is fine; a completed upload cannot be cancelled (delete the asset)."""
    require_configured()
    with transaction.atomic():
        upload = _lock_for_user(user=user, upload_id=upload_id)
        if upload.status == DirectUploadStatus.COMPLETED:
            raise Conflict("This upload is complete; delete the asset instead.", "upload_completed")
        if upload.status == DirectUploadStatus.ABORTED:
            return
        try:
            _s3_abort(upload)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc)
        _mark_aborted(upload)


def direct_upload_purge_expired() -> int:
    """Abort open uploads past their expiry (S3 parts and staging object too); rows that
    another request holds are skipped. Returns how many were aborted."""
    if not is_configured():
        return 0
    expired = list(
        DirectUpload.objects.filter(
            status=DirectUploadStatus.OPEN, expires_at__lte=timezone.now()
        ).values_list("id", flat=True)
    )
    purged = 0
    for upload_id in expired:
        with transaction.atomic():
            upload = (
                DirectUpload.objects.select_for_update(skip_locked=True)
                .filter(pk=upload_id, status=DirectUploadStatus.OPEN)
                .first()
            )
            if upload is None:
                continue
            try:
                _s3_abort(upload)
            except (BotoCoreError, ClientError) as exc:
                logger.warning("purging direct upload %s failed: %s", upload_id, exc)
                continue
            _mark_aborted(upload)
            purged += 1
    return purged
