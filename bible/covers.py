"""Render page 1 of a PDF as a JPEG cover with pypdfium2 (PDFium in a wheel: no system
packages). The page is scaled to fit COVER_MAX_SIZE whatever size it declares, so a huge
page cannot make a huge bitmap."""

from pathlib import Path

import pypdfium2 as pdfium

COVER_MAX_SIZE = (600, 800)
# PDF points are 1/72 inch; never render above 4x (288 dpi) even for tiny pages.
MAX_SCALE = 4.0


class CoverError(Exception):
    """The document's first page cannot be rendered."""


def render_first_page(source: Path, target: Path) -> Path:
    """Write page 1 of `source` to `target` as a JPEG no larger than COVER_MAX_SIZE."""
    try:
        document = pdfium.PdfDocument(str(source))
    except (pdfium.PdfiumError, OSError) as exc:
        raise CoverError(f"The PDF cannot be opened: {exc}")
    try:
        if len(document) < 1:
            raise CoverError("The PDF has no pages.")
        page = document[0]
        try:
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                raise CoverError("Page 1 has no size.")
            scale = min(COVER_MAX_SIZE[0] / width, COVER_MAX_SIZE[1] / height, MAX_SCALE)
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
        except pdfium.PdfiumError as exc:
            raise CoverError(f"Page 1 cannot be rendered: {exc}")
        finally:
            page.close()
    finally:
        document.close()
    image.thumbnail(COVER_MAX_SIZE)
    image.save(target, format="JPEG", quality=85, optimize=True)
    return target
