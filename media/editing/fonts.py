"""Font files for drawn text: DejaVu, installed by Debian's `fonts-dejavu-core` package.

Nothing is downloaded at run time; a missing font is a server misconfiguration (503).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cnt.errors import ServiceUnavailable

logger = logging.getLogger("cnt.media.editing")

FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans_bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
}


class FontMissing(ServiceUnavailable):
    default_detail = _("Text rendering is unavailable: the server's font files are not installed.")
    default_code = "font_missing"


def font_path(name: str) -> Path:
    """The absolute path of a font by role ("sans", "sans_bold", "serif")."""
    path = Path(settings.MEDIA_FONT_DIR) / FONT_FILES[name]
    if not path.is_file():
        logger.error(
            "font file %s is missing: install fonts-dejavu-core "
            "(scripts/ensure-system.sh ffmpeg) or point MEDIA_FONT_DIR at the DejaVu fonts",
            path,
        )
        raise FontMissing()
    return path.resolve()
