"""Storage helpers over Django's default storage (local files or S3): deterministic keys,
overwrite on rerun, whole-prefix deletes, and a local path for FFmpeg to read."""

import contextlib
import mimetypes
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
mimetypes.add_type("video/mp2t", ".ts")
mimetypes.add_type("video/iso.segment", ".m4s")
mimetypes.add_type("audio/mp4", ".m4a")


def is_local() -> bool:
    return hasattr(default_storage, "path") and not getattr(default_storage, "bucket_name", None)


def put_file(key: str, local_path: Path) -> str:
    """Store a local file at exactly `key`, replacing what a previous run left there."""
    if default_storage.exists(key):
        default_storage.delete(key)
    with open(local_path, "rb") as handle:
        saved = default_storage.save(key, File(handle, name=Path(key).name))
    if saved != key:
        default_storage.delete(saved)
        raise RuntimeError(f"storage stored {key!r} as {saved!r}")
    return key


def put_tree(prefix: str, local_dir: Path) -> list[str]:
    """Store every file below `local_dir` under `prefix`, keeping relative paths."""
    keys = []
    for path in sorted(p for p in Path(local_dir).rglob("*") if p.is_file()):
        keys.append(put_file(f"{prefix}/{path.relative_to(local_dir).as_posix()}", path))
    return keys


def list_keys(prefix: str) -> Iterator[str]:
    """Every key below `prefix` (recursive)."""
    prefix = prefix.rstrip("/")
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}/{name}"
    for directory in directories:
        yield from list_keys(f"{prefix}/{directory}")


def delete_prefix(prefix: str) -> int:
    """Delete everything below `prefix`; returns how many objects went."""
    if not prefix or prefix.strip("/") == "":
        raise ValueError("refusing to delete the storage root")
    count = 0
    for key in list(list_keys(prefix)):
        default_storage.delete(key)
        count += 1
    if is_local():
        shutil.rmtree(default_storage.path(prefix), ignore_errors=True)
    return count


@contextlib.contextmanager
def local_copy(key: str) -> Iterator[Path]:
    """A local path holding the object: the file itself for local storage, else a download."""
    if is_local():
        yield Path(default_storage.path(key))
        return
    workdir = Path(tempfile.mkdtemp(prefix="cnt-src-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    target = workdir / Path(key).name
    try:
        with default_storage.open(key, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        yield target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def signed_object_url(key: str, ttl: int | None = None) -> str:
    """A direct, expiring URL to an object in S3: CloudFront-signed when a key pair is
    configured, otherwise an S3 presigned URL."""
    ttl = ttl or settings.MEDIA_URL_TTL_SECONDS
    if settings.CLOUDFRONT_KEY_PAIR_ID and settings.CLOUDFRONT_PRIVATE_KEY:
        return _cloudfront_url(key, ttl)
    return default_storage.url(key, expire=ttl)


def _cloudfront_url(key: str, ttl: int) -> str:
    import datetime

    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    private_key = serialization.load_pem_private_key(
        settings.CLOUDFRONT_PRIVATE_KEY.replace("\\n", "\n").encode(), password=None
    )

    def rsa_signer(message: bytes) -> bytes:
        return private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # CloudFront's scheme

    signer = CloudFrontSigner(settings.CLOUDFRONT_KEY_PAIR_ID, rsa_signer)
    url = f"https://{settings.AWS_S3_CUSTOM_DOMAIN}/{key}"
    expires = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=ttl)
    return signer.generate_presigned_url(url, date_less_than=expires)
