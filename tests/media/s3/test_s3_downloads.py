"""Downloads on real S3 semantics (moto's server): the signed URL redirects to a SigV4
presigned URL that makes S3 name the file as an attachment; S3 serves the advertised bytes
and resumes with Range."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from media.models import AssetStatus, MediaAsset
from tests.media.conftest import post_file
from tests.media.s3_fixtures import bucket_keys

pytestmark = [pytest.mark.django_db]


def test_downloads_redirect_to_s3_which_serves_the_advertised_bytes_with_range(
    s3_storage,
    user_client,
    client,
    s3_client,
    s3_bucket,
    tone_mp3,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(user_client, "audio", "Morning Prayer.mp3", tone_mp3.read_bytes())
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.status == AssetStatus.READY, asset.error
    stored = [k for k in bucket_keys(s3_client, s3_bucket) if "/downloads/" in k]
    assert sorted(k.rsplit("/", 1)[1] for k in stored) == [
        "aac_128k.m4a", "aac_256k.m4a", "speech_48k.m4a",
    ]  # fmt: skip

    items = user_client.get(f"/api/v1/media/assets/{asset.id}").json()["downloads"]
    assert [d["filename"] for d in items] == [
        "morning-prayer-256k.m4a", "morning-prayer-128k.m4a", "morning-prayer-48k.m4a",
    ]  # fmt: skip
    for item in items:
        redirect = client.get(item["url"])
        assert redirect.status_code == 302
        location = redirect["Location"]
        query = parse_qs(urlparse(location).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        disposition = f'attachment; filename="{item["filename"]}"'
        assert query["response-content-disposition"] == [disposition]

        fetched = requests.get(location, timeout=10)
        assert fetched.status_code == 200
        assert len(fetched.content) == item["size"] == int(fetched.headers["Content-Length"])
        assert fetched.headers["Content-Type"] == "audio/mp4"
        assert fetched.headers["Content-Disposition"] == disposition
        key = f"{asset.output_prefix}/downloads/{item['url'].rsplit('/', 2)[1]}.m4a"
        assert fetched.content == s3_client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()

        first = requests.get(location, headers={"Range": "bytes=0-499"}, timeout=10)
        rest = requests.get(location, headers={"Range": "bytes=500-"}, timeout=10)
        assert first.status_code == rest.status_code == 206
        assert rest.headers["Content-Range"] == f"bytes 500-{item['size'] - 1}/{item['size']}"
        assert first.content + rest.content == fetched.content
