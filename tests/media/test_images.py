"""Responsive images: renditions at several widths in WebP and JPEG (never upscaled), a
placeholder, hostile files refused, and the same pipeline rebuilt by media_reprocess."""

import io
import re
import struct
import zlib

import blurhash
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from media import images, storage
from media.image_assets import image_asset_process
from media.models import MediaAsset
from tests.media.conftest import post_file

pytestmark = pytest.mark.django_db

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def _jpeg(path, size, colour=(30, 90, 200), **save):
    image = Image.linear_gradient("L").convert("RGB").resize(size)
    image.paste(colour, (0, 0, size[0] // 2, size[1]))
    image.save(path, format="JPEG", quality=90, **save)
    return path


def _opened(path):
    with Image.open(path) as image:
        return image.format, image.size, image.mode


def test_a_large_picture_gets_every_width_in_webp_and_jpeg(tmp_path):
    src = _jpeg(tmp_path / "cover.jpg", (3000, 2000))
    result = images.render(src, tmp_path / "out", "img")
    assert (result.width, result.height) == (3000, 2000)
    found = sorted((v.width, v.content_type) for v in result.variants)
    assert found == [(w, t) for w in (160, 320, 640, 1280) for t in ("image/jpeg", "image/webp")]
    for variant in result.variants:
        fmt, size, _ = _opened(tmp_path / "out" / variant.path.split("/", 1)[1])
        assert fmt == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[variant.content_type]
        assert size == (variant.width, variant.height)
        assert variant.height == round(2000 * variant.width / 3000)
        assert (
            variant.size_bytes == (tmp_path / "out" / variant.path.split("/", 1)[1]).stat().st_size
        )
    webp_640 = next(v for v in result.variants if v.width == 640 and v.content_type == "image/webp")
    jpeg_640 = next(v for v in result.variants if v.width == 640 and v.content_type == "image/jpeg")
    assert webp_640.size_bytes < jpeg_640.size_bytes


def test_a_small_picture_is_never_upscaled(tmp_path):
    src = _jpeg(tmp_path / "small.jpg", (200, 150))
    result = images.render(src, tmp_path / "out", "img")
    assert sorted({v.width for v in result.variants}) == [160, 200]
    assert max(v.width for v in result.variants) == 200
    tiny = images.render(_jpeg(tmp_path / "tiny.jpg", (90, 40)), tmp_path / "tiny", "img")
    assert sorted({(v.width, v.height) for v in tiny.variants}) == [(90, 40)]


def test_the_placeholder_is_a_blurhash_and_a_dominant_colour(tmp_path):
    src = tmp_path / "red.png"
    Image.new("RGB", (400, 300), (220, 20, 20)).save(src)
    result = images.render(src, tmp_path / "out", "img")
    assert blurhash.is_valid_blurhash(result.blurhash)
    assert HEX_COLOUR.match(result.color)
    red, green, blue = (int(result.color[i : i + 2], 16) for i in (1, 3, 5))
    assert red > 200 and green < 40 and blue < 40
    decoded = blurhash.decode(result.blurhash, 8, 6)
    assert decoded.mode == "RGB" and decoded.getpixel((4, 3))[0] > 150


def test_transparency_survives_in_webp_and_is_flattened_on_white_in_jpeg(tmp_path):
    src = tmp_path / "logo.png"
    Image.new("RGBA", (400, 200), (0, 0, 255, 0)).save(src)
    result = images.render(src, tmp_path / "out", "img")
    webp = next(v for v in result.variants if v.content_type == "image/webp" and v.width == 320)
    jpeg = next(v for v in result.variants if v.content_type == "image/jpeg" and v.width == 320)
    with Image.open(tmp_path / "out" / "w320.webp") as image:
        assert image.mode == "RGBA" and image.getpixel((10, 10))[3] == 0
    with Image.open(tmp_path / "out" / "w320.jpg") as image:
        assert image.mode == "RGB" and min(image.getpixel((10, 10))) > 240
    assert webp.path == "img/w320.webp" and jpeg.path == "img/w320.jpg"


def test_an_exif_rotated_photo_is_rendered_upright(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    src = _jpeg(tmp_path / "phone.jpg", (800, 400), exif=exif.tobytes())
    result = images.render(src, tmp_path / "out", "img")
    assert (result.width, result.height) == (400, 800)
    assert _opened(tmp_path / "out" / "w320.webp")[1] == (320, 640)


def _pixel_flood_png(width=50000, height=50000) -> bytes:
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "name, content",
    [
        ("flood.png", _pixel_flood_png()),
        ("script.png", b"#!/bin/sh\necho hi\n"),
        ("truncated.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40),
        ("scene.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_hostile_files_are_refused_without_decoding(tmp_path, settings, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(images.ImageUnusable):
        images.render(path, tmp_path / "out", "img")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_pixel_limit_applies_before_decoding(tmp_path, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 100 * 100
    src = _jpeg(tmp_path / "big.jpg", (200, 200))
    with pytest.raises(images.ImageUnusable, match="pixels"):
        images.render(src, tmp_path / "out", "img")


def test_the_content_version_follows_bytes_and_settings(settings):
    first = images.content_version("a" * 64)
    assert images.content_version("a" * 64) == first
    assert images.content_version("b" * 64) != first
    settings.MEDIA_IMAGE_WIDTHS = [200, 400]
    assert images.content_version("a" * 64) != first


# --- image assets ----------------------------------------------------------------------


def _upload_cover(client, size=(1600, 900)):
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").resize(size).save(buffer, format="JPEG")
    return post_file(client, "image", "cover.jpg", buffer.getvalue(), purpose="thumbnail")


def test_an_uploaded_image_gets_its_renditions_after_commit(
    user_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload_cover(user_client)
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(id=response.json()["id"])
    described = asset.images["image"]
    assert (described["width"], described["height"]) == (1600, 900)
    assert blurhash.is_valid_blurhash(described["placeholder"])
    version = asset.output_prefix.rsplit("/", 1)[-1]
    assert asset.output_prefix.startswith(f"images/thumbnails/processed/{asset.id}/")
    paths = sorted(r["path"] for r in described["renditions"])
    assert paths == sorted(
        f"v/{version}/img/w{w}.{ext}" for w in (160, 320, 640, 1280) for ext in ("jpg", "webp")
    )
    for rendition in described["renditions"]:
        key = f"{asset.output_prefix}/{rendition['path'].split('/', 2)[2]}"
        with default_storage.open(key, "rb") as handle, Image.open(handle) as image:
            assert image.size == (rendition["width"], rendition["height"])

    shown = user_client.get(f"/api/v1/media/assets/{asset.id}").json()
    image = shown["image"]
    assert "/v/" in image["url"] and image["url"].endswith("/img/w640.webp")
    assert (image["width"], image["height"]) == (640, 360)
    assert image["placeholder"] == described["placeholder"] and HEX_COLOUR.match(image["color"])
    assert [(r["width"], r["type"]) for r in image["renditions"]] == [
        (w, t) for w in (160, 320, 640, 1280) for t in ("image/jpeg", "image/webp")
    ]
    assert shown["thumbnail_url"].endswith("/img/w320.jpg")
    assert shown["poster_url"].endswith("/img/w640.jpg")
    assert shown["original_url"].endswith("/original")


def test_an_image_before_its_renditions_shows_the_original(user_client, queued_images):
    response = _upload_cover(user_client)
    asset_id = response.json()["id"]
    shown = user_client.get(f"/api/v1/media/assets/{asset_id}").json()
    assert shown["image"]["url"].endswith("/original") and shown["image"]["renditions"] == []
    assert (shown["image"]["width"], shown["image"]["height"]) == (1600, 900)
    assert shown["thumbnail_url"].endswith("/original")


def test_processing_twice_is_a_noop_and_the_urls_are_content_addressed(
    user_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset_id = _upload_cover(user_client).json()["id"]
    before = MediaAsset.objects.get(id=asset_id)
    assert image_asset_process(asset_id=asset_id) == "noop"
    with django_capture_on_commit_callbacks(execute=True):
        assert image_asset_process(asset_id=asset_id, force=True) == "ready"
    after = MediaAsset.objects.get(id=asset_id)
    assert after.output_prefix == before.output_prefix
    assert after.images == before.images
    assert len(list(storage.list_keys(after.output_prefix))) == 8


def test_media_reprocess_rebuilds_image_renditions(
    user_client, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        asset_id = _upload_cover(user_client).json()["id"]
    old_prefix = MediaAsset.objects.get(id=asset_id).output_prefix
    settings.MEDIA_IMAGE_WIDTHS = [100, 500]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("media_reprocess", asset_id, stdout=io.StringIO())
    asset = MediaAsset.objects.get(id=asset_id)
    assert asset.output_prefix != old_prefix
    assert sorted({r["width"] for r in asset.images["image"]["renditions"]}) == [100, 500]
    assert list(storage.list_keys(old_prefix)) == []  # the previous set is gone


def test_a_damaged_original_keeps_the_original_and_records_why(
    user_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset_id = _upload_cover(user_client).json()["id"]
    asset = MediaAsset.objects.get(id=asset_id)
    with default_storage.open(asset.storage_key, "wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0 not a jpeg any more")
    assert image_asset_process(asset_id=asset_id, force=True) == "failed"
    asset.refresh_from_db()
    assert "image renditions" in asset.processing_log
    assert asset.images["image"]["renditions"]  # the published set stays


def test_deleting_an_image_asset_removes_its_renditions(
    user_client, django_capture_on_commit_callbacks
):
    from media.services import asset_delete

    with django_capture_on_commit_callbacks(execute=True):
        asset_id = _upload_cover(user_client).json()["id"]
    asset = MediaAsset.objects.get(id=asset_id)
    prefix = asset.output_prefix
    assert list(storage.list_keys(prefix))
    with django_capture_on_commit_callbacks(execute=True):
        asset_delete(asset=asset)
    assert list(storage.list_keys(prefix)) == []


@pytest.fixture
def queued_images(monkeypatch):
    calls = []
    from media import tasks

    monkeypatch.setattr(tasks.process_image, "delay", lambda *args: calls.append(args))
    return calls


def test_image_renditions_do_not_wait_behind_transcodes():
    from cnt.celery import app

    router = app.amqp.router
    assert router.route({}, "media.process_image")["queue"].name == "default"
    assert router.route({}, "media.process_asset")["queue"].name == "media"


def test_the_admin_shows_the_renditions_read_only(
    admin_client, user_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset_id = _upload_cover(user_client).json()["id"]
    page = admin_client.get(f"/admin/media/mediaasset/{asset_id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "w640.webp" in html and 'name="images"' not in html
