"""Storage helpers over Django's default storage (local files or S3): deterministic keys,
overwrite on rerun, whole-prefix deletes, and a local path for FFmpeg to read.

On S3 the helpers talk to the bucket through the storage's own boto3 connection: one PUT
per file (an S3 PUT replaces atomically), flat listings, batched deletes, downloads
streamed to disk (S3File would buffer a whole original in memory), and presigned URLs
always signed with SigV4 (botocore presigns S3 with SigV2 unless told otherwise, which
buckets created since 2020 and newer regions refuse).
"""

import contextlib
import mimetypes
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage, storages

from media import caching

mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
mimetypes.add_type("video/mp2t", ".ts")
mimetypes.add_type("video/iso.segment", ".m4s")
mimetypes.add_type("audio/mp4", ".m4a")


# SigV4 presigned URLs live at most 7 days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
S3_DELETE_BATCH = 1000


def is_local() -> bool:
    return hasattr(default_storage, "path") and not getattr(default_storage, "bucket_name", None)


# --- S3 -----------------------------------------------------------------------------------


def s3_backend():
    """The S3Storage instance behind default_storage, or None when files are local."""
    backend = storages["default"]
    if getattr(backend, "bucket_name", None) and hasattr(backend, "connection"):
        return backend
    return None


def _require_s3():
    backend = s3_backend()
    if backend is None:
        raise RuntimeError("the default storage is not S3")
    return backend


def bucket_name() -> str:
    return _require_s3().bucket_name


def object_key(key: str) -> str:
    """The bucket key of a storage key (the storage's AWS_LOCATION prefix applied)."""
    from storages.utils import clean_name

    return _require_s3()._normalize_name(clean_name(key))


def s3_client():
    """The storage's boto3 S3 client (thread-safe)."""
    return _require_s3().connection.meta.client


_presigners: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_presigners_lock = threading.Lock()


def presign_client():
    """A boto3 client for presigning, with the storage's credentials, endpoint and region,
    signing with SigV4 unless AWS_S3_SIGNATURE_VERSION names a version explicitly."""
    from botocore.config import Config

    backend = _require_s3()
    with _presigners_lock:
        client = _presigners.get(backend)
        if client is None:
            config = Config(signature_version=backend.signature_version or "s3v4")
            if backend.client_config is not None:
                config = backend.client_config.merge(config)
            client = backend._create_session().client(
                "s3",
                region_name=backend.region_name,
                use_ssl=backend.use_ssl,
                endpoint_url=backend.endpoint_url,
                verify=backend.verify,
                config=config,
            )
            _presigners[backend] = client
    return client


def _s3_keys(prefix: str) -> Iterator[tuple[str, str]]:
    """(storage key, bucket key) of every object below `prefix`, in one flat listing."""
    base = object_key(prefix).rstrip("/") + "/"
    strip = len(object_key("x")) - len("x")  # AWS_LOCATION and its slash, if any
    paginator = s3_client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket_name(), Prefix=base):
        for entry in page.get("Contents", ()):
            if not entry["Key"].endswith("/"):
                yield entry["Key"][strip:], entry["Key"]


def _s3_put(key: str, local_path: Path) -> None:
    backend = _require_s3()
    params = backend.get_object_parameters(object_key(key))
    if "ContentType" not in params:
        params["ContentType"] = mimetypes.guess_type(key)[0] or backend.default_content_type
    if "CacheControl" not in params:
        # Keys are never rewritten with other bytes (originals are read-only, derived files
        # sit under their run), so a CDN in front of the bucket may keep them for good.
        params["CacheControl"] = caching.stored_object_cache_control(key)
    if "ACL" not in params and backend.default_acl:
        params["ACL"] = backend.default_acl
    kwargs = {"ExtraArgs": params}
    if backend.transfer_config is not None:
        kwargs["Config"] = backend.transfer_config
    s3_client().upload_file(str(local_path), backend.bucket_name, object_key(key), **kwargs)


def download(key: str, target: Path) -> None:
    """Copy the object at `key` to the local file `target`; FileNotFoundError if missing."""
    backend = s3_backend()
    if backend is None:
        with default_storage.open(key, "rb") as source, Path(target).open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        return
    from botocore.exceptions import ClientError

    kwargs = {}
    if backend.transfer_config is not None:
        kwargs["Config"] = backend.transfer_config
    try:
        s3_client().download_file(backend.bucket_name, object_key(key), str(target), **kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            raise FileNotFoundError(key)
        raise


# --- Both ---------------------------------------------------------------------------------


def put_file(key: str, local_path: Path) -> str:
    """Store a local file at exactly `key`, replacing what a previous run left there."""
    if s3_backend() is not None:
        _s3_put(key, local_path)
        return key
    if default_storage.exists(key):
        default_storage.delete(key)
    with open(local_path, "rb") as handle:
        saved = default_storage.save(key, File(handle, name=Path(key).name))
    if saved != key:
        default_storage.delete(saved)
        raise RuntimeError(f"storage stored {key!r} as {saved!r}")
    return key


def list_keys(prefix: str) -> Iterator[str]:
    """Every key below `prefix` (recursive)."""
    prefix = prefix.rstrip("/")
    if s3_backend() is not None:
        yield from sorted(key for key, _ in _s3_keys(prefix))
        return
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
    if s3_backend() is not None:
        return _s3_delete_prefix(prefix)
    count = 0
    for key in list(list_keys(prefix)):
        default_storage.delete(key)
        count += 1
    if is_local():
        shutil.rmtree(default_storage.path(prefix), ignore_errors=True)
    return count


def _s3_delete_prefix(prefix: str) -> int:
    client, bucket, count = s3_client(), bucket_name(), 0
    keys = [bucket_key for _, bucket_key in _s3_keys(prefix)]
    for start in range(0, len(keys), S3_DELETE_BATCH):
        batch = keys[start : start + S3_DELETE_BATCH]
        result = client.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        if result.get("Errors"):
            first = result["Errors"][0]
            raise OSError(f"deleting {first.get('Key')} failed: {first.get('Code')}")
        count += len(batch)
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
        download(key, target)
        yield target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def signed_object_url(
    key: str, ttl: int | None = None, content_type: str = "", content_disposition: str = ""
) -> str:
    """A direct, expiring URL to an object in S3: CloudFront-signed when a key pair and a
    custom domain are configured, otherwise an S3 presigned (SigV4) URL that makes S3
    answer with `content_type`. Never an unsigned URL, whatever AWS_S3_CUSTOM_DOMAIN or
    AWS_QUERYSTRING_AUTH say. With `content_disposition` (downloads) it is always the S3
    URL: only S3 sets a response header from the signed query."""
    ttl = min(ttl or settings.MEDIA_URL_TTL_SECONDS, MAX_PRESIGN_SECONDS)
    if (
        not content_disposition
        and settings.CLOUDFRONT_KEY_PAIR_ID
        and settings.CLOUDFRONT_PRIVATE_KEY
        and getattr(settings, "AWS_S3_CUSTOM_DOMAIN", None)
    ):
        return _cloudfront_url(key, ttl)
    params = {"Bucket": bucket_name(), "Key": object_key(key)}
    if content_type:
        params["ResponseContentType"] = content_type
    if content_disposition:
        params["ResponseContentDisposition"] = content_disposition
    return presign_client().generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)


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
    from urllib.parse import quote

    url = f"https://{settings.AWS_S3_CUSTOM_DOMAIN}/{quote(object_key(key))}"
    expires = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=ttl)
    return signer.generate_presigned_url(url, date_less_than=expires)
