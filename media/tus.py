"""Resumable uploads over tus 1.0.0: parse the protocol headers, keep the bytes on local disk,
and turn a finished upload into a MediaAsset through asset_create_from_path.

Extensions: creation, termination, expiration, checksum. The database row is the truth for
the offset; the data file under MEDIA_TUS_DIR may only run ahead of it after a crash, and
is cut back to the offset before the next chunk is appended.

Writes to one upload are serialised by an exclusive, non-blocking lock on its data file
(flock), held from before the offset is read until after it is committed: a second PATCH
(or a DELETE) meanwhile gets 409 `upload_locked`, on any database. On PostgreSQL the row
is also locked (NOWAIT); SQLite ignores row locks, which is why the file lock exists.
"""

import base64
import binascii
import contextlib
import fcntl
import hashlib
import logging
import os
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_moderator
from cnt import errors
from cnt.errors import Conflict, ServiceUnavailable
from media import layout, services, validation
from media.models import AssetKind, AssetPurpose, TusUpload
from media.validation import MediaRejected

logger = logging.getLogger("cnt.media")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "termination", "expiration", "checksum")
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
CHUNK_CONTENT_TYPE = "application/offset+octet-stream"
# Upload-Metadata kinds that are not purposes themselves.
KIND_ALIASES = {AssetKind.IMAGE.value: AssetPurpose.THUMBNAIL.value}
MAX_METADATA_CHARS = 8192
READ_BLOCK = 64 * 1024
_METADATA_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]+")  # printable ASCII but space and comma
_NON_NEGATIVE_INT = re.compile(r"[0-9]{1,19}")
_LOCK_NOT_AVAILABLE = "55P03"


class TusVersionUnsupported(errors.PreconditionFailed):
    default_detail = f"Send the header Tus-Resumable: {TUS_VERSION}."
    default_code = "tus_version_unsupported"


class ChecksumMismatch(errors.ChecksumMismatch):
    default_detail = _("The chunk does not match its Upload-Checksum; it was discarded.")
    default_code = "checksum_mismatch"


class UploadGone(errors.Gone):
    default_detail = _("This upload has expired; start a new one.")
    default_code = "upload_expired"


class IncompleteChunk(errors.InvalidInput):
    default_detail = _("The request body ended before Content-Length bytes arrived.")
    default_code = "incomplete_chunk"


def _bad_request(detail: str, code: str) -> errors.InvalidInput:
    return errors.InvalidInput(detail, code)


# --- Headers ------------------------------------------------------------------------------


def max_size() -> int:
    return max(settings.MEDIA_MAX_UPLOAD_BYTES.values())


def check_version(value: str | None) -> None:
    if value != TUS_VERSION:
        raise TusVersionUnsupported()


def parse_length(value: str | None, header: str) -> int:
    if value is None:
        raise _bad_request(f"The {header} header is required.", "invalid_header")
    value = value.strip()
    if not _NON_NEGATIVE_INT.fullmatch(value):
        raise _bad_request(f"{header} must be a non-negative integer.", "invalid_header")
    return int(value)


def parse_body_length(meta) -> int:
    """The chunk size from Content-Length; a chunked body without one cannot be placed."""
    value = meta.get("CONTENT_LENGTH") or ""
    if not value:
        if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
            raise _bad_request("Send chunks with a Content-Length.", "length_required")
        return 0
    return parse_length(value, "Content-Length")


def parse_metadata(value: str | None) -> dict[str, str]:
    """`key base64value` pairs separated by commas; values must decode to UTF-8 text."""
    if not value or not value.strip():
        return {}
    if len(value) > MAX_METADATA_CHARS:
        raise _bad_request("Upload-Metadata is too long.", "invalid_metadata")
    metadata: dict[str, str] = {}
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if len(parts) > 2 or not _METADATA_KEY.fullmatch(key) or key in metadata:
            raise _bad_request("Upload-Metadata is malformed.", "invalid_metadata")
        try:
            raw = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
            metadata[key] = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            raise _bad_request(
                f"Upload-Metadata value for {key!r} is not base64-encoded UTF-8.",
                "invalid_metadata",
            )
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in metadata.items()
    )


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """`<algorithm> <base64 digest>` -> (algorithm, digest); None without the header."""
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise _bad_request(
            f"Unsupported checksum algorithm; use one of {', '.join(CHECKSUM_ALGORITHMS)}.",
            "unsupported_checksum_algorithm",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _bad_request("Upload-Checksum is not base64.", "invalid_checksum")
    if not digest:
        raise _bad_request("Upload-Checksum has no digest.", "invalid_checksum")
    return algorithm, digest


def purpose_of(metadata: dict[str, str]) -> str:
    kind = metadata.get("kind", "").strip()
    purpose = KIND_ALIASES.get(kind, kind)
    if purpose not in AssetPurpose.values:
        choices = ", ".join(sorted({*AssetPurpose.values, *KIND_ALIASES}))
        raise _bad_request(f"Upload-Metadata kind must be one of: {choices}.", "invalid_kind")
    return purpose


def filename_of(upload: TusUpload) -> str:
    return upload.metadata.get("filename") or upload.metadata.get("name") or ""


# --- Files --------------------------------------------------------------------------------


def tus_dir() -> Path:
    return Path(str(settings.MEDIA_TUS_DIR))


def data_path(upload_id) -> Path:
    return tus_dir() / f"{uuid.UUID(str(upload_id))}.part"


def _new_expiry():
    return timezone.now() + timedelta(hours=settings.MEDIA_TUS_EXPIRY_HOURS)


def _is_expired(upload: TusUpload) -> bool:
    return upload.completed_at is None and upload.expires_at <= timezone.now()


def _write_chunk(handle, stream, length: int, hasher) -> int:
    """Copy up to `length` bytes from the request body; returns how many arrived."""
    written = 0
    while written < length:
        try:
            block = stream.read(min(READ_BLOCK, length - written))
        except OSError:  # the client went away mid-chunk; keep what reached the disk
            block = b""
        if not block:
            break
        handle.write(block)
        if hasher is not None:
            hasher.update(block)
        written += len(block)
    handle.flush()
    os.fsync(handle.fileno())
    return written


# --- Services -----------------------------------------------------------------------------


def tus_upload_create(*, owner, upload_length: int, metadata: dict[str, str]) -> TusUpload:
    """Open a resumable upload after checking the kind, the caller's right to it and the size.

    Nothing is stored when any check fails; the data file starts empty.
    """
    purpose = purpose_of(metadata)
    if purpose == AssetPurpose.DOCUMENT and not is_moderator(owner):
        raise errors.Forbidden("Only moderators may upload documents.")
    validation.check_size(layout.KIND_OF_PURPOSE[purpose], upload_length)
    try:
        with transaction.atomic():
            upload = TusUpload.objects.create(
                owner=owner,
                upload_length=upload_length,
                metadata=metadata,
                expires_at=_new_expiry(),
            )
            tus_dir().mkdir(parents=True, exist_ok=True)
            data_path(upload.id).open("xb").close()
    except OSError as exc:
        logger.warning("cannot create tus data file: %s", exc)
        raise ServiceUnavailable("Upload storage is unavailable; try again shortly.")
    return upload


def tus_upload_get_for_user(*, user, upload_id) -> TusUpload:
    """The caller's own upload; anything else is 404 (no existence leak), expired is 410."""
    upload = TusUpload.objects.filter(pk=upload_id, owner=user).first()
    if upload is None:
        raise errors.NotFound()
    if _is_expired(upload):
        raise UploadGone()
    return upload


def _lock_for_user(*, user, upload_id, allow_expired: bool = False) -> TusUpload:
    """Lock the caller's upload row; a row another request holds is a 409, not a wait."""
    try:
        upload = TusUpload.objects.select_for_update(nowait=True).filter(pk=upload_id, owner=user)
        upload = upload.first()
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise Conflict("Another request is writing to this upload.", "upload_locked")
        raise
    if upload is None:
        raise errors.NotFound()
    if not allow_expired and _is_expired(upload):
        raise UploadGone()
    return upload


@contextlib.contextmanager
def _data_file_locked(path: Path):
    """The upload's data file, opened for writing under an exclusive lock; None if the file
    is gone. Raises Conflict at once while another request holds the lock."""
    try:
        handle = path.open("r+b")
    except FileNotFoundError:
        yield None
        return
    except OSError as exc:
        logger.warning("opening tus data %s failed: %s", path.name, exc)
        raise ServiceUnavailable("Upload storage is unavailable; try again shortly.")
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict("Another request is writing to this upload.", "upload_locked")
        yield handle  # closing the file releases the lock


def _append_to_file(handle, start: int, stream, length: int, checksum) -> int | None:
    """Write a chunk at `start` and return how many bytes arrived; None if the data is gone.

    A chunk with a checksum is all or nothing: cut short or not matching, it is cut off.
    """
    if handle is None:
        return None
    try:
        if os.fstat(handle.fileno()).st_size < start:
            return None
        handle.truncate(start)  # bytes past the offset were never committed
        handle.seek(start)
        hasher = CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
        written = _write_chunk(handle, stream, length, hasher) if length else 0
        if checksum and (written < length or hasher.digest() != checksum[1]):
            handle.truncate(start)
            raise IncompleteChunk() if written < length else ChecksumMismatch()
        return written
    except OSError as exc:  # disk full, permissions: the chunk is not taken
        logger.warning("writing tus data %s failed: %s", Path(handle.name).name, exc)
        raise ServiceUnavailable("Upload storage is unavailable; try again shortly.")


def tus_upload_append(
    *, user, upload_id, offset: int, length: int, stream, checksum: tuple[str, bytes] | None
) -> TusUpload:
    """Append one chunk at `offset` under a row lock, verify its checksum, and finish the
    upload once every byte is there.

    A chunk that fails its checksum is discarded. A chunk cut short (client gone) is kept
    unless it carried a checksum, and the offset says how far it got. A finished file that
    is not acceptable media removes the upload entirely and raises MediaRejected.
    """
    # Ownership first, so another user's upload is a 404 even while it is being written.
    if not TusUpload.objects.filter(pk=upload_id, owner=user).exists():
        raise errors.NotFound()
    path = data_path(upload_id)
    failure: errors.ApplicationError | None = None
    cut_short = False
    with _data_file_locked(path) as handle:
        with transaction.atomic():
            upload = _lock_for_user(user=user, upload_id=upload_id)
            if offset != upload.offset:
                raise Conflict(
                    f"Upload-Offset {offset} does not match the upload's offset {upload.offset}.",
                    "offset_mismatch",
                )
            if offset + length > upload.upload_length:
                raise _bad_request(
                    "The chunk would run past Upload-Length.", "exceeds_upload_length"
                )
            if upload.completed_at is None:
                written = _append_to_file(handle, upload.offset, stream, length, checksum)
                if written is None:
                    logger.warning("tus upload %s lost its data file", upload.id)
                    upload.delete()
                    failure = UploadGone(
                        "The upload's data was lost; start a new upload.", "upload_lost"
                    )
                else:
                    cut_short = written < length
                    upload.offset += written
                    upload.expires_at = _new_expiry()
                    upload.save(update_fields=["offset", "expires_at"])
                    if upload.offset == upload.upload_length:
                        failure = _finish(upload, path)
        # Still under the file lock: the next writer sees the committed offset.
        if failure is not None or upload.completed_at is not None:
            path.unlink(missing_ok=True)
    if failure is not None:
        raise failure
    if cut_short:
        raise IncompleteChunk()
    return upload


def _finish(upload: TusUpload, path: Path) -> MediaRejected | None:
    """Validate and store the finished file; on rejection the upload row goes too."""
    try:
        asset = services.asset_create_from_path(
            owner=upload.owner,
            purpose=purpose_of(upload.metadata),
            path=path,
            filename=filename_of(upload),
        )
    except MediaRejected as exc:
        upload.delete()
        return exc
    upload.completed_at = timezone.now()
    upload.asset = asset
    upload.save(update_fields=["completed_at", "asset"])
    return None


def tus_upload_terminate(*, user, upload_id) -> None:
    """Delete the caller's upload and its data (an expired one too)."""
    if not TusUpload.objects.filter(pk=upload_id, owner=user).exists():
        raise errors.NotFound()
    path = data_path(upload_id)
    with _data_file_locked(path):
        with transaction.atomic():
            upload = _lock_for_user(user=user, upload_id=upload_id, allow_expired=True)
            upload.delete()
        path.unlink(missing_ok=True)


def tus_purge_expired() -> int:
    """Delete expired unfinished uploads and their data files, and data files no row owns.

    Rows a PATCH is writing to right now are skipped. Returns how many uploads went.
    """
    now = timezone.now()
    with transaction.atomic():
        candidates = list(
            TusUpload.objects.select_for_update(skip_locked=True)
            .filter(completed_at__isnull=True, expires_at__lte=now)
            .values_list("id", flat=True)
        )
    expired = []
    for upload_id in candidates:
        path = data_path(upload_id)
        try:
            with _data_file_locked(path):  # a PATCH writing now keeps its upload
                still = TusUpload.objects.filter(
                    pk=upload_id, completed_at__isnull=True, expires_at__lte=now
                )
                if still.delete()[0]:
                    expired.append(upload_id)
                    path.unlink(missing_ok=True)
        except Conflict:
            continue
    directory = tus_dir()
    if directory.is_dir():
        cutoff = time.time() - settings.MEDIA_TUS_EXPIRY_HOURS * 3600
        for path in directory.glob("*.part"):
            try:
                upload_id = uuid.UUID(path.stem)
                if (
                    path.stat().st_mtime < cutoff
                    and not TusUpload.objects.filter(pk=upload_id).exists()
                ):
                    path.unlink(missing_ok=True)
            except (ValueError, OSError):
                continue
    return len(expired)
