"""The declared edit operations, and their checks against the real media.

Each operation is declared once, as data (the registry below): its fields (a serializer in
fields.py, which is also its OpenAPI schema) and a check that runs against what the media
looks like at that point of the job (the probed duration, streams and frame size of the
originals, then as changed by the operations before it). Every error names its field.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from media.editing.fields import (
    CropFields,
    FadeFields,
    FiltersFields,
    ImageOverlayFields,
    MergeFields,
    MixAudioFields,
    NormalizeFields,
    ReplaceAudioFields,
    RotateFields,
    TextOverlayFields,
    TrimFields,
)

AUDIO = "audio"
VIDEO = "video"
MAX_OPERATIONS = 10
# A client showing a rounded duration may send it back as `end`: accept that much past the end.
TIME_TOLERANCE = 0.05
MIN_RESULT_SECONDS = 0.1


# --- the media at a point of the job, and the checks ---------------------------------------


@dataclass(frozen=True)
class Media:
    duration: float
    has_audio: bool
    has_video: bool = False
    width: int = 0
    height: int = 0
    fps: float | None = None


@dataclass
class Step:
    index: int
    op: dict
    before: Media
    after: Media


@dataclass
class Context:
    """What the checks may look at: the primary sources and the other referenced assets."""

    primary: list[Media]
    audio: dict[str, Media] = field(default_factory=dict)
    images: dict[str, tuple[int, int]] = field(default_factory=dict)


class Invalid(Exception):
    def __init__(self, field: str | tuple, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field = field if isinstance(field, tuple) else (field,)
        self.message = message
        self.code = code


class OperationError(Exception):
    """An operation does not fit the media; `path` names the field, e.g. (0, "end")."""

    def __init__(self, index: int, invalid: Invalid):
        super().__init__(invalid.message)
        self.path = ("operations", index, *invalid.field)
        self.message = invalid.message
        self.code = invalid.code


def _time(value: float, media: Media, name: str) -> float:
    if value > media.duration + TIME_TOLERANCE:
        raise Invalid(name, f"Past the end of the media ({media.duration:.3f} s).", "out_of_range")
    return min(value, media.duration)


def _time_range(op: dict, media: Media) -> None:
    if op["start"] >= media.duration:
        raise Invalid(
            "start", f"Past the end of the media ({media.duration:.3f} s).", "out_of_range"
        )
    if op.get("end") is not None:
        op["end"] = _time(op["end"], media, "end")


def _position(op: dict, media: Media) -> None:
    if isinstance(op["x"], int) and op["x"] >= media.width:
        raise Invalid("x", f"Outside the picture ({media.width} px wide).", "out_of_range")
    if isinstance(op["y"], int) and op["y"] >= media.height:
        raise Invalid("y", f"Outside the picture ({media.height} px high).", "out_of_range")


def _length(duration: float, name: str) -> float:
    if duration < MIN_RESULT_SECONDS:
        raise Invalid(name, f"The result would be shorter than {MIN_RESULT_SECONDS} s.")
    if duration > settings.MEDIA_MAX_DURATION_SECONDS:
        raise Invalid(name, "The result would be longer than the maximum duration allowed.")
    return duration


def check_trim(op, media, ctx):
    start = op["start"]
    if start >= media.duration:
        raise Invalid(
            "start", f"Past the end of the media ({media.duration:.3f} s).", "out_of_range"
        )
    op["end"] = _time(op["end"], media, "end")
    return replace(media, duration=_length(op["end"] - start, "end"))


def check_merge(op, media, ctx):
    durations = [m.duration for m in ctx.primary]
    shortest = min(durations)
    if op["crossfade"] > shortest / 2:
        raise Invalid(
            "crossfade",
            f"Longer than half of the shortest source ({shortest:.3f} s).",
            "out_of_range",
        )
    total = sum(durations) - op["crossfade"] * (len(durations) - 1)
    return Media(duration=_length(total, "sources"), has_audio=True)


def check_fade(op, media, ctx):
    if op["in"] + op["out"] > media.duration + TIME_TOLERANCE:
        name = "out" if op["out"] else "in"
        raise Invalid(
            name, f"The fades are longer than the media ({media.duration:.3f} s).", "out_of_range"
        )
    return media


def check_normalize(op, media, ctx):
    return media


def _audio_asset(op, ctx) -> Media:
    audio = ctx.audio[str(op["audio"])]
    if not audio.has_audio:
        raise Invalid("audio", "The asset has no sound.", "wrong_media_type")
    return audio


def check_replace_audio(op, media, ctx):
    _audio_asset(op, ctx)
    return replace(media, has_audio=True)


def check_mix_audio(op, media, ctx):
    _audio_asset(op, ctx)
    return replace(media, has_audio=True)


def check_text_overlay(op, media, ctx):
    if op["size"] > media.height:
        raise Invalid(
            "size", f"Larger than the picture's height ({media.height} px).", "out_of_range"
        )
    _position(op, media)
    _time_range(op, media)
    return media


def check_image_overlay(op, media, ctx):
    _position(op, media)
    _time_range(op, media)
    return media


def check_filters(op, media, ctx):
    if op["speed"] == 1.0:
        return media
    return replace(media, duration=_length(media.duration / op["speed"], "speed"))


def check_rotate(op, media, ctx):
    if op["angle"] in (90, 270):
        return replace(media, width=media.height, height=media.width)
    return media


def check_crop(op, media, ctx):
    if op["x"] >= media.width:
        raise Invalid("x", f"Outside the picture ({media.width} px wide).", "out_of_range")
    if op["y"] >= media.height:
        raise Invalid("y", f"Outside the picture ({media.height} px high).", "out_of_range")
    if op["x"] + op["width"] > media.width:
        raise Invalid("width", f"Goes past the right edge ({media.width} px wide).", "out_of_range")
    if op["y"] + op["height"] > media.height:
        raise Invalid(
            "height", f"Goes past the bottom edge ({media.height} px high).", "out_of_range"
        )
    return replace(media, width=op["width"], height=op["height"])


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationSpec:
    type: str
    fields: type[serializers.Serializer]
    check: Callable[[dict, Media, Context], Media]
    summary: str
    # Fields holding asset ids, with the kind of asset they must name.
    assets: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return self.type.replace("_", "-")


_SPECS = {
    "trim": OperationSpec("trim", TrimFields, check_trim, "Keep the part from start to end"),
    "merge": OperationSpec(
        "merge", MergeFields, check_merge, "Join audio files, optionally cross-faded"
    ),
    "fade": OperationSpec("fade", FadeFields, check_fade, "Fade in and/or out"),
    "normalize": OperationSpec(
        "normalize", NormalizeFields, check_normalize, "Normalize loudness (EBU R128)"
    ),
    "replace_audio": OperationSpec(
        "replace_audio",
        ReplaceAudioFields,
        check_replace_audio,
        "Replace the sound with an audio asset",
        (("audio", AUDIO),),
    ),
    "mix_audio": OperationSpec(
        "mix_audio",
        MixAudioFields,
        check_mix_audio,
        "Mix a background track under the sound",
        (("audio", AUDIO),),
    ),
    "text_overlay": OperationSpec(
        "text_overlay", TextOverlayFields, check_text_overlay, "Draw text over the picture"
    ),
    "image_overlay": OperationSpec(
        "image_overlay",
        ImageOverlayFields,
        check_image_overlay,
        "Draw an image over the picture",
        (("image", "image"),),
    ),
    "filters": OperationSpec(
        "filters", FiltersFields, check_filters, "Colour filters, blur and speed"
    ),
    "rotate": OperationSpec("rotate", RotateFields, check_rotate, "Rotate by 90, 180 or 270°"),
    "crop": OperationSpec("crop", CropFields, check_crop, "Crop to a rectangle of the frame"),
}

OPERATIONS: dict[str, dict[str, OperationSpec]] = {
    AUDIO: {name: _SPECS[name] for name in ("trim", "merge", "fade", "normalize")},
    VIDEO: {
        name: _SPECS[name]
        for name in (
            "trim",
            "replace_audio",
            "mix_audio",
            "text_overlay",
            "image_overlay",
            "filters",
            "rotate",
            "crop",
        )
    },
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _type_field(name: str) -> serializers.CharField:
    # A pattern rather than an enum: one-value enums named `type` would collide in the schema.
    field_class = extend_schema_field(
        {"type": "string", "pattern": f"^{name}$", "example": name, "description": f"`{name}`"}
    )(type(f"{_camel(name)}TypeField", (serializers.CharField,), {"__module__": __name__}))
    return field_class(validators=[RegexValidator(f"^{name}$", f"Must be {name}.")])


def _with_type(spec: OperationSpec) -> type[serializers.Serializer]:
    return type(
        f"{_camel(spec.type)}OperationSerializer",
        (spec.fields,),
        {"__module__": __name__, "__doc__": f"{spec.summary}.", "type": _type_field(spec.type)},
    )


# One serializer per operation with its `type`, shared by the audio and video lists.
TYPED: dict[str, type[serializers.Serializer]] = {
    name: _with_type(spec) for name, spec in _SPECS.items()
}


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # UUIDs


def operation_type(data) -> str:
    return re.sub(r"[\s-]", "_", str(data.get("type", "") if isinstance(data, dict) else ""))


def validate_operation(kind: str, data) -> dict:
    """Check one operation's fields; returns it with defaults filled in, JSON-ready."""
    if not isinstance(data, dict):
        raise serializers.ValidationError("Each operation is an object with a `type`.")
    name = operation_type(data)
    spec = OPERATIONS[kind].get(name)
    if spec is None:
        choices = ", ".join(OPERATIONS[kind])
        raise serializers.ValidationError(
            {"type": [f"Not a {kind} operation; use one of: {choices}."]}
        )
    serializer = spec.fields(data=data)
    if not serializer.is_valid():
        raise serializers.ValidationError(serializer.errors)
    return {"type": name, **_jsonable(dict(serializer.validated_data))}


def validate_operations(kind: str, operations) -> list[dict]:
    """Check the list's shape and every operation's fields (errors: operations.<i>.<field>)."""
    if not isinstance(operations, list) or not operations:
        raise serializers.ValidationError({"operations": ["Give at least one operation."]})
    if len(operations) > MAX_OPERATIONS:
        raise serializers.ValidationError(
            {"operations": [f"At most {MAX_OPERATIONS} operations per job."]}
        )
    result, errors = [], {}
    for index, data in enumerate(operations):
        try:
            result.append(validate_operation(kind, data))
        except serializers.ValidationError as exc:
            errors[index] = exc.detail
    if errors:
        raise serializers.ValidationError({"operations": errors})
    for index, op in enumerate(result):
        if op["type"] == "merge" and index != 0:
            raise serializers.ValidationError(
                {"operations": {index: {"type": ["A merge must be the first operation."]}}}
            )
    return result


def asset_references(kind: str, operations: list[dict]) -> list[tuple[tuple, str, str]]:
    """[(error path, asset id, required kind)] for every asset named inside the operations."""
    refs = []
    for index, op in enumerate(operations):
        spec = OPERATIONS[kind][op["type"]]
        for name, asset_kind in spec.assets:
            refs.append((("operations", index, name), str(op[name]), asset_kind))
    return refs


def plan(kind: str, operations: list[dict], ctx: Context) -> list[Step]:
    """Check every operation against the media it will see; returns the steps in order.

    Raises OperationError naming the field. Time values past the end by less than the
    tolerance are clamped in place."""
    media = ctx.primary[0]
    if kind == VIDEO and not media.has_video:
        raise OperationError(0, Invalid("type", "The source has no picture.", "wrong_media_type"))
    steps = []
    for index, op in enumerate(operations):
        spec = OPERATIONS[kind][op["type"]]
        try:
            after = spec.check(op, media, ctx)
        except Invalid as exc:
            raise OperationError(index, exc)
        steps.append(Step(index=index, op=op, before=media, after=after))
        media = after
    return steps
