"""S3 fixtures for every test in this folder (see tests/media/s3_fixtures.py)."""

from tests.media.s3_fixtures import moto_endpoint, s3_bucket, s3_client, s3_storage  # noqa: F401
