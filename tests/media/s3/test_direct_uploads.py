"""Direct-to-S3 multipart uploads against moto: real presigned PUTs with `requests`, content
validation after completion, and every refusal leaving nothing behind."""

import hashlib
import os
import threading
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from botocore.exceptions import EndpointConnectionError
from django.db import connection, transaction
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from media import s3direct, samples, storage
from media.models import AssetStatus, DirectUpload, DirectUploadStatus, MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.s3_fixtures import bucket_keys

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/uploads/s3"
MIB = 1024 * 1024


@pytest.fixture(scope="session")
def long_wav(media_dir):
    """A minute of PCM audio, about 10 MB: two parts of a multipart upload."""
    return samples.make_tone(media_dir / "long.wav", seconds=60, frequency=220)


def start(client, size: int, purpose: str = "audio", filename: str = "sermon.wav"):
    return client.post(URL, {"purpose": purpose, "filename": filename, "size": size}, format="json")


def open_upload(client, data: bytes, **kwargs) -> dict:
    response = start(client, len(data), **kwargs)
    assert response.status_code == 201, response.json()
    return response.json()


def put_parts(client, body: dict, data: bytes) -> list[dict]:
    """Ask for every part's URL and PUT the bytes there, like a client would."""
    numbers = list(range(1, body["parts"] + 1))
    response = client.post(f"{URL}/{body['id']}/parts", {"part_numbers": numbers}, format="json")
    assert response.status_code == 200, response.json()
    size = body["part_size"]
    done = []
    for item in response.json()["parts"]:
        number = item["part_number"]
        put = requests.put(item["url"], data=data[(number - 1) * size : number * size], timeout=30)
        assert put.status_code == 200, put.text
        done.append({"part_number": number, "etag": put.headers["ETag"]})
    return done


def complete(client, upload_id, parts):
    return client.post(f"{URL}/{upload_id}/complete", {"parts": parts}, format="json")


def multipart_uploads(s3_client, bucket) -> list[str]:
    return [u["Key"] for u in s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def assert_nothing_left(s3_client, bucket):
    assert bucket_keys(s3_client, bucket) == []
    assert multipart_uploads(s3_client, bucket) == []
    assert MediaAsset.objects.count() == 0


# --- the whole flow -------------------------------------------------------------------------


def test_a_large_file_goes_straight_to_s3_and_becomes_a_processed_asset(
    s3_storage, user, user_client, long_wav, s3_client, s3_bucket,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    data = long_wav.read_bytes()
    assert len(data) > 10 * 10**6
    body = open_upload(user_client, data)
    assert body["part_size"] == 8 * MIB and body["parts"] == 2
    assert body["status"] == "open" and body["size"] == len(data)
    upload = DirectUpload.objects.get(id=body["id"])
    assert upload.owner == user and upload.staging_key.startswith("staging/")
    assert multipart_uploads(s3_client, s3_bucket) == [upload.staging_key]

    parts = put_parts(user_client, body, data)
    with django_capture_on_commit_callbacks(execute=True):
        response = complete(user_client, body["id"], parts)
    assert response.status_code == 201, response.json()
    asset_body = response.json()
    asset = MediaAsset.objects.get(id=asset_body["id"])
    assert asset_body["kind"] == "audio" and asset_body["original_filename"] == "sermon.wav"
    assert asset_body["size"] == len(data) and abs(asset_body["duration"] - 60) < 0.2
    assert asset.owner == user and asset.checksum_sha256 == hashlib.sha256(data).hexdigest()
    assert asset.storage_key.startswith("audio/") and asset.storage_key.endswith(".wav")
    assert asset.status == AssetStatus.READY, asset.error  # the pipeline ran on the S3 original
    upload.refresh_from_db()
    assert upload.status == DirectUploadStatus.COMPLETED and upload.asset == asset

    keys = bucket_keys(s3_client, s3_bucket)
    assert [k for k in keys if not k.startswith(asset.output_prefix + "/")] == [asset.storage_key]
    assert f"{asset.output_prefix}/hls/master.m3u8" in keys
    stored = s3_client.get_object(Bucket=s3_bucket, Key=asset.storage_key)["Body"].read()
    assert stored == data
    assert multipart_uploads(s3_client, s3_bucket) == []

    again = complete(user_client, body["id"], parts)  # a retry answers the same asset
    assert again.status_code == 201 and again.json()["id"] == str(asset.id)
    assert MediaAsset.objects.count() == 1


def test_part_urls_are_sigv4_and_die_with_the_upload(s3_storage, user_client, tone_mp3):
    body = open_upload(user_client, tone_mp3.read_bytes())
    DirectUpload.objects.filter(id=body["id"]).update(
        expires_at=timezone.now() + timedelta(seconds=120)
    )
    response = user_client.post(f"{URL}/{body['id']}/parts", {"part_numbers": [1]}, format="json")
    assert response.status_code == 200
    (part,) = response.json()["parts"]
    query = parse_qs(urlparse(part["url"]).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["partNumber"] == ["1"] and 110 <= int(query["X-Amz-Expires"][0]) <= 120


def test_a_small_file_is_one_part(
    s3_storage, user_client, tone_mp3, queued, s3_client, s3_bucket,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data, filename="C:\\Users\\me\\song.mp3")
    assert body["parts"] == 1 and body["filename"] == "song.mp3"
    parts = put_parts(user_client, body, data)
    with django_capture_on_commit_callbacks(execute=True):
        response = complete(user_client, body["id"], parts)
    assert response.status_code == 201, response.json()
    assert response.json()["original_filename"] == "song.mp3"
    assert queued == [(response.json()["id"],)]
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert bucket_keys(s3_client, s3_bucket) == [asset.storage_key]  # staging object gone


# --- rejected content -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n" + b"\n" * 200_000,
        os.urandom(300_000),
    ],
    ids=["playlist", "random-bytes"],
)
def test_content_that_is_not_media_leaves_no_object_no_asset(
    s3_storage, user_client, s3_client, s3_bucket, data, queued,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    body = open_upload(user_client, data, filename="x.mp3")
    parts = put_parts(user_client, body, data)
    with django_capture_on_commit_callbacks(execute=True):
        response = complete(user_client, body["id"], parts)
    assert response.status_code == 400
    # Random bytes sometimes probe as a stream of another kind (say, a picture): that is
    # `wrong_media_type`, a refusal like the others.
    rejections = {"invalid_media", "unsupported_format", "damaged_media", "wrong_media_type"}
    assert response.json()["code"] in rejections
    assert_nothing_left(s3_client, s3_bucket)
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.ABORTED
    assert queued == []
    retry = complete(user_client, body["id"], parts)
    assert retry.status_code == 410 and retry.json()["code"] == "upload_aborted"


def test_a_file_of_another_size_than_declared_is_removed(
    s3_storage, user_client, tone_mp3, s3_client, s3_bucket
):
    data = tone_mp3.read_bytes()
    response = start(user_client, len(data) + 1000)
    body = response.json()
    parts = put_parts(user_client, body, data)
    response = complete(user_client, body["id"], parts)
    assert response.status_code == 400 and response.json()["code"] == "size_mismatch"
    assert_nothing_left(s3_client, s3_bucket)
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.ABORTED


def test_parts_s3_refuses_keep_the_upload_open(
    s3_storage, user_client, tone_mp3, s3_client, s3_bucket, queued
):
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data)
    parts = put_parts(user_client, body, data)
    wrong = complete(user_client, body["id"], [{"part_number": 1, "etag": '"0123abcd"'}])
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_parts"
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.OPEN
    assert len(multipart_uploads(s3_client, s3_bucket)) == 1 and MediaAsset.objects.count() == 0
    assert complete(user_client, body["id"], parts).status_code == 201


@pytest.mark.parametrize(
    "parts",
    [[], [{"part_number": 2, "etag": "x"}], [{"part_number": 1, "etag": "x"}] * 2],
    ids=["none", "wrong-number", "twice"],
)
def test_a_parts_list_that_is_not_1_to_n_is_refused(
    s3_storage, user_client, tone_mp3, s3_client, s3_bucket, parts
):
    body = open_upload(user_client, tone_mp3.read_bytes())
    response = complete(user_client, body["id"], parts)
    assert response.status_code == 400
    assert [field.split(".")[0] for field in response.json()["errors"]] == ["parts"]
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.OPEN
    assert len(multipart_uploads(s3_client, s3_bucket)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_complete_while_one_runs_is_a_conflict(s3_storage, tone_mp3):
    client = client_for(UserFactory())
    data = tone_mp3.read_bytes()
    body = open_upload(client, data)
    parts = put_parts(client, body, data)
    locked, release = threading.Event(), threading.Event()

    def complete_in_progress():
        try:
            with transaction.atomic():
                DirectUpload.objects.select_for_update().get(id=body["id"])
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=complete_in_progress)
    holder.start()
    try:
        assert locked.wait(10)
        response = complete(client, body["id"], parts)
    finally:
        release.set()
        holder.join()
    assert response.status_code == 409 and response.json()["code"] == "upload_locked"
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.OPEN
    assert MediaAsset.objects.count() == 0


class StorageDown:
    def __getattr__(self, name):
        def call(**kwargs):
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

        return call


def test_storage_down_is_a_503_that_changes_nothing(
    s3_storage, user_client, tone_mp3, monkeypatch, s3_client, s3_bucket, queued
):
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data)
    parts = put_parts(user_client, body, data)
    real_client = storage.s3_client
    monkeypatch.setattr(storage, "s3_client", StorageDown)
    response = start(user_client, len(data))
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert DirectUpload.objects.count() == 1
    for response in (
        complete(user_client, body["id"], parts),
        user_client.delete(f"{URL}/{body['id']}"),
    ):
        assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.OPEN
    assert MediaAsset.objects.count() == 0
    monkeypatch.setattr(storage, "s3_client", real_client)  # back up: the retry completes
    assert complete(user_client, body["id"], parts).status_code == 201


# --- creation checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status_code", "code"),
    [
        ({"purpose": "audio", "size": 2 * 1024**3}, 413, "file_too_large"),
        ({"purpose": "thumbnail", "size": 26 * MIB}, 413, "file_too_large"),
        ({"purpose": "audio", "size": 0}, 400, "empty_file"),
        ({"purpose": "audio", "size": -1}, 400, "invalid"),
        ({"purpose": "podcast", "size": 10}, 400, "invalid"),
        ({"purpose": "document", "size": 10}, 403, "permission_denied"),
        ({"size": 10}, 400, "invalid"),
    ],
)
def test_creation_checks_leave_nothing(
    s3_storage, user_client, s3_client, s3_bucket, payload, status_code, code
):
    response = user_client.post(URL, payload, format="json")
    assert response.status_code == status_code, response.json()
    assert response.json()["code"] == code
    assert DirectUpload.objects.count() == 0
    assert multipart_uploads(s3_client, s3_bucket) == []


def test_moderators_may_upload_documents(s3_storage, admin_client_api):
    response = start(admin_client_api, 1000, purpose="document", filename="psalms.pdf")
    assert response.status_code == 201 and response.json()["purpose"] == "document"


def test_part_size_keeps_within_ten_thousand_parts():
    assert s3direct.part_size_for(1) == 8 * MIB
    assert s3direct.part_size_for(8 * 1024**3) == 8 * MIB
    for size in (80 * 1024**3 + 1, 5 * 1024**4):
        part = s3direct.part_size_for(size)
        assert part % MIB == 0 and -(-size // part) <= 10_000


def test_part_numbers_outside_the_upload_are_refused(s3_storage, user_client, tone_mp3):
    body = open_upload(user_client, tone_mp3.read_bytes())
    for numbers in ([2], [0], [], list(range(1, 102))):
        response = user_client.post(
            f"{URL}/{body['id']}/parts", {"part_numbers": numbers}, format="json"
        )
        assert response.status_code == 400, numbers


# --- cancel and expiry --------------------------------------------------------------------------


def test_cancelling_discards_the_parts(s3_storage, user_client, long_wav, s3_client, s3_bucket):
    data = long_wav.read_bytes()
    body = open_upload(user_client, data)
    parts = put_parts(user_client, body, data)
    assert user_client.delete(f"{URL}/{body['id']}").status_code == 204
    assert_nothing_left(s3_client, s3_bucket)
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.ABORTED
    assert user_client.delete(f"{URL}/{body['id']}").status_code == 204  # twice is fine
    assert complete(user_client, body["id"], parts).status_code == 410
    again = user_client.post(f"{URL}/{body['id']}/parts", {"part_numbers": [1]}, format="json")
    assert again.status_code == 410 and again.json()["code"] == "upload_aborted"


def test_a_completed_upload_cannot_be_cancelled(s3_storage, user_client, tone_mp3, queued):
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data)
    assert complete(user_client, body["id"], put_parts(user_client, body, data)).status_code == 201
    response = user_client.delete(f"{URL}/{body['id']}")
    assert response.status_code == 409 and response.json()["code"] == "upload_completed"
    parts = user_client.post(f"{URL}/{body['id']}/parts", {"part_numbers": [1]}, format="json")
    assert parts.status_code == 409
    assert MediaAsset.objects.count() == 1


def test_an_expired_upload_is_gone_and_aborted(
    s3_storage, user_client, tone_mp3, s3_client, s3_bucket
):
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data)
    parts = put_parts(user_client, body, data)
    DirectUpload.objects.filter(id=body["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    presign = user_client.post(f"{URL}/{body['id']}/parts", {"part_numbers": [1]}, format="json")
    assert presign.status_code == 410 and presign.json()["code"] == "upload_expired"
    response = complete(user_client, body["id"], parts)
    assert response.status_code == 410 and response.json()["code"] == "upload_expired"
    assert_nothing_left(s3_client, s3_bucket)
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.ABORTED


def test_purge_aborts_expired_open_uploads_only(
    s3_storage, user_client, tone_mp3, s3_client, s3_bucket
):
    data = tone_mp3.read_bytes()
    stale, fresh = open_upload(user_client, data), open_upload(user_client, data)
    put_parts(user_client, stale, data)
    DirectUpload.objects.filter(id=stale["id"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert s3direct.direct_upload_purge_expired() == 1
    assert s3direct.direct_upload_purge_expired() == 0
    statuses = dict(DirectUpload.objects.values_list("id", "status"))
    assert statuses == {
        uuid.UUID(stale["id"]): DirectUploadStatus.ABORTED,
        uuid.UUID(fresh["id"]): DirectUploadStatus.OPEN,
    }
    assert multipart_uploads(s3_client, s3_bucket) == [
        DirectUpload.objects.get(id=fresh["id"]).staging_key
    ]


# --- who may ------------------------------------------------------------------------------------


def test_only_the_owner_sees_an_upload(s3_storage, user_client, api_client, tone_mp3, s3_client,
                                       s3_bucket):  # fmt: skip
    data = tone_mp3.read_bytes()
    body = open_upload(user_client, data)
    parts = put_parts(user_client, body, data)
    stranger = client_for(UserFactory())
    moderator = client_for(UserFactory(is_staff=True))
    for other in (stranger, moderator):
        assert other.post(f"{URL}/{body['id']}/parts", {"part_numbers": [1]}, format="json") \
            .status_code == 404  # fmt: skip
        assert complete(other, body["id"], parts).status_code == 404
        assert other.delete(f"{URL}/{body['id']}").status_code == 404
    for method, url, payload in (
        ("post", URL, {"purpose": "audio", "size": 10}),
        ("post", f"{URL}/{body['id']}/parts", {"part_numbers": [1]}),
        ("post", f"{URL}/{body['id']}/complete", {"parts": parts}),
        ("delete", f"{URL}/{body['id']}", None),
    ):
        response = getattr(api_client, method)(url, payload, format="json")
        assert response.status_code == 401, url
    assert DirectUpload.objects.get(id=body["id"]).status == DirectUploadStatus.OPEN
    assert MediaAsset.objects.count() == 0 and DirectUpload.objects.count() == 1
    assert len(multipart_uploads(s3_client, s3_bucket)) == 1


def test_without_s3_every_route_answers_not_configured(user_client, api_client):
    some_id = uuid.uuid4()
    calls = [
        ("post", URL, {"purpose": "audio", "size": 10}),
        ("post", f"{URL}/{some_id}/parts", {"part_numbers": [1]}),
        ("post", f"{URL}/{some_id}/complete", {"parts": [{"part_number": 1, "etag": "x"}]}),
        ("delete", f"{URL}/{some_id}", None),
    ]
    for method, url, payload in calls:
        response = getattr(user_client, method)(url, payload, format="json")
        assert response.status_code == 503, url
        assert response.json()["code"] == "not_configured"
        assert getattr(api_client, method)(url, payload, format="json").status_code == 401
    assert DirectUpload.objects.count() == 0


def test_openapi_documents_the_direct_upload_routes_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("media.api.s3_urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS
    validate_schema(schema)
    operations = {
        (url, method): (operation["operationId"], operation["tags"])
        for url, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert operations == {
        ("/api/v1/uploads/s3/", "post"): ("uploads_s3_create", ["uploads"]),
        ("/api/v1/uploads/s3/{upload_id}/", "delete"): ("uploads_s3_abort", ["uploads"]),
        ("/api/v1/uploads/s3/{upload_id}/parts/", "post"): ("uploads_s3_parts", ["uploads"]),
        ("/api/v1/uploads/s3/{upload_id}/complete/", "post"): (
            "uploads_s3_complete",
            ["uploads"],
        ),
    }
