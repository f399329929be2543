"""The fields of each edit operation: serializers that validate a request's shape and are
the operations' OpenAPI schemas. Checks against the real media live in operations.py."""

import math
import unicodedata

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_MERGE_SOURCES = 20
MAX_CROSSFADE = 10.0
MAX_FADE = 600.0
MAX_TIME = 24 * 3600.0
MIN_FRAME = 16
MAX_FRAME = 16384
MAX_TEXT = 500
TEXT_SIZE = (8, 200)
X_PRESETS = ("left", "center", "right")
Y_PRESETS = ("top", "center", "bottom")
COLOR_RE = r"^#[0-9A-Fa-f]{6}$"


# --- fields -------------------------------------------------------------------------------


def seconds(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(min_value=0.0, max_value=MAX_TIME, **kwargs)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": list(X_PRESETS)},
            {"type": "integer", "minimum": 0, "maximum": MAX_FRAME},
        ],
        "description": "A preset or a distance in pixels from the left edge.",
    }
)
class XPositionField(serializers.Field):
    presets = X_PRESETS

    def to_internal_value(self, data):
        if isinstance(data, str) and data in self.presets:
            return data
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data.strip())
        if isinstance(data, bool) or not isinstance(data, (int, float)) or not math.isfinite(data):
            raise serializers.ValidationError(
                f"Use one of {', '.join(self.presets)} or a number of pixels."
            )
        if not 0 <= data <= MAX_FRAME:
            raise serializers.ValidationError(f"Use a number of pixels from 0 to {MAX_FRAME}.")
        return round(data)

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": list(Y_PRESETS)},
            {"type": "integer", "minimum": 0, "maximum": MAX_FRAME},
        ],
        "description": "A preset or a distance in pixels from the top edge.",
    }
)
class YPositionField(XPositionField):
    presets = Y_PRESETS


class TextField(serializers.CharField):
    """Any Unicode text; line breaks are kept, other control characters are refused."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_TEXT, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
        for char in text:
            if char != "\n" and unicodedata.category(char) in ("Cc", "Cs"):
                raise serializers.ValidationError("The text contains control characters.")
        text = text.strip()
        if not text:
            raise serializers.ValidationError("The text is empty.")
        return text


# FFmpeg filtergraph syntax: option separators, stream labels, escapes and expansions.
FILTER_SYNTAX = ("[", "]", ";", "\\", "%{", "=")


class OverlayTextField(TextField):
    """Overlay text: any Unicode, but text that carries FFmpeg filtergraph syntax (an
    attempt to inject options or filters) is refused outright. The text still reaches
    FFmpeg only through a file with expansion off."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        found = sorted({token for token in FILTER_SYNTAX if token in text})
        if found:
            raise serializers.ValidationError(
                "The text may not contain " + " ".join(found) + " (filter syntax)."
            )
        return text


def color_field(**kwargs) -> serializers.RegexField:
    kwargs.setdefault("help_text", "#RRGGBB")
    return serializers.RegexField(
        COLOR_RE, error_messages={"invalid": "Use a colour written #RRGGBB."}, **kwargs
    )


# --- operation fields (declared once; also the OpenAPI schemas) ----------------------------


class TimeRangeMixin(serializers.Serializer):
    start = seconds(default=0.0, help_text="Seconds from the start (default 0).")
    end = seconds(
        required=False, allow_null=True, default=None, help_text="Seconds; default: the end."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("end") is not None and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        return attrs


class TrimFields(serializers.Serializer):
    start = seconds(help_text="Keep from this second.")
    end = seconds(help_text="Keep up to this second.")

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        return attrs


class MergeFields(serializers.Serializer):
    sources = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=2,
        max_length=MAX_MERGE_SOURCES,
        help_text="Your ready audio assets, joined in this order.",
    )
    crossfade = serializers.FloatField(
        min_value=0.0, max_value=MAX_CROSSFADE, default=0.0, help_text="Seconds (acrossfade)."
    )


def _validate_fade(self, attrs):
    if attrs["in"] <= 0 and attrs["out"] <= 0:
        raise serializers.ValidationError({"in": ["Give a fade-in or a fade-out duration."]})
    return attrs


# `in` is a Python keyword, so this one is declared with type().
FadeFields = type(
    "FadeFields",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Fade in from silence and/or out to silence.",
        "in": serializers.FloatField(
            min_value=0.0, max_value=MAX_FADE, default=0.0, help_text="Fade-in seconds."
        ),
        "out": serializers.FloatField(
            min_value=0.0, max_value=MAX_FADE, default=0.0, help_text="Fade-out seconds."
        ),
        "validate": _validate_fade,
    },
)


class NormalizeFields(serializers.Serializer):
    target = serializers.FloatField(
        min_value=-30.0,
        max_value=-9.0,
        default=-16.0,
        help_text="Integrated loudness in LUFS (EBU R128; default -16).",
    )
    true_peak = serializers.FloatField(
        min_value=-9.0, max_value=0.0, default=-1.5, help_text="Maximum true peak in dBTP."
    )
    lra = serializers.FloatField(
        min_value=1.0, max_value=20.0, default=11.0, help_text="Loudness range target in LU."
    )


class ReplaceAudioFields(serializers.Serializer):
    audio = serializers.UUIDField(help_text="Your ready audio asset; cut or padded to fit.")


class MixAudioFields(serializers.Serializer):
    audio = serializers.UUIDField(help_text="Your ready audio asset, mixed under the sound.")
    volume = serializers.FloatField(
        min_value=0.0, max_value=2.0, default=0.3, help_text="Level of the added track (0..2)."
    )


class TextOverlayFields(TimeRangeMixin):
    text = OverlayTextField(
        help_text="Any text (up to 500 characters) without filter syntax ([ ] ; \\ %{ =)."
    )
    x = XPositionField(default="center")
    y = YPositionField(default="bottom")
    size = serializers.IntegerField(
        min_value=TEXT_SIZE[0],
        max_value=TEXT_SIZE[1],
        default=48,
        help_text="Font size in pixels (8..200, and at most the frame height).",
    )
    color = color_field(default="#FFFFFF")
    box_color = color_field(
        required=False, allow_null=True, default=None, help_text="Draw a box behind the text."
    )


class ImageOverlayFields(TimeRangeMixin):
    image = serializers.UUIDField(help_text="Your ready image asset.")
    x = XPositionField(default="right")
    y = YPositionField(default="top")
    opacity = serializers.FloatField(min_value=0.0, max_value=1.0, default=1.0)
    scale = serializers.FloatField(
        min_value=0.02, max_value=1.0, default=0.25, help_text="Width as a share of the frame."
    )


class FiltersFields(serializers.Serializer):
    grayscale = serializers.BooleanField(default=False)
    sepia = serializers.BooleanField(default=False)
    brightness = serializers.FloatField(min_value=-1.0, max_value=1.0, default=0.0)
    contrast = serializers.FloatField(min_value=0.0, max_value=3.0, default=1.0)
    saturation = serializers.FloatField(min_value=0.0, max_value=3.0, default=1.0)
    blur = serializers.FloatField(
        min_value=0.0, max_value=20.0, default=0.0, help_text="Gaussian blur sigma in pixels."
    )
    speed = serializers.FloatField(
        min_value=0.5, max_value=2.0, default=1.0, help_text="Playback speed; sound follows."
    )

    def validate(self, attrs):
        neutral = {
            "grayscale": False,
            "sepia": False,
            "brightness": 0.0,
            "contrast": 1.0,
            "saturation": 1.0,
            "blur": 0.0,
            "speed": 1.0,
        }
        if all(attrs[name] == value for name, value in neutral.items()):
            raise serializers.ValidationError("Choose at least one filter.")
        return attrs


class RotateFields(serializers.Serializer):
    angle = serializers.ChoiceField(choices=[90, 180, 270], help_text="Degrees clockwise.")


class CropFields(serializers.Serializer):
    x = serializers.IntegerField(min_value=0, max_value=MAX_FRAME)
    y = serializers.IntegerField(min_value=0, max_value=MAX_FRAME)
    width = serializers.IntegerField(min_value=MIN_FRAME, max_value=MAX_FRAME)
    height = serializers.IntegerField(min_value=MIN_FRAME, max_value=MAX_FRAME)
