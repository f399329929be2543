import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from PIL import Image

from media.models import MediaAsset

URL = "/api/v1/auth/me/avatar"
KEY_PATTERN = re.compile(r"^images/profiles/[0-9a-f-]{36}\.jpg$")

pytestmark = pytest.mark.django_db


def _image(fmt: str, size=(64, 48), mode="RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)).save(
        buffer, format=fmt, **save
    )
    return buffer.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return _image("JPEG", exif=exif.tobytes())


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size but holds no pixels (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + end


def _upload(client, content: bytes, name="photo.jpg", content_type="image/jpeg", url=URL):
    return client.post(
        url, {"file": SimpleUploadedFile(name, content, content_type)}, format="multipart"
    )


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_avatar_upload_reencodes_and_strips_metadata(user_client, user, settings, url):
    response = _upload(user_client, _jpeg_with_exif(), url=url)

    assert response.status_code == 200
    asset = MediaAsset.objects.get()
    assert KEY_PATTERN.match(asset.storage_key)
    assert (asset.kind, asset.status, asset.owner, asset.content_type) == (
        "image",
        "ready",
        user,
        "image/jpeg",
    )
    assert (asset.width, asset.height) == (64, 48)
    stored = Path(settings.MEDIA_ROOT) / asset.storage_key
    assert asset.size_bytes == stored.stat().st_size
    with Image.open(stored) as saved:
        assert saved.format == "JPEG"
        assert "exif" not in saved.info
        assert len(saved.getexif()) == 0
    assert b"SpyCam" not in stored.read_bytes()
    user.refresh_from_db()
    assert user.avatar == asset
    url = response.json()["avatar_url"]
    assert url.startswith(f"http://testserver/media/s/{asset.id}/") and url.endswith("/original")
    assert user_client.get(url.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (_image("PNG", mode="RGBA"), "a.png"),
        (_image("WEBP"), "a.webp"),
        (_image("GIF", mode="P"), "a.gif"),
    ],
)
def test_avatar_accepts_png_webp_gif(user_client, content, name):
    response = _upload(user_client, content, name=name, content_type="application/octet-stream")

    assert response.status_code == 200
    assert MediaAsset.objects.get().content_type == "image/jpeg"


def test_large_avatars_are_scaled_down(user_client):
    response = _upload(user_client, _image("PNG", size=(3000, 1500)), name="big.png")

    assert response.status_code == 200
    asset = MediaAsset.objects.get()
    assert (asset.width, asset.height) == (1024, 512)


def test_replacing_the_avatar_removes_the_old_file(
    user_client, user, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(user_client, _image("JPEG"))
    first = MediaAsset.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(user_client, _image("PNG"), name="b.png")

    assert response.status_code == 200
    second = MediaAsset.objects.get()
    assert second.pk != first.pk
    # The old picture went with its renditions; the new one has its own (avatar size: 64 px).
    root = Path(settings.MEDIA_ROOT)
    assert sorted(_stored_files(settings)) == sorted(
        [
            root / second.storage_key,
            *(root / second.output_prefix / "img" / f"w64.{ext}" for ext in ("jpg", "webp")),
        ]
    )
    assert str(first.id) not in " ".join(map(str, _stored_files(settings)))


def _refused(response, settings, user, code_fragment):
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["file"]
    assert code_fragment in body["errors"]["file"][0]
    assert MediaAsset.objects.count() == 0
    assert _stored_files(settings) == []
    user.refresh_from_db()
    assert user.avatar_id is None


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
            "JPEG, PNG",
        ),
        (b"<html><script>alert(1)</script></html>", "a.png", "JPEG, PNG"),
        (_image("BMP"), "a.bmp", "JPEG, PNG"),
        (_image("TIFF"), "a.tiff", "JPEG, PNG"),
        (_image("JPEG")[:200], "cut.jpg", "damaged"),
        (_png_header(50_000, 50_000), "bomb.png", "too many pixels"),
        (_png_header(8_000, 6_000), "huge.png", "too many pixels"),
        (b"", "empty.jpg", "empty"),
    ],
)
def test_avatar_refusals_store_nothing(user_client, user, settings, content, name, message):
    response = _upload(user_client, content, name=name)
    _refused(response, settings, user, message)


def test_avatar_pixel_limit_is_checked_before_decoding(user_client, user, settings, monkeypatch):
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)

    response = _upload(user_client, _png_header(8_000, 6_000), name="huge.png")

    _refused(response, settings, user, "too many pixels")
    assert decoded == []


def test_avatar_over_the_size_limit_is_refused(user_client, user, settings, monkeypatch):
    monkeypatch.setattr("accounts.images.MAX_UPLOAD_BYTES", 1000)
    response = _upload(user_client, _image("PNG", size=(300, 300)) + b"\0" * 1000)
    _refused(response, settings, user, "at most")


def test_avatar_requires_a_file(user_client, user):
    response = user_client.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_avatar_requires_authentication(api_client):
    response = _upload(api_client, _image("JPEG"))
    assert response.status_code == 401
    assert MediaAsset.objects.count() == 0


def test_storage_outage_is_503_and_leaves_no_row(user_client, user, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk unavailable")

    monkeypatch.setattr(FileSystemStorage, "save", broken)

    response = _upload(user_client, _image("JPEG"))

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert MediaAsset.objects.count() == 0


def test_database_failure_after_storing_removes_the_file(user_client, user, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(MediaAsset.objects, "create", broken)

    response = _upload(user_client, _image("JPEG"))

    assert response.status_code == 503
    assert _stored_files(settings) == []
    user.refresh_from_db()
    assert user.avatar_id is None


def test_both_avatar_endpoints_replace_and_remove_the_previous_picture(
    user_client, user, settings, django_capture_on_commit_callbacks
):
    media_url = "/api/v1/upload/profile-image"
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(user_client, _image("JPEG")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(user_client, _image("PNG"), name="b.png", url=media_url)
    assert response.status_code == 201, response.content
    via_media = MediaAsset.objects.get()
    user.refresh_from_db()
    assert user.avatar_id == via_media.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(user_client, _image("JPEG"), name="c.jpg", url=media_url)
    assert response.status_code == 201, response.content
    latest = MediaAsset.objects.get()  # the one before it is gone, row and files
    user.refresh_from_db()
    assert user.avatar_id == latest.pk != via_media.pk
    stored = _stored_files(settings)
    assert Path(settings.MEDIA_ROOT) / latest.storage_key in stored
    assert not any(str(via_media.pk) in str(path) for path in stored)
    assert not (Path(settings.MEDIA_ROOT) / via_media.storage_key).exists()
