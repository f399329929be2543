"""Quote images: a scripture or sermon quote drawn with Pillow on a designed background
(gradient, a subtle pattern, a soft vignette), word-wrapped and sized to fit by a binary
search on the font size, with an attribution line. Stored as MediaAsset purpose QUOTE
(under images/quotes/) through the normal upload path, so the image is re-encoded like
any other."""

import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from rest_framework import serializers

from media.editing import fonts
from media.editing.fields import TextField
from media.models import AssetPurpose, MediaAsset

SIZES = {"square": (1080, 1080), "story": (1080, 1920)}
MAX_ATTRIBUTION = 120
BODY_SIZE_RANGE = (24, 110)
LINE_SPACING = 1.32


@dataclass(frozen=True)
class Theme:
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]
    text: tuple[int, int, int]
    pattern: str  # dots | lines | grid | rings
    pattern_alpha: int = 22


THEMES = {
    "dawn": Theme((255, 184, 108), (214, 92, 126), (255, 255, 255), "dots"),
    "dusk": Theme((52, 31, 102), (208, 104, 118), (255, 255, 255), "lines"),
    "ocean": Theme((12, 52, 96), (30, 152, 164), (255, 255, 255), "rings"),
    "forest": Theme((18, 58, 40), (96, 140, 82), (255, 255, 255), "grid"),
    "sand": Theme((246, 233, 206), (214, 178, 136), (58, 40, 28), "dots", 30),
    "night": Theme((8, 10, 28), (44, 52, 96), (255, 255, 255), "dots", 34),
}


class QuoteCreateSerializer(serializers.Serializer):
    text = TextField(help_text="The quote (up to 500 characters; line breaks kept).")
    attribution = serializers.CharField(
        max_length=MAX_ATTRIBUTION,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who said it or where it is written, e.g. John 3:16.",
    )
    size = serializers.ChoiceField(
        choices=list(SIZES), default="square", help_text="square 1080×1080, story 1080×1920"
    )
    theme = serializers.ChoiceField(choices=list(THEMES), default="dawn")

    def validate_attribution(self, value):
        value = " ".join(value.split())
        if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in value):
            raise serializers.ValidationError("The attribution contains control characters.")
        return value


# --- background -----------------------------------------------------------------------------


def _gradient(width: int, height: int, theme: Theme) -> Image.Image:
    vertical = Image.linear_gradient("L").resize((width, height))
    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    mask = ImageChops.add(vertical.point(lambda p: p * 0.75), horizontal.point(lambda p: p * 0.25))
    top, bottom = (
        Image.new("RGB", (width, height), theme.top),
        Image.new("RGB", (width, height), theme.bottom),
    )
    return Image.composite(bottom, top, mask)


def _pattern(width: int, height: int, theme: Theme) -> Image.Image:
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    ink = (*theme.text, theme.pattern_alpha)
    if theme.pattern == "dots":
        step = 36
        for y in range(step // 2, height, step):
            shift = step // 2 if (y // step) % 2 else 0
            for x in range(shift, width + step, step):
                draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=ink)
    elif theme.pattern == "lines":
        for offset in range(-height, width, 28):
            draw.line([(offset, height), (offset + height, 0)], fill=ink, width=2)
    elif theme.pattern == "grid":
        for x in range(0, width, 54):
            draw.line([(x, 0), (x, height)], fill=ink, width=1)
        for y in range(0, height, 54):
            draw.line([(0, y), (width, y)], fill=ink, width=1)
    else:  # rings from the lower right corner
        for radius in range(40, int((width**2 + height**2) ** 0.5), 44):
            draw.ellipse(
                [width - radius, height - radius, width + radius, height + radius],
                outline=ink,
                width=2,
            )
    return layer


def _background(width: int, height: int, theme: Theme) -> Image.Image:
    image = _gradient(width, height, theme).convert("RGBA")
    image.alpha_composite(_pattern(width, height, theme))
    vignette = Image.radial_gradient("L").resize((width, height)).point(lambda p: p * 70 // 255)
    shade = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shade.putalpha(vignette)
    image.alpha_composite(shade)
    return image


# --- text layout ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _pieces(word: str, font, max_width: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit (long URLs, unspaced scripts)."""
    if font.getlength(word) <= max_width:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and font.getlength(current + char) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, font, max_width: float) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            for piece in _pieces(word, font, max_width):
                candidate = f"{line} {piece}" if line else piece
                if font.getlength(candidate) <= max_width:
                    line = candidate
                else:
                    if line:
                        lines.append(line)
                    line = piece
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


@dataclass
class Layout:
    size: int
    lines: list[str]
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit(text: str, font_file: str, max_width: int, max_height: int) -> Layout:
    """The largest font size whose wrapped text fits the box (binary search)."""
    low, high = BODY_SIZE_RANGE
    best = None
    while low <= high:
        size = (low + high) // 2
        font = _font(font_file, size)
        lines = wrap(text, font, max_width)
        layout = Layout(size, lines, round(size * LINE_SPACING))
        if layout.height <= max_height and all(font.getlength(s) <= max_width for s in lines):
            best, low = layout, size + 1
        else:
            high = size - 1
    if best is None:  # cannot happen within MAX_TEXT characters; keep the smallest size
        size = BODY_SIZE_RANGE[0]
        best = Layout(size, wrap(text, _font(font_file, size), max_width), round(size * 1.2))
    return best


def _draw_lines(image, lines, font, top, line_height, color):
    """Centred lines with a soft shadow for legibility on any part of the gradient."""
    width = image.width
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    shadow_draw = ImageDraw.Draw(shadow)
    dark_text = sum(color[:3]) < 3 * 128
    halo = (255, 255, 255, 90) if dark_text else (0, 0, 0, 110)
    for i, line in enumerate(lines):
        shadow_draw.text((width / 2, top + i * line_height + 3), line, font=font,
                         fill=halo, anchor="ma")  # fmt: skip
    image.alpha_composite(shadow.filter(ImageFilter.GaussianBlur(4)))
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for i, line in enumerate(lines):
        draw.text((width / 2, top + i * line_height), line, font=font, fill=color, anchor="ma")
    image.alpha_composite(layer)


def render_quote(*, text: str, attribution: str = "", size: str, theme: str) -> Image.Image:
    """Draw the quote; returns an RGB image of the chosen size."""
    width, height = SIZES[size]
    style = THEMES[theme]
    serif, bold = str(fonts.font_path("serif")), str(fonts.font_path("sans_bold"))
    image = _background(width, height, style)
    margin_x = round(width * 0.1)
    # Stories keep clear of the app's own controls at the top and bottom.
    margin_y = round(height * 0.16) if size == "story" else round(height * 0.12)
    box_width, box_height = width - 2 * margin_x, height - 2 * margin_y

    mark = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(mark).text(
        (margin_x * 0.55, margin_y * 0.35), "\u201c", font=_font(serif, 220), fill=(*style.text, 70)
    )
    image.alpha_composite(mark)

    attribution_lines, attribution_font, attribution_height, gap = [], None, 0, 0
    if attribution:
        label = attribution if attribution[0] in "—–-" else f"\u2014 {attribution}"
        attribution_font = _font(bold, 34)
        attribution_lines = wrap(label, attribution_font, box_width)[:3]
        attribution_height = round(34 * 1.3) * len(attribution_lines)
        gap = 48
    body = fit(text, serif, box_width, box_height - attribution_height - gap)
    block = body.height + gap + attribution_height
    top = margin_y + (box_height - block) // 2
    _draw_lines(image, body.lines, _font(serif, body.size), top, body.line_height, style.text)
    if attribution_lines:
        _draw_lines(image, attribution_lines, attribution_font, top + body.height + gap,
                    round(34 * 1.3), (*style.text, 230))  # fmt: skip
    return image.convert("RGB")


def quote_image_create(
    *, owner, text: str, attribution: str = "", size: str = "square", theme: str = "dawn"
) -> MediaAsset:
    """Render a quote image and store it as the owner's asset (purpose QUOTE, ready).

    Raises ValidationError (400) naming the field for bad input, ServiceUnavailable (503)
    when the font is not installed or storage fails."""
    from media.services import asset_create_from_path

    fields = QuoteCreateSerializer(
        data={"text": text, "attribution": attribution or "", "size": size, "theme": theme}
    )
    fields.is_valid(raise_exception=True)
    data = fields.validated_data
    image = render_quote(
        text=data["text"], attribution=data["attribution"], size=data["size"], theme=data["theme"]
    )
    workdir = Path(tempfile.mkdtemp(prefix="cnt-quote-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        path = workdir / "quote.png"
        image.save(path, format="PNG", compress_level=1)  # re-encoded as JPEG on upload
        return asset_create_from_path(
            owner=owner, purpose=AssetPurpose.QUOTE, path=path, filename="quote.jpg"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
