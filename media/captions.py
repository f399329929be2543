"""Captions as data: cues built from timed words, WebVTT written and read (webvtt-py, srt),
and the HLS subtitles rendition (a media playlist per language, listed in the master).

Pure functions: no database, no storage. media/transcripts.py stores what they produce and
media/playback.py serves it.
"""

import html
import math
import re
from dataclasses import dataclass, field

import srt
import webvtt
from django.utils.translation import get_language_info

# Readable captions (the common broadcast rules): at most two lines of 42 characters, on
# screen at most 7 seconds; a pause this long starts a new cue.
MAX_LINE = 42
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
PAUSE_SECONDS = 1.5
# Uploaded files: bounded before parsing, and after.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_CUES = 20_000
MAX_CUE_TEXT = 500
MAX_MEDIA_SECONDS = 24 * 3600.0

SUBTITLES_DIR = "hls/subtitles"
SUBTITLES_GROUP = "subs"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
_TAGS = re.compile(r"<[^>]*>")
_SENTENCE_END = (".", "?", "!", "…")


class CaptionsInvalid(ValueError):
    """An uploaded captions file that cannot be used; the message says why."""


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]
    # [start, word] of each word, when known (generated captions).
    words: list[list] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


# --- language tags ---------------------------------------------------------------------------


def language_normalise(tag: str) -> str:
    """ "EN-us" -> "en-US"; raises CaptionsInvalid for what is not a language tag."""
    tag = (tag or "").strip().replace("_", "-")
    if not LANGUAGE_TAG.match(tag):
        raise CaptionsInvalid("Give the language as a tag such as en, fr or pt-BR.")
    primary, *rest = tag.split("-")
    return "-".join([primary.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def language_slug(tag: str) -> str:
    """The language as a path segment (media/playback.py accepts [a-z0-9_])."""
    return tag.lower().replace("-", "_")


def language_name(tag: str) -> str:
    for code in (tag, tag.split("-")[0]):
        try:
            return get_language_info(code.lower())["name_local"]
        except KeyError:
            continue
    return tag


# --- cues from words -------------------------------------------------------------------------


def _wrap(words: list[str]) -> list[str] | None:
    """Greedy lines of at most MAX_LINE characters; None if they need more than MAX_LINES."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= MAX_LINE:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines if len(lines) <= MAX_LINES else None


def _pieces(text: str) -> list[str]:
    """A word longer than a line is cut into line-sized pieces."""
    return [text[i : i + MAX_LINE] for i in range(0, len(text), MAX_LINE)] or [text]


def cues_from_words(words) -> list[Cue]:
    """Cues timed to the words ((start, end, text), in order): each at most MAX_LINES lines
    of MAX_LINE characters and MAX_CUE_SECONDS long; a pause or a full sentence that filled
    a line ends a cue."""
    cues: list[Cue] = []
    current: list[tuple[float, float, str]] = []

    def flush():
        if current:
            lines = _wrap([w for _, _, w in current])
            cues.append(
                Cue(
                    start=round(current[0][0], 3),
                    end=round(current[-1][1], 3),
                    lines=lines or [],
                    words=[[round(s, 3), w] for s, _, w in current],
                )
            )
            current.clear()

    timed = []
    for start, end, text in words:
        start, end = float(start), max(float(end), float(start))
        for piece in _pieces(text):
            timed.append((start, end, piece))
    for start, end, text in timed:
        if current:
            too_long = end - current[0][0] > MAX_CUE_SECONDS
            paused = start - current[-1][1] > PAUSE_SECONDS
            overflow = _wrap([*(w for _, _, w in current), text]) is None
            sentence_done = current[-1][2].endswith(_SENTENCE_END) and (
                sum(len(w) + 1 for _, _, w in current) > MAX_LINE
            )
            if too_long or paused or overflow or sentence_done:
                flush()
        current.append((start, end, text))
    flush()
    # A cue ends no later than the next one starts.
    for cue, following in zip(cues, cues[1:], strict=False):
        cue.end = min(cue.end, following.start)
        if cue.end <= cue.start:
            cue.end = round(cue.start + 0.001, 3)
    return cues


# --- WebVTT ----------------------------------------------------------------------------------


def _timestamp(seconds: float) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_write(cues: list[Cue]) -> str:
    blocks = ["WEBVTT"]
    for cue in cues:
        text = "\n".join(_escape(line) for line in cue.lines)
        blocks.append(f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def _clean(text: str) -> list[str]:
    """Lines of a cue as plain text: markup dropped, entities decoded, blank lines gone."""
    lines = [html.unescape(_TAGS.sub("", line)).strip() for line in text.splitlines()]
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    return lines


def captions_parse(data: bytes) -> list[Cue]:
    """An uploaded WebVTT or SubRip file as clean cues, sorted by time. Raises
    CaptionsInvalid with the reason (bad encoding, bad syntax, bad times, no cues, too
    many or too long)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise CaptionsInvalid(f"A captions file may be at most {MAX_UPLOAD_BYTES} bytes.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaptionsInvalid("Captions must be UTF-8 text.")
    if "\x00" in text:
        raise CaptionsInvalid("Captions must be UTF-8 text.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw: list[tuple[float, float, str]] = []
    if text.lstrip().startswith("WEBVTT"):
        try:
            parsed = webvtt.from_string(text.lstrip())
        except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as exc:
            raise CaptionsInvalid(f"Not valid WebVTT: {exc}".strip())
        raw = [(c.start_in_seconds, c.end_in_seconds, c.text) for c in parsed.captions]
    else:
        try:
            subtitles = list(srt.parse(text, ignore_errors=False))
        except (srt.SRTParseError, ValueError) as exc:
            raise CaptionsInvalid(
                "Not WebVTT (it must start with WEBVTT) nor valid SubRip (SRT): "
                f"{exc.__class__.__name__}."
            )
        raw = [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subtitles]
    cues = []
    for start, end, content in raw:
        if not (math.isfinite(start) and math.isfinite(end)):
            raise CaptionsInvalid("A cue has an invalid time.")
        if start < 0 or end <= start or end > MAX_MEDIA_SECONDS:
            raise CaptionsInvalid(
                f"The cue at {_timestamp(start)} must end after it starts "
                "and within the media's length."
            )
        lines = _clean(content)
        if not lines:
            continue
        if sum(len(line) for line in lines) > MAX_CUE_TEXT:
            raise CaptionsInvalid(f"The cue at {_timestamp(start)} is too long.")
        cues.append(Cue(start=round(start, 3), end=round(end, 3), lines=lines))
    if not cues:
        raise CaptionsInvalid("The file has no captions.")
    if len(cues) > MAX_CUES:
        raise CaptionsInvalid(f"A captions file may hold at most {MAX_CUES} cues.")
    cues.sort(key=lambda cue: (cue.start, cue.end))
    for cue in cues:
        # Words spread over the cue by their position in its text: a search hit points
        # near the word even without word timings.
        words = cue.text.split()
        length = max(len(cue.text), 1)
        offset, spread = 0, []
        for word in words:
            position = cue.text.find(word, offset)
            offset = position + len(word)
            spread.append([round(cue.start + (cue.end - cue.start) * position / length, 3), word])
        cue.words = spread
    return cues


def cues_read(vtt: str) -> list[Cue]:
    """Cues of WebVTT this module wrote (for segments and paragraphs of a stored track)."""
    return captions_parse(vtt.encode())


def paragraphs_from_cues(cues: list[Cue], *, gap: float = 2.0, size: int = 6) -> list[dict]:
    """Paragraphs for reading along when only cues are known: a pause or `size` cues."""
    paragraphs: list[dict] = []
    group: list[Cue] = []
    for cue in cues:
        if group and (cue.start - group[-1].end > gap or len(group) >= size):
            paragraphs.append(_paragraph(group))
            group = []
        group.append(cue)
    if group:
        paragraphs.append(_paragraph(group))
    return paragraphs


def _paragraph(group: list[Cue]) -> dict:
    return {"start": group[0].start, "end": group[-1].end, "text": " ".join(c.text for c in group)}


# --- HLS -------------------------------------------------------------------------------------


def subtitles_playlist(language: str, duration: float) -> str:
    """The subtitles media playlist of one language: the whole WebVTT file as one segment."""
    duration = max(float(duration or 0), 1.0)
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n"
        f"#EXT-X-TARGETDURATION:{math.ceil(duration)}\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        f"#EXTINF:{duration:.3f},\n{language_slug(language)}.vtt\n#EXT-X-ENDLIST\n"
    )


def master_with_subtitles(master: str, languages: list[str], default: str = "") -> str:
    """The stored master playlist with a SUBTITLES rendition group (one EXT-X-MEDIA per
    language, LANGUAGE and NAME set) that every variant names, so players offer captions."""
    if not languages:
        return master
    media = []
    for language in languages:
        name = language_name(language).replace('"', "'")
        is_default = "YES" if language == default else "NO"
        media.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="{SUBTITLES_GROUP}",NAME="{name}",'
            f'LANGUAGE="{language}",DEFAULT={is_default},AUTOSELECT=YES,FORCED=NO,'
            f'URI="subtitles/{language_slug(language)}.m3u8"'
        )
    lines, inserted = [], False
    for line in master.splitlines():
        if line.startswith("#EXT-X-STREAM-INF:"):
            if not inserted:
                lines += media
                inserted = True
            if "SUBTITLES=" not in line:
                line = f'{line},SUBTITLES="{SUBTITLES_GROUP}"'
        lines.append(line)
    return "\n".join(lines) + "\n"
