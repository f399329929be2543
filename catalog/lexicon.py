"""The words typo correction picks from (catalog/search.py): those of approved titles, tags
and artist names, one `search_words` row each.

Words join as content is approved (moderation, trusted publishing, owner edits) and as
artist profiles are created; `lexicon_rebuild` (daily from Celery beat, or the
`search_lexicon_rebuild` command) drops those nothing uses any more.
"""

import re

from catalog.models import Artist, SearchWord
from catalog.search import CONTENT_MODELS
from cnt.models import ModerationStatus

LEXICON_WORD = re.compile(r"[^\W_]+")
LEXICON_WORD_LENGTH = (3, 40)


def lexicon_words(*texts) -> set[str]:
    """The words of `texts` worth correcting towards (lower case, 3 to 40 characters)."""
    low, high = LEXICON_WORD_LENGTH
    return {
        word
        for text in texts
        for word in LEXICON_WORD.findall(str(text or "").lower())
        if low <= len(word) <= high
    }


def lexicon_add(*texts) -> None:
    """Make the words of `texts` (an approved title, its tags, an artist's name) known to
    typo correction. One INSERT; words already known are skipped."""
    words = lexicon_words(*texts)
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True
        )


def lexicon_add_content(obj) -> None:
    """The words of an approved podcast, movie or music track (other types are not searched
    and teach nothing)."""
    if type(obj) in CONTENT_MODELS.values():
        lexicon_add(obj.title, *(obj.tags or []))


def lexicon_rebuild(progress=None) -> tuple[int, int]:
    """Recompute the lexicon from approved content and artist names, dropping words nothing
    uses any more. Returns (words added, words removed); `progress(label, rows)` is called
    per source read."""
    # Read before the content: a word added by an approval while the content is read is
    # then not mistaken for a stale one.
    known = set(SearchWord.objects.values_list("word", flat=True))
    words: set[str] = set()
    for search_type, model in CONTENT_MODELS.items():
        rows = model.objects.filter(status=ModerationStatus.APPROVED).values_list("title", "tags")
        count = 0
        for title, tags in rows.iterator(chunk_size=5000):
            words |= lexicon_words(title, *(tags or []))
            count += 1
        if progress:
            progress(search_type.label, count)
    names = list(Artist.objects.values_list("name", flat=True))
    words |= lexicon_words(*names)
    if progress:
        progress("Artist", len(names))
    stale = known - words
    SearchWord.objects.filter(word__in=stale).delete()
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words - known)],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return len(words - known), len(stale)
