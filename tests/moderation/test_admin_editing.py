"""Publishing from the admin: tags as a tag list, a podcast's scripture reference edited
with the same check and verse ranges as the API, the waveform drawn on audio items, and an
asset's processing status read-only."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from bible.models import ScriptureLink
from media.models import AssetKind
from tests.moderation.factories import AssetFactory, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def change_form_data(page, **changes) -> dict:
    """The change form as a browser posts it, with `changes` applied."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = field.widget.format_value(value) if name == "tags" else value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _edit(console, obj, **changes):
    url = reverse("admin:catalog_podcast_change", args=[obj.pk])
    page = console.get(url)
    assert page.status_code == 200
    return console.post(url, {**change_form_data(page, **changes), "_continue": "Save"})


def test_tags_are_a_tag_list_not_a_json_box(console):
    obj = make("podcast", tags=["grace", "hope"])
    page = console.get(reverse("admin:catalog_podcast_change", args=[obj.pk]))
    html = page.content.decode()
    assert 'value="grace, hope"' in html and "data-tags" in html
    assert "catalog/admin/tags.js" in html
    assert '["grace", "hope"]' not in html

    response = _edit(console, obj, tags=" Grace , faith,grace,,  Hope ")

    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.tags == ["Grace", "faith", "Hope"]


def test_typed_tags_are_shown_again_when_another_field_is_wrong(console):
    obj = make("podcast", tags=["grace"])
    response = _edit(console, obj, tags="123", title="")
    assert response.status_code == 200
    assert 'value="123"' in response.content.decode()
    obj.refresh_from_db()
    assert obj.tags == ["grace"]


def test_too_many_tags_are_refused_and_change_nothing(console):
    obj = make("podcast", tags=["grace"])
    response = _edit(console, obj, tags=", ".join(f"tag{i}" for i in range(21)))
    assert response.status_code == 200
    assert "At most 20 tags" in response.content.decode()
    obj.refresh_from_db()
    assert obj.tags == ["grace"]


def test_the_scripture_reference_is_editable_and_checked(console):
    obj = make("podcast")

    response = _edit(console, obj, scripture_reference="john 3:16-18")

    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.scripture_reference == "John 3:16-18"
    [link] = ScriptureLink.objects.filter(content_type="podcast", object_id=obj.pk)
    assert link.label == "John 3:16-18"

    refused = _edit(console, obj, scripture_reference="Hezekiah 4:2")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["scripture_reference"]
    obj.refresh_from_db()
    assert obj.scripture_reference == "John 3:16-18"
    assert ScriptureLink.objects.filter(content_type="podcast", object_id=obj.pk).count() == 1


def test_the_waveform_is_drawn_on_an_audio_item(console, owner):
    audio = AssetFactory(owner=owner, kind=AssetKind.AUDIO, content_type="audio/mpeg")
    peaks = [0.0, 0.5, 1.0, 0.25] * 100
    default_storage.save(
        f"{audio.output_prefix}/waveform.json",
        ContentFile(json.dumps({"version": 1, "length": len(peaks), "peaks": peaks})),
    )
    obj = make("podcast", owner=owner, audio=audio)
    without = make("podcast", owner=owner, audio=AssetFactory(owner=owner, kind=AssetKind.AUDIO))

    html = console.get(reverse("admin:catalog_podcast_change", args=[obj.pk])).content.decode()
    start = html.index('<svg id="waveform"')
    svg = html[start : html.index("</svg>", start)]
    assert svg.count("M") == 160  # one bar per slice
    assert "v48.0" in svg  # the loudest slice spans the full height
    assert "<audio" in html[html.index('<svg id="waveform"') :]

    other = console.get(reverse("admin:catalog_podcast_change", args=[without.pk]))
    assert 'id="waveform"' not in other.content.decode()  # no peaks stored: no drawing


def test_an_assets_processing_status_is_read_only(client, superuser, owner):
    asset = AssetFactory(owner=owner, kind=AssetKind.AUDIO, error="")
    client.force_login(superuser)
    page = client.get(reverse("admin:media_mediaasset_change", args=[asset.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields and "error" not in form.fields
    assert "status" in page.context["adminform"].readonly_fields
