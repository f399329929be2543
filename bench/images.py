"""Responsive image benchmark: what a list row downloads (the original before, the default
WebP rendition now), and the rendition pipeline against a plain Pillow loop (full decode,
one resize per width, the same saves), side by side on the same files.

    python bench/images.py [--megapixels 12 50] [--repeat 2]
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import setup


def photo(path: Path, megapixels: float) -> Path:
    """A photo-like JPEG (gradient, shapes and sensor noise) as a phone stores it."""
    from PIL import Image, ImageDraw, ImageFilter

    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for i in range(12):
        x, y = i * width // 14, i * height // 20
        box = (x, y, x + width // 5, y + height // 3)
        draw.ellipse(box, fill=(40 + i * 15, 120, 200 - i * 10))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    Image.blend(base.filter(ImageFilter.GaussianBlur(2)), noise, 0.15).save(path, quality=92)
    return path


def plain_pillow(src: Path, out: Path, widths) -> None:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as image:
        image = image.convert("RGB")
        for width in widths:
            height = round(image.height * width / image.width)
            scaled = image.resize((width, height), Image.Resampling.LANCZOS)
            scaled.save(out / f"w{width}.webp", quality=80, method=4)
            scaled.save(out / f"w{width}.jpg", quality=82, optimize=True, progressive=True)


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) if repeat < 3 else statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megapixels", type=float, nargs="+", default=[12, 50])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    workdir = setup("images")

    from media import images

    print(f"{'source':>10} {'original':>10} {'640 WebP':>9} {'smaller':>8} "
          f"{'pipeline':>9} {'plain':>7} {'ratio':>6}")  # fmt: skip
    for megapixels in args.megapixels:
        src = photo(workdir / f"photo-{megapixels:g}mp.jpg", megapixels)
        out = workdir / "out"
        widths = images.widths()
        rendered = images.render(src, out, "img")
        default = next(
            v for v in rendered.variants if v.width == 640 and v.content_type == "image/webp"
        )
        pipeline = best(lambda: images.render(src, out, "img"), args.repeat)  # noqa: B023
        plain = best(lambda: plain_pillow(src, workdir / "plain", widths), args.repeat)  # noqa: B023
        original = src.stat().st_size
        print(
            f"{megapixels:>8g}MP {original / 1e6:>8.2f}MB {default.size_bytes / 1e3:>7.1f}kB "
            f"{original / default.size_bytes:>7.0f}× {pipeline:>8.2f}s {plain:>6.2f}s "
            f"{plain / pipeline:>5.2f}×"
        )
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
