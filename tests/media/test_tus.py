"""tus 1.0.0 resumable uploads: a real tus client over real HTTP, and every refusal."""

import base64
import hashlib
import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.urls import include, path
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework_simplejwt.tokens import RefreshToken
from tusclient.client import TusClient

from media import samples, tus
from media.api.tus_views import add_tus_operations
from media.models import MediaAsset, TusUpload
from tests.conftest import client_for
from tests.factories import UserFactory

URL = "/api/v1/uploads"
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
CHUNK_TYPE = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def tus_dir(settings, tmp_path) -> Path:
    settings.MEDIA_TUS_DIR = str(tmp_path / "tus")
    return tmp_path / "tus"


@pytest.fixture(autouse=True)
def scheduled(monkeypatch) -> list:
    """The processing pipeline is not under test: record what would have been queued."""
    queued = []
    monkeypatch.setattr(
        "media.services.asset_schedule_processing", lambda *, asset: queued.append(asset.id)
    )
    return queued


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def metadata(**values: str) -> str:
    return ",".join(f"{key} {b64(value)}" for key, value in values.items())


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def create(client, length: int, meta: str | None = None, **headers):
    meta = metadata(kind="audio", filename="sermon.mp3") if meta is None else meta
    return client.post(
        URL, HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=meta, **TUS, **headers
    )


def new_upload(client, length: int, **meta: str) -> TusUpload:
    response = create(client, length, metadata(**meta) if meta else None)
    assert response.status_code == 201, response.content
    return TusUpload.objects.get(pk=response["Location"].rsplit("/", 1)[1])


def patch(client, upload: TusUpload, data: bytes, offset: int, **headers):
    headers = {"HTTP_UPLOAD_OFFSET": str(offset), **TUS, **headers}
    content_type = headers.pop("content_type", CHUNK_TYPE)
    return client.generic(
        "PATCH", f"{URL}/{upload.id}", data=data, content_type=content_type, **headers
    )


def part(tus_dir: Path, upload) -> Path:
    return tus_dir / f"{upload.id}.part"


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


# --- A real tus client over real HTTP ------------------------------------------------------


def test_tuspy_resumes_an_interrupted_upload_from_the_server_offset(
    live_server, transactional_db, tmp_path, tus_dir, scheduled
):
    user = UserFactory()
    source = samples.make_tone(tmp_path / "sermon.mp3", seconds=20)
    size, chunk = source.stat().st_size, 64 * 1024
    assert size > 4 * chunk
    client = TusClient(f"{live_server.url}/api/v1/uploads/", headers=bearer(user))
    first = client.uploader(
        file_path=str(source), chunk_size=chunk, metadata={"kind": "audio", "filename": "a.mp3"}
    )
    first.upload_chunk()
    first.upload_chunk()  # ...and then the app is killed

    upload = TusUpload.objects.get()
    assert first.url == f"{live_server.url}/api/v1/uploads/{upload.id}"
    assert (upload.owner, upload.offset, upload.upload_length) == (user, 2 * chunk, size)
    assert part(tus_dir, upload).stat().st_size == 2 * chunk

    # A new uploader knows only the URL: it asks the server (HEAD) where to go on from.
    resumed = client.uploader(file_path=str(source), url=first.url, chunk_size=chunk)
    assert resumed.offset == 2 * chunk
    resumed.upload()

    asset = MediaAsset.objects.get()
    assert resumed.request.response_headers["upload-asset-id"] == str(asset.id)
    assert resumed.offset == size
    assert (asset.owner, asset.kind, asset.purpose) == (user, "audio", "audio")
    assert (asset.original_filename, asset.size_bytes) == ("a.mp3", size)
    assert asset.checksum_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    upload.refresh_from_db()
    assert (upload.offset, upload.asset_id) == (size, asset.id)
    assert upload.completed_at is not None
    assert files_in(tus_dir) == []
    assert scheduled == [asset.id]


def test_tuspy_with_sha1_checksums_uploads_a_video_for_a_purpose(
    live_server, transactional_db, tmp_path, tus_dir, scheduled
):
    user = UserFactory()
    source = samples.make_video(tmp_path / "story.mp4", seconds=2)
    client = TusClient(f"{live_server.url}/api/v1/uploads", headers=bearer(user))
    uploader = client.uploader(
        file_path=str(source),
        chunk_size=32 * 1024,
        upload_checksum=True,
        metadata={"kind": "bible_story", "filename": "story.mp4"},
    )
    uploader.upload()

    asset = MediaAsset.objects.get()
    assert uploader.request.response_headers["upload-asset-id"] == str(asset.id)
    assert (asset.kind, asset.purpose, asset.size_bytes) == (
        "video",
        "bible_story",
        source.stat().st_size,
    )
    assert asset.checksum_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert files_in(tus_dir) == []
    assert scheduled == [asset.id]


def _raw_patch_start(live_server, url: str, user, offset: int, length: int) -> socket.socket:
    """Open a PATCH by hand so the body can stop (or stall) halfway."""
    sock = socket.create_connection((live_server.thread.host, live_server.thread.port))
    head = (
        f"PATCH {url} HTTP/1.1\r\nHost: {live_server.thread.host}\r\n"
        f"Authorization: {bearer(user)['Authorization']}\r\nTus-Resumable: 1.0.0\r\n"
        f"Upload-Offset: {offset}\r\nContent-Type: {CHUNK_TYPE}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(head.encode())
    return sock


def _wait_for(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_client_gone_mid_chunk_keeps_the_bytes_that_arrived(
    live_server, transactional_db, tmp_path, tus_dir
):
    user = UserFactory()
    data = samples.make_tone(tmp_path / "t.mp3", seconds=10).read_bytes()
    headers = {**bearer(user), "Tus-Resumable": "1.0.0"}
    created = requests.post(
        f"{live_server.url}{URL}",
        headers={
            **headers,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(kind="audio"),
        },
    )
    assert created.status_code == 201
    url = created.headers["Location"]
    upload = TusUpload.objects.get()

    sock = _raw_patch_start(live_server, f"{URL}/{upload.id}", user, 0, len(data))
    sock.sendall(data[:100_000])
    sock.close()  # the network drops
    _wait_for(lambda: TusUpload.objects.get().offset != 0)

    status = requests.head(url, headers=headers)
    assert (status.status_code, status.headers["Upload-Offset"]) == (200, "100000")
    assert part(tus_dir, upload).stat().st_size == 100_000
    done = requests.patch(
        url,
        data=data[100_000:],
        headers={**headers, "Upload-Offset": "100000", "Content-Type": CHUNK_TYPE},
    )
    assert done.status_code == 204
    assert done.headers["Upload-Asset-Id"] == str(MediaAsset.objects.get().id)
    assert MediaAsset.objects.get().checksum_sha256 == hashlib.sha256(data).hexdigest()


def test_a_second_patch_while_one_is_writing_is_refused(
    live_server, transactional_db, tmp_path, tus_dir
):
    user = UserFactory()
    data = samples.make_tone(tmp_path / "t.mp3", seconds=10).read_bytes()
    headers = {**bearer(user), "Tus-Resumable": "1.0.0"}
    created = requests.post(
        f"{live_server.url}{URL}",
        headers={
            **headers,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(kind="audio"),
        },
    )
    url = created.headers["Location"]
    upload = TusUpload.objects.get()

    sock = _raw_patch_start(live_server, f"{URL}/{upload.id}", user, 0, 150_000)
    sock.sendall(data[:100_000])  # the first PATCH holds the row lock and is still writing
    _wait_for(lambda: part(tus_dir, upload).stat().st_size >= tus.READ_BLOCK)

    second = requests.patch(
        url, data=data[:1000], headers={**headers, "Upload-Offset": "0", "Content-Type": CHUNK_TYPE}
    )
    assert second.status_code == 409
    assert second.json() == {
        "detail": "Another request is writing to this upload.",
        "code": "upload_locked",
    }
    terminate = requests.delete(url, headers=headers)
    assert terminate.status_code == 409

    sock.sendall(data[100_000:150_000])
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    assert reply.startswith(b"HTTP/1.1 204")
    assert b"Upload-Offset: 150000\r\n" in reply
    assert TusUpload.objects.get().offset == 150_000
    assert part(tus_dir, upload).read_bytes() == data[:150_000]


@pytest.fixture
def no_row_locks(monkeypatch):
    """The database as SQLite has it: select_for_update() locks nothing."""
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "has_select_for_update", False)


def test_two_patches_at_one_offset_store_exactly_one_chunk_without_row_locks(
    live_server, transactional_db, tmp_path, tus_dir, no_row_locks
):
    user = UserFactory()
    first, second = os.urandom(150_000), os.urandom(150_000)
    headers = {**bearer(user), "Tus-Resumable": "1.0.0"}
    created = requests.post(
        f"{live_server.url}{URL}",
        headers={**headers, "Upload-Length": "300000", "Upload-Metadata": metadata(kind="audio")},
    )
    url = created.headers["Location"]
    upload = TusUpload.objects.get()

    sock = _raw_patch_start(live_server, f"{URL}/{upload.id}", user, 0, len(first))
    try:
        sock.sendall(first[:100_000])  # the first PATCH is writing, and stalls
        _wait_for(lambda: part(tus_dir, upload).stat().st_size >= tus.READ_BLOCK)

        loser = requests.patch(
            url,
            data=second,
            headers={**headers, "Upload-Offset": "0", "Content-Type": CHUNK_TYPE},
        )
        assert loser.status_code == 409
        assert loser.json()["code"] == "upload_locked"
        assert requests.delete(url, headers=headers).status_code == 409

        sock.sendall(first[100_000:])
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    finally:
        sock.close()  # a failed assertion must not leave the server's request waiting
    assert reply.startswith(b"HTTP/1.1 204")
    assert TusUpload.objects.get().offset == 150_000
    assert part(tus_dir, upload).read_bytes() == first


def test_a_patch_while_another_request_holds_the_data_file_changes_nothing(
    user_client, tus_dir, no_row_locks
):
    upload = new_upload(user_client, 3000)
    assert patch(user_client, upload, b"a" * 1000, 0).status_code == 204
    with tus._data_file_locked(part(tus_dir, upload)):  # as a concurrent PATCH holds it
        response = patch(user_client, upload, b"b" * 1000, 1000)
        assert response.status_code == 409
        assert response.json() == {
            "detail": "Another request is writing to this upload.",
            "code": "upload_locked",
        }
        assert user_client.delete(f"{URL}/{upload.id}", **TUS).status_code == 409
        assert tus.tus_purge_expired() == 0
    upload.refresh_from_db()
    assert upload.offset == 1000
    assert part(tus_dir, upload).read_bytes() == b"a" * 1000
    assert patch(user_client, upload, b"b" * 1000, 1000).status_code == 204


def test_someone_elses_upload_is_not_found_even_while_it_is_being_written(user_client, tus_dir):
    upload = new_upload(user_client, 3000)
    stranger = client_for(UserFactory())
    with tus._data_file_locked(part(tus_dir, upload)):
        assert patch(stranger, upload, b"b" * 10, 0).status_code == 404


# --- Discovery and creation ---------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, f"{URL}/", f"{URL}/0b9e4a52-6a1e-4c59-9d43-1d2f7a0c7e11"])
def test_options_lists_the_capabilities_without_credentials(api_client, settings, url):
    settings.MEDIA_MAX_UPLOAD_BYTES = {"audio": 10, "video": 5000, "image": 20, "document": 30}
    response = api_client.options(url)
    assert response.status_code == 204
    assert response.content == b""
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination,expiration,checksum"
    assert response["Tus-Max-Size"] == "5000"
    assert response["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


@pytest.mark.parametrize("url", [URL, f"{URL}/"])
def test_create_answers_with_an_absolute_location_and_expiry(user_client, user, tus_dir, url):
    response = user_client.post(
        url,
        HTTP_UPLOAD_LENGTH="12345",
        HTTP_UPLOAD_METADATA=metadata(kind="audio", filename="sermon.mp3"),
        **TUS,
    )
    assert response.status_code == 201
    upload = TusUpload.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/uploads/{upload.id}"
    assert response["Upload-Expires"] == http_date(upload.expires_at.timestamp())
    assert response["Tus-Resumable"] == "1.0.0"
    assert (upload.owner, upload.upload_length, upload.offset) == (user, 12345, 0)
    assert upload.metadata == {"kind": "audio", "filename": "sermon.mp3"}
    assert upload.completed_at is None and upload.asset is None
    expected = timezone.now() + timedelta(hours=24)
    assert abs((upload.expires_at - expected).total_seconds()) < 60
    assert part(tus_dir, upload).read_bytes() == b""


def test_head_reports_offset_length_metadata_and_expiry(user_client, tus_dir):
    meta = metadata(kind="image", filename="Père Noël.jpg")
    upload = TusUpload.objects.get(pk=create(user_client, 100, meta)["Location"].rsplit("/")[-1])
    assert patch(user_client, upload, b"x" * 40, 0).status_code == 204

    response = user_client.head(f"{URL}/{upload.id}/", **TUS)
    upload.refresh_from_db()
    assert response.status_code == 200
    assert response.content == b""
    assert response["Upload-Offset"] == "40"
    assert response["Upload-Length"] == "100"
    assert response["Upload-Metadata"] == meta
    assert response["Upload-Expires"] == http_date(upload.expires_at.timestamp())
    assert response["Cache-Control"] == "no-store"
    assert response["Tus-Resumable"] == "1.0.0"
    assert "Upload-Asset-Id" not in response


@pytest.mark.parametrize(
    ("headers", "detail", "code"),
    [
        ({}, "The Upload-Length header is required.", "invalid_header"),
        (
            {"HTTP_UPLOAD_LENGTH": "-1"},
            "Upload-Length must be a non-negative integer.",
            "invalid_header",
        ),
        (
            {"HTTP_UPLOAD_LENGTH": "1.5"},
            "Upload-Length must be a non-negative integer.",
            "invalid_header",
        ),
        (
            {"HTTP_UPLOAD_DEFER_LENGTH": "1"},
            "Upload-Defer-Length is not supported; send Upload-Length.",
            "invalid_header",
        ),
        ({"HTTP_UPLOAD_LENGTH": "0"}, "The file is empty.", "empty_file"),
    ],
)
def test_create_refuses_bad_lengths(user_client, tus_dir, headers, detail, code):
    meta = metadata(kind="audio")
    response = user_client.post(URL, HTTP_UPLOAD_METADATA=meta, **TUS, **headers)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": code}
    assert TusUpload.objects.count() == 0
    assert files_in(tus_dir) == []


KINDS = "audio, bible_story, document, image, movie_poster, profile, quote, thumbnail, video"


BAD_KIND = f"Upload-Metadata kind must be one of: {KINDS}."
NOT_BASE64 = "Upload-Metadata value for 'kind' is not base64-encoded UTF-8."
MALFORMED = "Upload-Metadata is malformed."


@pytest.mark.parametrize(
    ("meta", "detail", "code"),
    [
        ("", BAD_KIND, "invalid_kind"),
        (metadata(filename="a.mp3"), BAD_KIND, "invalid_kind"),
        (metadata(kind="podcast"), BAD_KIND, "invalid_kind"),
        ("kind !!!!", NOT_BASE64, "invalid_metadata"),
        ("kind /w==", NOT_BASE64, "invalid_metadata"),
        (f"kind {b64('audio')} extra", MALFORMED, "invalid_metadata"),
        (f"kind {b64('audio')},kind {b64('video')}", MALFORMED, "invalid_metadata"),
        (f"kind {b64('audio')},,", MALFORMED, "invalid_metadata"),
        ("k" * 9000, "Upload-Metadata is too long.", "invalid_metadata"),
    ],
)
def test_create_refuses_bad_metadata(user_client, tus_dir, meta, detail, code):
    response = create(user_client, 1000, meta)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": code}
    assert TusUpload.objects.count() == 0
    assert files_in(tus_dir) == []


@pytest.mark.parametrize(
    ("kind", "length", "detail"),
    [
        ("audio", 1024**3 + 1, "The file is larger than the 1024 MB allowed for audio."),
        ("profile", 25 * 1024**2 + 1, "The file is larger than the 25 MB allowed for image."),
        ("video", 8 * 1024**3 + 1, "The file is larger than the 8192 MB allowed for video."),
    ],
)
def test_create_refuses_oversize_before_storing_anything(
    user_client, tus_dir, kind, length, detail
):
    response = create(user_client, length, metadata(kind=kind))
    assert response.status_code == 413
    assert response.json() == {"detail": detail, "code": "file_too_large"}
    assert TusUpload.objects.count() == 0
    assert files_in(tus_dir) == []


def test_documents_are_for_moderators_only(user_client, admin_client_api, tus_dir):
    refused = create(user_client, 1000, metadata(kind="document", filename="notes.pdf"))
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only moderators may upload documents.",
        "code": "permission_denied",
    }
    assert TusUpload.objects.count() == 0

    moderator = client_for(UserFactory(is_staff=True))
    assert create(moderator, 1000, metadata(kind="document")).status_code == 201
    assert create(admin_client_api, 1000, metadata(kind="document")).status_code == 201
    assert TusUpload.objects.count() == 2


# --- Protocol version and access -----------------------------------------------------------


@pytest.mark.parametrize("version", [None, "0.2.2", "1.0"])
@pytest.mark.parametrize("method", ["post", "head", "patch", "delete"])
def test_requests_without_tus_1_0_0_get_412(user_client, tus_dir, method, version):
    upload = new_upload(user_client, 10, kind="audio")
    headers = {} if version is None else {"HTTP_TUS_RESUMABLE": version}
    url = URL if method == "post" else f"{URL}/{upload.id}"
    response = user_client.generic(
        method.upper(),
        url,
        data=b"0123456789" if method == "patch" else b"",
        content_type=CHUNK_TYPE,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=metadata(kind="audio"),
        HTTP_UPLOAD_OFFSET="0",
        **headers,
    )
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    if method != "head":
        assert response.json() == {
            "detail": "Send the header Tus-Resumable: 1.0.0.",
            "code": "tus_version_unsupported",
        }
    assert list(TusUpload.objects.values_list("id", "offset")) == [(upload.id, 0)]
    assert part(tus_dir, upload).read_bytes() == b""


@pytest.mark.parametrize("method", ["post", "head", "patch", "delete"])
@pytest.mark.parametrize(
    ("authorization", "code"), [(None, "not_authenticated"), ("Bearer x.y.z", "token_not_valid")]
)
def test_anonymous_and_bad_tokens_get_401(
    api_client, user_client, tus_dir, method, authorization, code
):
    upload = new_upload(user_client, 10, kind="audio")
    if authorization:
        api_client.credentials(HTTP_AUTHORIZATION=authorization)
    url = URL if method == "post" else f"{URL}/{upload.id}"
    response = api_client.generic(
        method.upper(),
        url,
        data=b"0123456789" if method == "patch" else b"",
        content_type=CHUNK_TYPE,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=metadata(kind="audio"),
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    if method != "head":
        assert response.json()["code"] == code
    assert list(TusUpload.objects.values_list("id", "offset")) == [(upload.id, 0)]
    assert part(tus_dir, upload).read_bytes() == b""


@pytest.mark.parametrize("method", ["head", "patch", "delete"])
def test_another_users_upload_is_not_found(user_client, tus_dir, method):
    upload = new_upload(user_client, 10, kind="audio")
    stranger = client_for(UserFactory())
    for target in (upload.id, "0b9e4a52-6a1e-4c59-9d43-1d2f7a0c7e11"):
        response = stranger.generic(
            method.upper(),
            f"{URL}/{target}",
            data=b"0123456789" if method == "patch" else b"",
            content_type=CHUNK_TYPE,
            HTTP_UPLOAD_OFFSET="0",
            **TUS,
        )
        assert response.status_code == 404
        if method != "head":
            assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert list(TusUpload.objects.values_list("id", "offset")) == [(upload.id, 0)]
    assert part(tus_dir, upload).read_bytes() == b""


# --- Appending chunks ----------------------------------------------------------------------


def test_chunks_append_at_the_offset_and_push_the_expiry(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    TusUpload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() + timedelta(hours=1))

    first = patch(user_client, upload, b"01234", 0)
    upload.refresh_from_db()
    assert first.status_code == 204
    assert first["Upload-Offset"] == "5"
    assert first["Upload-Expires"] == http_date(upload.expires_at.timestamp())
    assert upload.expires_at > timezone.now() + timedelta(hours=23)
    assert "Upload-Asset-Id" not in first
    assert patch(user_client, upload, b"", 5).status_code == 204
    assert part(tus_dir, upload).read_bytes() == b"01234"
    assert TusUpload.objects.get().offset == 5


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "application/json", "text/plain"]
)
def test_patch_needs_the_offset_octet_stream_content_type(user_client, tus_dir, content_type):
    upload = new_upload(user_client, 10, kind="audio")
    response = patch(user_client, upload, b"01234", 0, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {
        "detail": f'Unsupported media type "{content_type}" in request.',
        "code": "unsupported_media_type",
    }
    assert TusUpload.objects.get().offset == 0
    assert part(tus_dir, upload).read_bytes() == b""


def test_patch_at_the_wrong_offset_conflicts(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, upload, b"012", 0).status_code == 204
    for offset in (0, 5):
        response = patch(user_client, upload, b"34", offset)
        assert response.status_code == 409
        assert response.json() == {
            "detail": f"Upload-Offset {offset} does not match the upload's offset 3.",
            "code": "offset_mismatch",
        }
    assert TusUpload.objects.get().offset == 3
    assert part(tus_dir, upload).read_bytes() == b"012"


@pytest.mark.parametrize(
    ("headers", "detail", "code"),
    [
        (
            {"HTTP_UPLOAD_OFFSET": "x"},
            "Upload-Offset must be a non-negative integer.",
            "invalid_header",
        ),
        (
            {"HTTP_UPLOAD_CHECKSUM": "crc32 AAAAAA=="},
            "Unsupported checksum algorithm; use one of sha1, sha256, md5.",
            "unsupported_checksum_algorithm",
        ),
        (
            {"HTTP_UPLOAD_CHECKSUM": "sha1 !!!"},
            "Upload-Checksum is not base64.",
            "invalid_checksum",
        ),
        ({"HTTP_UPLOAD_CHECKSUM": "sha1"}, "Upload-Checksum has no digest.", "invalid_checksum"),
    ],
)
def test_patch_refuses_bad_headers(user_client, tus_dir, headers, detail, code):
    upload = new_upload(user_client, 10, kind="audio")
    response = patch(user_client, upload, b"01234", 0, **headers)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": code}
    assert TusUpload.objects.get().offset == 0
    assert part(tus_dir, upload).read_bytes() == b""


def test_patch_never_writes_past_upload_length(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, upload, b"0123", 0).status_code == 204
    response = patch(user_client, upload, b"4567890", 4)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The chunk would run past Upload-Length.",
        "code": "exceeds_upload_length",
    }
    assert TusUpload.objects.get().offset == 4
    assert part(tus_dir, upload).read_bytes() == b"0123"


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "md5"])
def test_checksummed_chunks_are_verified(user_client, tus_dir, algorithm):
    upload = new_upload(user_client, 10, kind="audio")
    good = patch(
        user_client, upload, b"01234", 0, HTTP_UPLOAD_CHECKSUM=checksum(algorithm, b"01234")
    )
    assert (good.status_code, good["Upload-Offset"]) == (204, "5")

    bad = patch(
        user_client, upload, b"56789", 5, HTTP_UPLOAD_CHECKSUM=checksum(algorithm, b"5678X")
    )
    assert bad.status_code == 460
    assert bad.reason_phrase == "Checksum Mismatch"
    assert bad.json() == {
        "detail": "The chunk does not match its Upload-Checksum; it was discarded.",
        "code": "checksum_mismatch",
    }
    assert TusUpload.objects.get().offset == 5
    assert part(tus_dir, upload).read_bytes() == b"01234"


def test_method_override_tunnels_patch_and_delete_through_post(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    response = user_client.generic(
        "POST",
        f"{URL}/{upload.id}",
        data=b"012",
        content_type=CHUNK_TYPE,
        HTTP_X_HTTP_METHOD_OVERRIDE="PATCH",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert (response.status_code, response["Upload-Offset"]) == (204, "3")
    response = user_client.post(f"{URL}/{upload.id}", HTTP_X_HTTP_METHOD_OVERRIDE="DELETE", **TUS)
    assert response.status_code == 204
    assert TusUpload.objects.count() == 0


def test_a_full_disk_refuses_the_chunk_with_503(user_client, tus_dir, monkeypatch):
    upload = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, upload, b"012", 0).status_code == 204

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tus, "_write_chunk", disk_full)
    response = patch(user_client, upload, b"345", 3)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Upload storage is unavailable; try again shortly.",
        "code": "service_unavailable",
    }
    assert TusUpload.objects.get().offset == 3


def test_an_upload_whose_data_file_is_gone_is_410_and_removed(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, upload, b"012", 0).status_code == 204
    part(tus_dir, upload).unlink()

    response = patch(user_client, upload, b"345", 3)
    assert response.status_code == 410
    assert response.json() == {
        "detail": "The upload's data was lost; start a new upload.",
        "code": "upload_lost",
    }
    assert TusUpload.objects.count() == 0


# --- Completion ----------------------------------------------------------------------------


def test_the_last_chunk_makes_an_asset(user_client, user, tus_dir, scheduled):
    image = samples.make_image_bytes("Quote of the day")
    upload = new_upload(user_client, len(image), kind="image", filename="quote.jpg")
    assert patch(user_client, upload, image[:1000], 0).status_code == 204

    response = patch(user_client, upload, image[1000:], 1000)
    asset = MediaAsset.objects.get()
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(image))
    assert response["Upload-Asset-Id"] == str(asset.id)
    assert "Upload-Expires" not in response
    assert (asset.owner, asset.kind, asset.purpose, asset.status) == (
        user,
        "image",
        "thumbnail",
        "ready",
    )
    assert asset.original_filename == "quote.jpg"
    assert files_in(tus_dir) == []
    assert scheduled == []  # images need no processing

    status = user_client.head(f"{URL}/{upload.id}", **TUS)
    assert status["Upload-Offset"] == status["Upload-Length"] == str(len(image))
    assert status["Upload-Asset-Id"] == str(asset.id)
    assert "Upload-Expires" not in status
    # A client that lost the last answer may repeat an empty PATCH at the end: same asset.
    again = patch(user_client, upload, b"", len(image))
    assert (again.status_code, again["Upload-Asset-Id"]) == (204, str(asset.id))
    assert MediaAsset.objects.count() == 1


def test_a_file_that_is_not_media_is_rejected_and_leaves_nothing(
    user_client, tus_dir, tmp_path, settings, scheduled
):
    text = b"These are my sermon notes, not an MP3 at all.\n" * 50
    upload = new_upload(user_client, len(text), kind="audio", filename="sermon.mp3")
    assert patch(user_client, upload, text[:1000], 0).status_code == 204

    response = patch(user_client, upload, text[1000:], 1000)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The file is not a readable audio or video file.",
        "code": "invalid_media",
    }
    assert MediaAsset.objects.count() == 0
    assert TusUpload.objects.count() == 0
    assert files_in(tus_dir) == []
    assert files_in(Path(settings.MEDIA_ROOT)) == []
    assert scheduled == []


# --- Termination and expiration ------------------------------------------------------------


def test_termination_deletes_the_upload_and_its_bytes(user_client, tus_dir):
    upload = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, upload, b"0123", 0).status_code == 204

    response = user_client.delete(f"{URL}/{upload.id}/", **TUS)
    assert response.status_code == 204
    assert response.content == b""
    assert TusUpload.objects.count() == 0
    assert files_in(tus_dir) == []
    assert user_client.head(f"{URL}/{upload.id}", **TUS).status_code == 404
    assert user_client.delete(f"{URL}/{upload.id}", **TUS).status_code == 404


def test_expired_uploads_are_gone_and_purged(user_client, tus_dir):
    expired = new_upload(user_client, 10, kind="audio")
    live = new_upload(user_client, 10, kind="audio")
    assert patch(user_client, expired, b"0123", 0).status_code == 204
    TusUpload.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert user_client.head(f"{URL}/{expired.id}", **TUS).status_code == 410
    response = patch(user_client, expired, b"4567", 4)
    assert response.status_code == 410
    assert response.json() == {
        "detail": "This upload has expired; start a new one.",
        "code": "upload_expired",
    }
    assert part(tus_dir, expired).read_bytes() == b"0123"

    orphan = tus_dir / "0b9e4a52-6a1e-4c59-9d43-1d2f7a0c7e11.part"
    orphan.write_bytes(b"left by a crash")
    day_ago = time.time() - 25 * 3600
    os.utime(orphan, (day_ago, day_ago))

    assert tus.tus_purge_expired() == 1
    assert list(TusUpload.objects.values_list("id", flat=True)) == [live.id]
    assert files_in(tus_dir) == [f"{live.id}.part"]
    assert tus.tus_purge_expired() == 0


def test_finished_uploads_never_expire(user_client, tus_dir):
    image = samples.make_image_bytes("Poster")
    upload = new_upload(user_client, len(image), kind="movie_poster")
    assert patch(user_client, upload, image, 0).status_code == 204
    TusUpload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(days=2))

    assert user_client.head(f"{URL}/{upload.id}", **TUS).status_code == 200
    assert tus.tus_purge_expired() == 0
    assert TusUpload.objects.get().asset == MediaAsset.objects.get()


# --- OpenAPI -------------------------------------------------------------------------------


def test_openapi_documents_every_tus_operation_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("media.api.tus_urls"))])
    schema = add_tus_operations(generator.get_schema(request=None, public=True), None, None, True)
    assert not GENERATOR_STATS
    validate_schema(schema)
    operations = {
        (url, method): operation["operationId"]
        for url, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert operations == {
        ("/api/v1/uploads/", "post"): "uploads_create",
        ("/api/v1/uploads/", "options"): "uploads_capabilities",
        ("/api/v1/uploads/{upload_id}/", "head"): "uploads_status",
        ("/api/v1/uploads/{upload_id}/", "patch"): "uploads_append",
        ("/api/v1/uploads/{upload_id}/", "delete"): "uploads_terminate",
        ("/api/v1/uploads/{upload_id}/", "options"): "uploads_upload_capabilities",
    }
    patch_op = schema["paths"]["/api/v1/uploads/{upload_id}/"]["patch"]
    assert set(patch_op["responses"]["204"]["headers"]) == {
        "Upload-Offset",
        "Upload-Expires",
        "Upload-Asset-Id",
        "Tus-Resumable",
    }
    assert {"409", "410", "412", "415", "460"} <= set(patch_op["responses"])
    assert all(
        op["tags"] == ["uploads"] for item in schema["paths"].values() for op in item.values()
    )
