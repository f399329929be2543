"""Editing content in the admin: tags as a tag list (not a JSON box), fields another app
stores (a podcast's scripture reference) checked and written through that app's registered
normaliser and writer (catalog/kinds.py), and the waveform of an audio asset drawn as an
inline SVG from the peaks the media pipeline measured."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.html import format_html

from catalog import kinds
from catalog.tags import MAX_TAGS, tags_normalise
from cnt.errors import ApplicationError
from media import profiles
from media.models import AssetKind, AssetStatus

# --- tags ----------------------------------------------------------------------------------


class TagsWidget(forms.TextInput):
    """A comma-separated text box that tags.js turns into removable chips (Enter or a comma
    adds one); without JavaScript it stays a plain, working text box."""

    class Media:
        js = ("catalog/admin/tags.js",)
        css = {"all": ("catalog/admin/tags.css",)}

    def __init__(self, attrs=None):
        super().__init__({"class": "vTextField cnt-tags", "data-tags": "", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, str):
            # The stored list (JSON) on a fresh form; what was typed on a re-shown one.
            try:
                loaded = json.loads(value)
            except ValueError:
                return value
            if not isinstance(loaded, list):
                return value
            value = loaded
        return ", ".join(str(tag) for tag in value or [])


class TagsField(forms.Field):
    widget = TagsWidget
    default_error_messages = {"invalid": "Enter tags separated by commas."}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", f"Separate tags with commas (at most {MAX_TAGS}); repeats are dropped."
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, list) else str(value).split(",")
        try:
            return tags_normalise(values)
        except ApplicationError as exc:
            raise ValidationError((exc.errors or {}).get("tags", [exc.detail]))

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != list(initial or [])
        except ValidationError:
            return True


# --- the mixin ModeratedAdmin uses ---------------------------------------------------------


class ContentEditingMixin:
    """Tags as a tag list; fields with a registered normaliser are validated with it, and
    written with the kind's registered writer after the item is saved."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            return TagsField(required=False, label=db_field.verbose_name.capitalize())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _kind_name(self) -> str:
        return kinds.kind_for(self.model).name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        kind_name = self._kind_name()
        normalised = [
            name for name in form.base_fields if kinds.kind_field_normaliser(kind_name, name)
        ]
        if not normalised:
            return form

        def clean(self):
            cleaned = forms.ModelForm.clean(self)
            for name in normalised:
                value = cleaned.get(name)
                if name not in self.changed_data or not value:
                    continue
                try:
                    cleaned[name] = kinds.kind_field_normaliser(kind_name, name)(value=value)
                except ApplicationError as exc:
                    messages = next(iter((exc.errors or {}).values()), [exc.detail])
                    self.add_error(name, messages)
            return cleaned

        return type(form.__name__, (form,), {"clean": clean})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        kind_name = self._kind_name()
        written = []
        for name in form.changed_data:
            writer = kinds.kind_field_writer(kind_name, name)
            if writer is not None:
                setattr(obj, name, writer(obj=obj, value=form.cleaned_data.get(name) or ""))
                written.append(name)
        if written:
            obj.save(update_fields=written)


# --- waveforms -----------------------------------------------------------------------------

WAVEFORM_BARS = 160
WAVEFORM_HEIGHT = 48


def waveform_peaks(asset) -> list[float] | None:
    """The peaks (0..1) the pipeline stored for a ready audio asset, or None."""
    if asset is None or asset.kind != AssetKind.AUDIO or asset.status != AssetStatus.READY:
        return None
    if not asset.output_prefix:
        return None
    try:
        with default_storage.open(f"{asset.output_prefix}/{profiles.WAVEFORM}") as handle:
            peaks = json.loads(handle.read(2_000_000))["peaks"]
        return [min(1.0, max(0.0, float(peak))) for peak in peaks]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def waveform_svg(peaks: list[float]):
    """Bars of the loudest sample per slice, mirrored around the middle line."""
    if not peaks:
        return ""
    count = min(WAVEFORM_BARS, len(peaks))
    bars = []
    for i in range(count):
        start = i * len(peaks) // count
        window = peaks[start : max(start + 1, (i + 1) * len(peaks) // count)]
        height = max(1.0, max(window) * WAVEFORM_HEIGHT)
        top = (WAVEFORM_HEIGHT - height) / 2
        bars.append(f"M{i * 3 + 1} {top:.1f}v{height:.1f}")
    return format_html(
        '<svg id="waveform" class="waveform" role="img" aria-label="Waveform" '
        'width="{}" height="{}" viewBox="0 0 {} {}" style="display:block;margin:4px 0">'
        '<path d="{}" stroke="#417690" stroke-width="2" fill="none"/></svg>',
        count * 3,
        WAVEFORM_HEIGHT,
        count * 3,
        WAVEFORM_HEIGHT,
        "".join(bars),
    )


@admin.display(description="waveform")
def waveform_for(asset):
    peaks = waveform_peaks(asset)
    return waveform_svg(peaks) if peaks else ""
