"""S3 for tests: moto's S3 server on a free local port, one empty bucket per test, and the
default storage switched to django-storages' S3Storage talking HTTP to it."""

import logging
import socket
import uuid

import boto3
import pytest

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto S3 server for the whole session; its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(moto_endpoint):
    """A plain boto3 client on the moto server, for looking at the bucket from outside."""
    return boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def s3_bucket(s3_client) -> str:
    name = f"cnt-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(settings, _media_root, moto_endpoint, s3_bucket):
    """Point Django's default storage at the test bucket (after the temp-dir default).

    pytest-django's `settings` fires setting_changed, and Django's storages_changed
    receiver resets `storages` and `default_storage` when STORAGES changes; the AWS_*
    settings are set first so nothing reads them half-changed.
    """
    settings.AWS_STORAGE_BUCKET_NAME = s3_bucket
    settings.AWS_S3_ENDPOINT_URL = moto_endpoint
    settings.AWS_ACCESS_KEY_ID = ACCESS_KEY
    settings.AWS_SECRET_ACCESS_KEY = SECRET_KEY
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_S3_CUSTOM_DOMAIN = None
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": moto_endpoint,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": REGION,
                "querystring_auth": True,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    from django.core.files.storage import default_storage

    from media import storage

    assert not storage.is_local() and default_storage.bucket_name == s3_bucket
    return default_storage


def bucket_keys(client, bucket: str, prefix: str = "") -> list[str]:
    """Every key in the bucket below `prefix`, sorted."""
    keys = []
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        keys += [entry["Key"] for entry in page.get("Contents", ())]
    return sorted(keys)
