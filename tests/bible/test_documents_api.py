"""bible/documents: real PDFs through upload/document, page count and a page-1 cover."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bible import covers
from bible.models import DocumentAsset
from media import samples
from media.models import AssetKind, AssetPurpose, MediaAsset
from tests.bible.factories import CategoryFactory, DocumentFactory, ImageAssetFactory
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bible/documents"
PAGE_COLOURS = [(200, 30, 30), (30, 160, 40), (30, 40, 200)]


def pdf_bytes(pages: int = 3, size=(612, 792)) -> bytes:
    """A PDF whose page n is filled with PAGE_COLOURS[n] (Pillow, save_all)."""
    if pages == 1:
        return samples.make_image_bytes("Gospel of John", size=size, color=PAGE_COLOURS[0],
                                        fmt="PDF")  # fmt: skip
    images = [Image.new("RGB", size, PAGE_COLOURS[n % 3]) for n in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def upload(client, content: bytes, name="john.pdf") -> dict:
    response = client.post(
        "/api/v1/upload/document",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def moderator():
    return UserFactory(is_staff=True)


def test_a_moderator_adds_a_document_with_its_page_count_and_a_page_one_cover(moderator, client):
    api = client_for(moderator)
    asset = upload(api, pdf_bytes(pages=3))
    category = CategoryFactory()
    response = api.post(
        URL,
        {
            "title": "Gospel of John",
            "description": "Study edition",
            "file": asset["id"],
            "category": category.pk,
            "language": "en",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    document = DocumentAsset.objects.get()
    assert body["id"] == document.pk
    assert body["page_count"] == 3
    assert body["download_count"] == 0
    assert body["category"] == {"id": category.pk, "name": category.name, "slug": category.slug}
    assert document.uploaded_by == moderator
    cover = document.cover
    assert (cover.kind, cover.purpose, cover.owner) == (
        AssetKind.IMAGE,
        AssetPurpose.THUMBNAIL,
        moderator,
    )
    assert cover.storage_key.startswith("images/thumbnails/")
    assert (cover.width, cover.height) == (600, 777)  # US Letter scaled into 600x800
    # The signed URLs serve the PDF and a cover that shows page 1 (red), not page 2.
    pdf = client.get(body["file_url"])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    image_response = client.get(body["cover_url"])
    assert image_response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(image_response.streaming_content))).convert("RGB")
    red, green, blue = image.getpixel((image.width // 2, image.height // 2))
    assert red > 150 and green < 80 and blue < 80


def test_a_one_page_pdf_from_the_samples_gets_a_cover(moderator):
    api = client_for(moderator)
    asset = upload(api, pdf_bytes(pages=1, size=(400, 300)))
    response = api.post(URL, {"title": "Leaflet", "file": asset["id"]}, format="json")
    assert response.status_code == 201
    assert response.json()["page_count"] == 1
    cover = DocumentAsset.objects.get().cover
    assert (cover.width, cover.height) == (600, 450)


def test_a_document_whose_page_cannot_be_rendered_has_no_cover(moderator, monkeypatch):
    api = client_for(moderator)
    asset = upload(api, pdf_bytes(pages=2))

    def broken(source, target):
        raise covers.CoverError("cannot render")

    monkeypatch.setattr(covers, "render_first_page", broken)
    response = api.post(URL, {"title": "Broken", "file": asset["id"]}, format="json")
    assert response.status_code == 201
    assert response.json()["cover_url"] is None
    assert response.json()["page_count"] == 2
    assert MediaAsset.objects.filter(kind=AssetKind.IMAGE).count() == 0


def test_a_huge_page_renders_a_bounded_cover(tmp_path):
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf_bytes(pages=1, size=(14400, 200)))
    target = covers.render_first_page(source, tmp_path / "cover.jpg")
    with Image.open(target) as image:
        assert image.width <= 600 and image.height <= 800


@pytest.mark.parametrize(
    ("caller", "expected"), [("anonymous", 401), ("user", 403), ("creator", 403)]
)
def test_only_moderators_add_documents(api_client, moderator, caller, expected):
    asset = upload(client_for(moderator), pdf_bytes(pages=1))
    client = api_client if caller == "anonymous" else client_for(UserFactory())
    response = client.post(URL, {"title": "Mine", "file": asset["id"]}, format="json")
    assert response.status_code == expected
    assert DocumentAsset.objects.count() == 0
    assert MediaAsset.objects.filter(kind=AssetKind.IMAGE).count() == 0


def test_the_file_must_be_an_uploaded_pdf(moderator):
    api = client_for(moderator)
    image = ImageAssetFactory(owner=moderator)
    for file_id in (str(image.pk), "6f1c7c1e-6f2a-4c55-9d41-0b1c2d3e4f50"):
        response = api.post(URL, {"title": "Not a PDF", "file": file_id}, format="json")
        assert response.status_code == 400
        assert "file" in response.json()["errors"]
    assert DocumentAsset.objects.count() == 0


def test_everyone_lists_published_documents_and_moderators_see_all(
    api_client, moderator, django_assert_max_num_queries
):
    published = [DocumentFactory(title=f"Doc {n}") for n in range(3)]
    hidden = DocumentFactory(title="Draft", is_published=False)
    with django_assert_max_num_queries(3):
        response = api_client.get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [d.pk for d in published]
    assert rows[0]["file_url"].startswith("http://testserver/media/")
    assert rows[0]["cover_url"].startswith("http://testserver/media/")
    assert api_client.get(f"{URL}/{hidden.pk}").status_code == 404
    moderators_view = client_for(moderator).get(URL).json()
    assert moderators_view["count"] == 4


def test_opening_counts_a_download(api_client):
    document = DocumentFactory()
    client = client_for(UserFactory())
    assert client.post(f"{URL}/{document.pk}/open").json()["download_count"] == 1
    response = client.post(f"{URL}/{document.pk}/open/")
    assert response.json()["download_count"] == 2
    assert response.json()["file_url"]
    assert api_client.post(f"{URL}/{document.pk}/open").status_code == 401
    document.refresh_from_db()
    assert document.download_count == 2


def test_moderators_edit_and_delete_documents_and_others_cannot(api_client, moderator):
    document = DocumentFactory(title="Old")
    for client, code in ((api_client, 401), (client_for(UserFactory()), 403)):
        assert client.patch(
            f"{URL}/{document.pk}", {"title": "New"}, format="json"
        ).status_code == (code)
        assert client.delete(f"{URL}/{document.pk}").status_code == code
    document.refresh_from_db()
    assert document.title == "Old"
    api = client_for(moderator)
    response = api.patch(f"{URL}/{document.pk}", {"title": "New", "is_published": False},
                         format="json")  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["is_published"]) == ("New", False)
    cover_id, file_id = document.cover_id, document.file_id
    assert api.delete(f"{URL}/{document.pk}").status_code == 204
    assert DocumentAsset.objects.count() == 0
    assert not MediaAsset.objects.filter(pk__in=[cover_id, file_id]).exists()


def test_the_command_renders_missing_covers(moderator):
    from io import StringIO

    from django.core.management import call_command

    api = client_for(moderator)
    asset = upload(api, pdf_bytes(pages=2))
    document = DocumentAsset.objects.create(
        title="Seeded", file=MediaAsset.objects.get(pk=asset["id"]), uploaded_by=moderator
    )
    DocumentFactory(title="Has a cover")
    out = StringIO()
    call_command("render_document_covers", stdout=out)
    assert "1 of 1 covers rendered." in out.getvalue()
    document.refresh_from_db()
    assert document.cover is not None
    assert document.cover.kind == AssetKind.IMAGE
    old_cover = document.cover_id
    call_command("render_document_covers", "--all", stdout=StringIO())
    document.refresh_from_db()
    assert document.cover_id != old_cover
    assert not MediaAsset.objects.filter(pk=old_cover).exists()
