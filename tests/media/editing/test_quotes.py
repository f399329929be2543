"""Quote images: rendered, fitted, stored under images/quotes/ as the caller's asset."""

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media.editing import fonts, quotes
from media.models import MediaAsset
from tests.factories import UserFactory
from tests.media.editing import measure
from tests.media.editing.conftest import post

pytestmark = [pytest.mark.django_db]

JOHN_3_16 = (
    "For God so loved the world, that he gave his only begotten Son, that whosoever "
    "believeth in him should not perish, but have everlasting life."
)


def stored_image(asset) -> Image.Image:
    with default_storage.open(asset.storage_key, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image


def near_white(image, box) -> int:
    return sum(1 for p in measure.pixels(image.crop(box)) if min(p) > 235)


@pytest.mark.parametrize(
    ("size", "dimensions"), [("square", (1080, 1080)), ("story", (1080, 1920))]
)
def test_a_quote_becomes_a_ready_image_asset(owner_client, owner, size, dimensions, temp_dir):
    response = post(
        owner_client,
        "quotes",
        {"text": JOHN_3_16, "attribution": "John 3:16", "size": size, "theme": "dusk"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["purpose"], body["status"]) == ("image", "quote", "ready")
    assert (body["width"], body["height"]) == dimensions
    asset = MediaAsset.objects.get(id=body["id"])
    assert asset.owner_id == owner.id
    assert asset.storage_key.startswith("images/quotes/") and asset.storage_key.endswith(".jpg")
    image = stored_image(asset)
    assert image.size == dimensions
    width, height = dimensions
    # White text in the middle, none in the side margins.
    assert near_white(image, (0, height // 3, width, 2 * height // 3)) > 5000
    assert near_white(image, (0, 0, 60, height)) == 0
    assert near_white(image, (width - 60, 0, width, height)) == 0
    assert list(temp_dir.iterdir()) == []


def test_text_is_sized_to_fit(owner):
    font = str(fonts.font_path("serif"))
    short = quotes.fit("Jesus wept.", font, 864, 700)
    long = quotes.fit("word " * 100, font, 864, 700)
    assert short.size == quotes.BODY_SIZE_RANGE[1]
    assert long.size < short.size
    assert long.height <= 700
    for layout in (short, long):
        face = quotes._font(font, layout.size)
        assert all(face.getlength(line) <= 864 for line in layout.lines)
    # One size bigger would not fit: the search found the largest.
    bigger = quotes._font(font, long.size + 1)
    lines = quotes.wrap("word " * 100, bigger, 864)
    assert len(lines) * round((long.size + 1) * quotes.LINE_SPACING) > 700


def test_a_500_character_unspaced_quote_fits_inside_the_margins():
    image = quotes.render_quote(text="א" * 250 + "x" * 250, size="square", theme="sand")
    assert image.size == (1080, 1080)
    dark = [p for p in measure.pixels(image.crop((0, 0, 1080, 60))) if max(p) < 100]
    assert dark == []


def test_the_service_is_callable_directly(owner):
    asset = quotes.quote_image_create(
        owner=owner, text="The Lord is my shepherd.", attribution="Psalm 23:1", size="story",
        theme="night",
    )  # fmt: skip
    assert (asset.purpose, asset.width, asset.height, asset.owner_id) == (
        "quote",
        1080,
        1920,
        owner.id,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x" * 501}, "text"),
        ({"text": ""}, "text"),
        ({"text": "  \n  "}, "text"),
        ({"text": "bell\x07"}, "text"),
        ({}, "text"),
        ({"text": "ok", "size": "banner"}, "size"),
        ({"text": "ok", "theme": "neon"}, "theme"),
        ({"text": "ok", "attribution": "a" * 121}, "attribution"),
        ({"text": "ok", "attribution": "a\x00b"}, "attribution"),
    ],
)
def test_bad_quotes_are_400_and_store_nothing(owner_client, body, field, temp_dir):
    response = post(owner_client, "quotes", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert MediaAsset.objects.count() == 0
    assert list(temp_dir.iterdir()) == []


def test_a_missing_font_is_a_clear_503(owner_client, settings, tmp_path):
    settings.MEDIA_FONT_DIR = str(tmp_path / "no-fonts")
    response = post(owner_client, "quotes", {"text": "Amen"})
    assert response.status_code == 503
    assert response.json()["code"] == "font_missing"
    assert "font" in response.json()["detail"]
    assert MediaAsset.objects.count() == 0


def test_quotes_need_a_login_and_belong_to_the_caller(api_client, owner_client, owner):
    assert post(api_client, "quotes", {"text": "Amen"}).status_code == 401
    body = post(owner_client, "quotes", {"text": "Amen"}).json()
    other = UserFactory()
    assert MediaAsset.objects.get(id=body["id"]).owner_id == owner.id != other.id
