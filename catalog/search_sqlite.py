"""Search on SQLite (the embedded default): typo correction through an FTS5 trigram index of
the lexicon, then substring matches of every (corrected) word.

The lexicon (`search_words`, catalog/lexicon.py) has a mirror on SQLite: `search_words_fts`,
an FTS5 table with the trigram tokenizer (migration catalog/0010), written by the same
lexicon services that feed PostgreSQL's trigram index (`lexicon_add`, `lexicon_rebuild`).
A query word the lexicon does not know, even as a prefix, is a typo: its candidates are the
lexicon words sharing the most of its trigrams (FTS5's bm25 over an OR of them), plus, for
short words whose every trigram may be wrong ("grce"), the words of about its length with
its first letter (a range of the lexicon's primary key). They are kept within a few edits
(optimal string alignment: a swap of two letters is one slip) or similar enough by
trigrams, as on PostgreSQL (catalog/search.py), and the nearest win.

Content then matches when every word (as typed, or one of its corrections) is a substring
of one of the kind's search fields; if nothing has every word, any of them will do.
"""

from django.db import connection
from django.db.models import Case, Exists, FloatField, OuterRef, Q, Value, When
from django.db.models.functions import Cast

from catalog import kinds
from catalog.models import Artist, SearchWord
from cnt.models import ModerationStatus
from media.models import TranscriptSegment

FTS_TABLE = "search_words_fts"
# Candidates read per query word: by shared trigrams, and by first letter and length.
TRIGRAM_CANDIDATES = 50
LETTER_CANDIDATES = 200
LENGTH_SLACK = 2


def has_fts() -> bool:
    """FTS5 serves the lexicon only on SQLite (PostgreSQL has pg_trgm)."""
    return connection.vendor == "sqlite"


def fts_add(words) -> None:
    """Index lexicon words that were not in the lexicon before (one INSERT)."""
    words = sorted(set(words))
    if not words or not has_fts():
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {FTS_TABLE}(word) VALUES (%s)", [[w] for w in words])


def fts_rebuild() -> None:
    """The FTS index again from the lexicon table (after a lexicon rebuild)."""
    if not has_fts():
        return
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}(word) SELECT word FROM {table}")


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity: shared trigrams over all trigrams of either word."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second) if first | second else 0.0


def edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters, one edit each."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _known(cursor, table: str, term: str) -> bool:
    cursor.execute(
        f"SELECT 1 FROM {table} WHERE word >= %s AND word < %s LIMIT 1", [term, term + "\U0010ffff"]
    )
    return cursor.fetchone() is not None


def _candidates(cursor, table: str, term: str) -> set[str]:
    found = set()
    grams = sorted(gram for gram in trigrams(term) if gram.strip() == gram)
    if grams:
        match = " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
        cursor.execute(
            f"SELECT word FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT %s",
            [match, TRIGRAM_CANDIDATES],
        )
        found |= {row[0] for row in cursor.fetchall()}
    first = term[0]
    cursor.execute(
        f"SELECT word FROM {table} WHERE word >= %s AND word < %s"
        " AND length(word) BETWEEN %s AND %s LIMIT %s",
        [first, first + "\U0010ffff", len(term) - LENGTH_SLACK, len(term) + LENGTH_SLACK]
        + [LETTER_CANDIDATES],
    )
    return found | {row[0] for row in cursor.fetchall()}


def corrections(
    terms: list[str], *, min_length: int, long_word: int, similar: float, limit: int
) -> dict[str, list[str]]:
    """{query word: its nearest lexicon words} for the words the lexicon does not know, with
    PostgreSQL's thresholds (catalog/search.py passes them)."""
    if not has_fts():
        return {}
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for term in dict.fromkeys(terms):
            if len(term) < min_length or _known(cursor, table, term):
                continue
            allowed = 1 + (len(term) >= long_word)
            options = []
            for word in _candidates(cursor, table, term) - {term}:
                distance = edits(term, word)
                score = similarity(term, word)
                if distance <= allowed or score >= similar:
                    options.append((distance, -score, word))
            if options:
                options.sort()
                nearest = options[0][0]
                found[term] = [word for d, _, word in options if d == nearest][:limit]
    return found


def _matches(field: str, alternatives: list[list[str]], *, any_term: bool) -> Q:
    """The field holds every word (any, with `any_term`), each as typed or corrected."""
    condition = Q()
    for words in alternatives:
        term = Q()
        for word in words:
            term |= Q(**{f"{field}__icontains": word})
        condition = (condition | term) if any_term else (condition & term)
    return condition


def substring_sql(
    *,
    types: list[str],
    alternatives: list[list[str]],
    any_term: bool,
    artist_limit: int,
    language: str | None = None,
) -> tuple[str, list]:
    """The candidates of one pass: (kind, id, score) rows of every requested type (only
    content in `language`, when given). A word in the title scores 1, in the second field
    0.4, elsewhere 0.2; a matching artist adds 0.4, words said in the item 0.1."""

    def word_score(field_scores: list[tuple[str, float]]):
        total = Value(0.0, output_field=FloatField())
        for words in alternatives:
            whens = [
                When(_matches(field, [words], any_term=False), then=Value(weight))
                for field, weight in field_scores
            ]
            total = total + Case(*whens, default=Value(0.0), output_field=FloatField())
        return total

    name_match = _matches("name", alternatives, any_term=any_term)
    artist_ids = list(Artist.objects.filter(name_match).values_list("id", flat=True)[:artist_limit])
    querysets = []
    for type_name in types:
        if type_name == "artist":
            base = Artist.objects.filter(user__is_active=True)
            score = word_score([("name", 1.0)])
            querysets.append(_branch(base, "artist", name_match, score))
            continue
        kind = kinds.kind_get(type_name)
        condition = Q()
        for field in kind.search_fields:
            condition |= _matches(field, alternatives, any_term=any_term)
        title, *rest = kind.search_fields
        weights = [(title, 1.0), *((field, 0.4) for field in rest[:1])]
        weights += [(field, 0.2) for field in rest[1:]]
        score = word_score(weights)
        if artist_ids and kind.has_artist:
            condition |= Q(artist_id__in=artist_ids)
            score = score + Case(
                When(artist_id__in=artist_ids, then=Value(0.4)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        if kind.is_spoken_word:
            said = Q()
            for name in kind.media_field_names:
                segments = TranscriptSegment.objects.filter(
                    _matches("text", alternatives, any_term=any_term),
                    asset_id=OuterRef(f"{name}_id"),
                )
                said |= Q(Exists(segments))
            condition |= said
            score = score + Case(
                When(said, then=Value(0.1)), default=Value(0.0), output_field=FloatField()
            )
        base = kind.model.objects.filter(status=ModerationStatus.APPROVED)
        if language:
            base = base.filter(language=language)
        querysets.append(_branch(base, type_name, condition, score))
    first, *others = querysets
    union = first.union(*others, all=True) if others else first
    return union.query.sql_with_params()


def _branch(queryset, kind: str, condition, score):
    return (
        queryset.filter(condition)
        .annotate(kind=Value(kind), score=Cast(score, FloatField()))
        .values("kind", "id", "score")
        .order_by()
    )


def moment_condition(alternatives: list[list[str]]) -> Q:
    """Segments that hold any of the words (a moment needs only one of them)."""
    return _matches("text", alternatives, any_term=True)
