"""Image fields of catalogue items: a small default URL, the width → URL list and a
placeholder, from a real upload through the one pipeline; no query per item."""

import io
from urllib.parse import urlparse

import pytest
from PIL import Image

from catalog.models import Podcast
from media.models import MediaAsset
from tests.catalog.factories import ImageAssetFactory, MovieFactory, PodcastFactory
from tests.conftest import client_for
from tests.media.conftest import post_file

pytestmark = pytest.mark.django_db

WIDTHS = (160, 320, 640, 1280)


@pytest.fixture
def cover(owner, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").resize((2000, 2000)).save(buffer, format="JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(
            client_for(owner), "image", "cover.jpg", buffer.getvalue(), purpose="thumbnail"
        )
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.images["image"]["renditions"]
    return asset


def _tail(url: str) -> str:
    return "/".join(urlparse(url).path.split("/")[-2:])


def test_a_podcast_shows_a_small_cover_with_every_width(client, owner, cover):
    podcast = PodcastFactory(owner=owner, thumbnail=cover)
    body = client.get(f"/api/v1/podcasts/{podcast.id}").json()
    assert _tail(body["cover_url"]) == "img/w640.jpg"
    assert _tail(body["thumbnail_url"]) == "img/w320.jpg"
    image = body["cover_image"]
    assert _tail(image["url"]) == "img/w640.webp"
    assert (image["width"], image["height"]) == (640, 640)
    assert image["placeholder"] == cover.images["image"]["placeholder"]
    assert image["color"].startswith("#")
    assert [(r["width"], r["type"]) for r in image["renditions"]] == [
        (w, t) for w in WIDTHS for t in ("image/jpeg", "image/webp")
    ]
    assert _tail(body["thumbnail_image"]["url"]) == "img/w320.webp"
    assert body["thumbnail_image"]["renditions"] == image["renditions"]
    assert body["poster_image"] == image  # an item without a poster shows its cover
    for rendition in image["renditions"]:
        served = client.get(urlparse(rendition["url"]).path)
        assert served.status_code == 200 and served["Content-Type"] == rendition["type"]


def test_a_movie_without_a_cover_shows_its_video_poster_frame(client, owner):
    movie = MovieFactory(owner=owner)
    video = movie.video
    run = video.output_prefix.rsplit("/", 1)[-1]
    video.images = {
        "poster": {
            "width": 1280,
            "height": 720,
            "placeholder": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "color": "#102030",
            "renditions": [
                {"width": w, "height": w * 9 // 16, "type": t, "path": f"v/{run}/poster/w{w}.{e}"}
                for w in (160, 320)
                for t, e in (("image/jpeg", "jpg"), ("image/webp", "webp"))
            ],
        }
    }
    video.save()
    body = client.get(f"/api/v1/movies/{movie.id}").json()
    assert _tail(body["poster_url"]) == "poster/w320.jpg"
    assert _tail(body["poster_image"]["url"]) == "poster/w320.webp"
    assert body["cover_image"]["placeholder"] == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    assert body["cover_image"]["color"] == "#102030"


def test_an_item_without_any_image_has_null_image_fields(client, owner):
    podcast = PodcastFactory(owner=owner)
    body = client.get(f"/api/v1/podcasts/{podcast.id}").json()
    assert body["cover_url"] is None and body["cover_image"] is None
    assert body["thumbnail_image"] is None and body["poster_image"] is None


def test_a_cover_not_yet_rendered_shows_its_original(client, owner):
    podcast = PodcastFactory(owner=owner, thumbnail=ImageAssetFactory(width=800, height=600))
    body = client.get(f"/api/v1/podcasts/{podcast.id}").json()
    assert body["cover_url"].endswith("/original")
    assert body["cover_image"] == {
        "url": body["cover_url"],
        "width": 800,
        "height": 600,
        "placeholder": None,
        "color": None,
        "renditions": [],
    }


def test_a_list_with_covers_runs_a_bounded_number_of_queries(
    client, owner, cover, django_assert_max_num_queries
):
    for _ in range(8):
        PodcastFactory(owner=owner, thumbnail=cover)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/podcasts?page_size=100")
    rows = response.json()["results"]
    assert len(rows) == Podcast.objects.count() == 8
    assert all(len(row["cover_image"]["renditions"]) == 8 for row in rows)
