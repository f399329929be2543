"""Scripture references: parse free text ("Jn 3:16-18; Rom 8") into normalised verse ranges
with pythonbible, and store them as ScriptureLink rows for overlap search.

A verse id is BBCCCVVV (book, chapter, verse) as pythonbible numbers them, so a range is two
integers and canonical order is numeric order.
"""

from dataclasses import dataclass

import pythonbible as bible

from catalog.models import MAX_REFERENCE_LENGTH

MAX_PASSAGES = 20


class InvalidReference(ValueError):
    """Text that names no Bible passage (or too many)."""


@dataclass(frozen=True)
class Passage:
    start_verse_id: int
    end_verse_id: int
    label: str

    def overlaps(self, other: "Passage") -> bool:
        return self.start_verse_id <= other.end_verse_id and other.start_verse_id <= (
            self.end_verse_id
        )


def _passage(reference) -> Passage:
    end_book = reference.end_book or reference.book
    start_chapter = reference.start_chapter or 1
    start_verse = reference.start_verse or 1
    end_chapter = reference.end_chapter or bible.get_number_of_chapters(end_book)
    end_verse = reference.end_verse or bible.get_number_of_verses(end_book, end_chapter)
    start = bible.get_verse_id(reference.book, start_chapter, start_verse)
    end = bible.get_verse_id(end_book, end_chapter, end_verse)
    if not (bible.is_valid_verse_id(start) and bible.is_valid_verse_id(end)) or start > end:
        raise InvalidReference("That passage does not exist.")
    return Passage(start, end, bible.format_scripture_references([reference])[:100])


def passages_parse(text: str) -> list[Passage]:
    """The passages `text` names, in the order given, without repeats. Empty text: none.

    Raises InvalidReference when the text is too long or names no passage at all.
    """
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > MAX_REFERENCE_LENGTH:
        raise InvalidReference(f"Keep references under {MAX_REFERENCE_LENGTH} characters.")
    try:
        references = bible.get_references(text)
        passages = list(dict.fromkeys(_passage(ref) for ref in references))
    except (bible.InvalidBookError, bible.InvalidChapterError, bible.InvalidVerseError):
        raise InvalidReference("That passage does not exist.")
    if not passages:
        raise InvalidReference(f"“{text[:60]}” is not a Bible reference (try “John 3:16”).")
    if len(passages) > MAX_PASSAGES:
        raise InvalidReference(f"Name at most {MAX_PASSAGES} passages.")
    return passages


def passages_label(passages: list[Passage]) -> str:
    """The normalised reference text, e.g. "John 3:16-18; Romans 8:28"."""
    return "; ".join(passage.label for passage in passages)
