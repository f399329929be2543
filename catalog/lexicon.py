"""The words typo correction picks from (catalog/search.py): those of approved titles, tags
and artist names, one `search_words` row each (and, on SQLite, one row of its FTS5 trigram
mirror: catalog/search_sqlite.py).

Words join as content is approved (moderation, trusted publishing, owner edits) and as
artist profiles are created; `lexicon_rebuild` (daily from Celery beat, or the
`search_lexicon_rebuild` command) drops those nothing uses any more.
"""

import re

from catalog import kinds, search_sqlite
from catalog.models import Artist, SearchWord
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
    if not words:
        return
    if search_sqlite.has_fts():
        # SQLite's FTS5 mirror takes the words the lexicon did not have.
        known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
        search_sqlite.fts_add(words - known)
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True
    )


def _texts(values) -> list:
    """A row's lexicon fields as texts: list fields (tags) give one text per element."""
    texts = []
    for value in values:
        texts.extend(value if isinstance(value, list) else [value])
    return texts


def lexicon_add_content(obj) -> None:
    """The words of an approved item of a searchable kind (other kinds are not searched and
    teach nothing)."""
    try:
        kind = kinds.kind_for(obj)
    except kinds.UnknownContentKind:
        return
    if kind.is_searchable:
        lexicon_add(*_texts(getattr(obj, field) for field in kind.lexicon_fields))


def lexicon_rebuild(progress=None) -> tuple[int, int]:
    """Recompute the lexicon from approved content and artist names, dropping words nothing
    uses any more. Returns (words added, words removed); `progress(label, rows)` is called
    per source read."""
    # Read before the content: a word added by an approval while the content is read is
    # then not mistaken for a stale one.
    known = set(SearchWord.objects.values_list("word", flat=True))
    words: set[str] = set()
    for kind in kinds.searchable_kinds():
        rows = kind.model.objects.filter(status=ModerationStatus.APPROVED).values_list(
            *kind.lexicon_fields
        )
        count = 0
        for row in rows.iterator(chunk_size=5000):
            words |= lexicon_words(*_texts(row))
            count += 1
        if progress:
            progress(kind.label, count)
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
    search_sqlite.fts_rebuild()
    return len(words - known), len(stale)
