"""Search over approved content of every searchable kind (podcasts, movies, music, Bible
stories: catalog/kinds.py), and artists.

PostgreSQL: full-text search over each content table's stored `search_document` (title A,
tags B, description C; a generated column with a partial GIN index, migration
catalog/0004), ranked with ts_rank; an artist whose name matches lends its content weight
B. Typos are corrected against the lexicon of words in approved titles, tags and artist
names (`search_words`): a query word the lexicon does not know, even as a prefix, also
matches its nearest look-alikes, so "amzing grce" finds "Amazing Grace". If no item has
every (corrected) word, items with any of them are ranked instead. SQLite (the embedded
default) corrects typos through an FTS5 trigram index of the same lexicon, then matches
every (corrected) word as a substring with a simple score (catalog/search_sqlite.py).

Bounded work: one lexicon look-up, then a pass: one query (the artists whose name matches,
at most ARTIST_MATCH_LIMIT, and at most CANDIDATES matches a type, ranked, with the total
from a window function); a second pass only when nothing has every word; then the page's
rows, one query per type present.
"""

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import connection, models

from catalog import kinds, search_sqlite
from catalog.models import Artist, SearchWord
from cnt.models import CONTENT_LANGUAGE_PATTERN, ModerationStatus
from media.models import TranscriptSegment

# What a search can be narrowed to: every searchable content kind (catalog/kinds.py), and
# artists.
SearchType = models.TextChoices(
    "SearchType",
    [
        *((kind.name.upper(), (kind.name, kind.label)) for kind in kinds.searchable_kinds()),
        ("ARTIST", ("artist", "Artist")),
    ],
)

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Matches ranked per type and pass. A term found in more rows than this (a very broad
# query) is ranked among the first CANDIDATES rows the index yields (in table order, so
# pages stay consistent), which keeps its cost bounded.
CANDIDATES = 200
ARTIST_MATCH_LIMIT = 100
# Typo correction: up to CORRECTIONS lexicon words per query word, at least this similar
# (pg_trgm similarity: shared trigrams over all trigrams; "prodigl"/"prodigal" is 0.55).
CORRECTIONS = 3
CORRECTION_SIMILARITY = 0.3
# Candidates read from the trigram index per word; one edit allowed, two from LONG_WORD.
NEAREST_WORDS = 20
LONG_WORD = 5
MIN_CORRECTED_LENGTH = 3

# Search inside what was said, for spoken-word kinds (migration media/0004, PostgreSQL): the
# items are found by their transcript as one document (media_transcripts.search_document,
# GIN), so a common word costs one index entry per item, not per segment; at most
# SPOKEN_CANDIDATES of them are ranked per pass. Each hit then shows its first MOMENTS
# matching segments (media_transcript_segments.search_vector, walked in order on the
# (asset, position) index), each with the second the matching word was said.
SPOKEN_CANDIDATES = 200
MOMENTS = 3
# What a hit's image needs of its asset (cnt/api/images.py): no query per hit.
IMAGE_FIELDS = ("id", "kind", "width", "height", "images")
TRANSCRIPTS_TABLE = "media_transcripts"
TRANSCRIPT_DOCUMENT_COLUMN = "search_document"
SEGMENTS_TABLE = "media_transcript_segments"
SEGMENT_VECTOR_COLUMN = "search_vector"

CONFIG = "'english'::regconfig"
# The stored column of migration catalog/0004 (not a model field: PostgreSQL only).
DOCUMENT_COLUMN = "search_document"
ARTIST_NAME = "to_tsvector({c}, coalesce({t}name, ''))"
TSQUERY = f"to_tsquery({CONFIG}, %s)"


def normalize(query: str) -> str:
    """Collapse whitespace and cap the length of what the user typed."""
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def terms_of(query: str) -> list[str]:
    """Words only (letters and digits in any script): no tsquery syntax reaches PostgreSQL."""
    words = re.findall(r"\w+", query.lower())
    return [word[:MAX_TERM_LENGTH] for word in words if word.strip("_")][:MAX_TERMS]


def tsquery_text(
    terms: list[str], corrections: dict[str, list[str]] | None = None, *, any_term: bool = False
) -> str:
    """Every term must match (or any, with `any_term`), each as a prefix (type-ahead finds
    `amaz…`) or as one of its corrections."""
    corrections = corrections or {}
    groups = []
    for term in terms:
        alternatives = [f"{term}:*", *corrections.get(term, [])]
        groups.append(
            alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})"
        )
    return (" | " if any_term else " & ").join(groups)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class Moment:
    start: float
    end: float
    text: str


@dataclass
class SearchHit:
    type: str
    id: int
    score: float
    obj: models.Model | None = None
    moments: list[Moment] = dataclass_field(default_factory=list)


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    mode: str


class SearchResults:
    """One search; `page(number, size)` runs it (see the module docstring for the queries)."""

    def __init__(self, *, query: str, types=None, language: str | None = None):
        self.query = normalize(query)
        self.terms = terms_of(self.query)
        requested = [SearchType(t) for t in (types or SearchType.values)]
        self.types = [t for t in SearchType if t in requested]
        # Each word with its corrections (SQLite's substring passes; set by a search).
        self.alternatives = [[term] for term in self.terms]
        # Only content in this language; artists have none, so they drop out. Checked here
        # because it is written into the SQL as a literal (like the approved status).
        if language and not re.fullmatch(CONTENT_LANGUAGE_PATTERN, language):
            raise ValueError(f"not a language code: {language!r}")
        self.language = language or None
        if self.language:
            self.types = [t for t in self.types if t != SearchType.ARTIST]

    def page(self, number: int, size: int) -> SearchPage:
        """Page `number` (from 1) of at most `size` hits, the total and the mode used."""
        if not self.terms or not self.types:
            return SearchPage([], 0, "none")
        offset = (number - 1) * size
        if not is_postgres():
            return self._substring_page(size, offset)
        corrections = self.corrections()
        rows, total = self._pass(tsquery_text(self.terms, corrections), size, offset)
        fuzzy = bool(corrections)
        if not total and len(self.terms) > 1:
            # Nothing has every word: rank what has any of them (more words rank higher).
            any_term = tsquery_text(self.terms, corrections, any_term=True)
            rows, total = self._pass(any_term, size, offset)
            fuzzy = True
        return SearchPage(self._hydrate(rows), total, "fuzzy" if fuzzy and total else "fulltext")

    def corrections(self) -> dict[str, list[str]]:
        """{query word: its nearest lexicon words} for the words the lexicon does not know.

        A word is known when some lexicon word starts with it (typed in full or on its way,
        `amaz`); an unknown word is a typo, or appears only in descriptions (weak matches
        either way), so it also matches its look-alikes. One query: a prefix probe of the
        lexicon per word and, for unknown words of MIN_CORRECTED_LENGTH or more, their
        NEAREST_WORDS closest lexicon words by trigram distance (a nearest-neighbour walk of
        the GiST index, so it stops early whatever the lexicon's size), kept when similar
        enough by trigrams or within a few edits (Levenshtein: trigrams undervalue swapped
        letters in short words, "fiath" for "faith"); of those, the fewest edits win."""
        terms = list(dict.fromkeys(self.terms))
        table = connection.ops.quote_name(SearchWord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.term, w.word, e.edits, w.distance FROM unnest(%s::text[]) AS t(term) "
                # A prefix probe by byte-wise range, which the pattern index serves.
                "CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM "
                f"{table} s WHERE s.word ~>=~ t.term AND s.word ~<~ (t.term || chr(1114111))"
                ") AS known) AS k "
                "CROSS JOIN LATERAL ("
                f"  SELECT s.word, s.word <-> t.term AS distance FROM {table} s"
                "   WHERE NOT k.known AND length(t.term) >= %s AND s.word <> t.term"
                "   ORDER BY s.word <-> t.term LIMIT %s"
                ") AS w "
                "CROSS JOIN LATERAL (SELECT levenshtein(w.word, t.term) AS edits) AS e "
                "WHERE 1 - w.distance >= %s OR e.edits <= %s + (length(t.term) >= %s)::int "
                "ORDER BY t.term, e.edits, w.distance, w.word",
                [
                    terms,
                    MIN_CORRECTED_LENGTH,
                    NEAREST_WORDS,
                    CORRECTION_SIMILARITY,
                    1,
                    LONG_WORD,
                ],
            )
            rows = cursor.fetchall()
        candidates: dict[str, list[tuple[int, float, str]]] = {}
        for term, word, edits, distance in rows:
            if edits == 2 and len(word) == len(term) and sorted(word) == sorted(term):
                edits = 1  # two letters swapped: one slip, as Damerau counts it
            candidates.setdefault(term, []).append((edits, distance, word))
        # Only the nearest words: "fiath" means faith (a swap), not path (two edits).
        found: dict[str, list[str]] = {}
        for term, options in candidates.items():
            options.sort()
            nearest = options[0][0]
            found[term] = [word for edits, _, word in options if edits == nearest][:CORRECTIONS]
        return found

    def _substring_page(self, size: int, offset: int) -> SearchPage:
        """SQLite: the words corrected through the FTS5 trigram index of the lexicon, then
        substring matches of every word; of any word when nothing has them all."""
        corrections = search_sqlite.corrections(
            self.terms,
            min_length=MIN_CORRECTED_LENGTH,
            long_word=LONG_WORD,
            similar=CORRECTION_SIMILARITY,
            limit=CORRECTIONS,
        )
        self.alternatives = [[term, *corrections.get(term, [])] for term in self.terms]
        fuzzy = bool(corrections)
        rows, total = [], 0
        for any_term in (False, True):
            if any_term and (total or len(self.terms) == 1):
                break
            sql, params = search_sqlite.substring_sql(
                types=[t.value for t in self.types],
                alternatives=self.alternatives,
                any_term=any_term,
                artist_limit=ARTIST_MATCH_LIMIT,
                language=self.language,
            )
            rows, total = self._rows(sql, params, size, offset)
            fuzzy = fuzzy or any_term
        mode = "fuzzy" if fuzzy and total else "substring"
        return SearchPage(self._hydrate(rows), total, mode)

    def _pass(self, tsquery: str, limit: int, offset: int) -> tuple[list[dict], int]:
        sql, params = self.page_sql(tsquery)
        return self._rows(sql, params, limit, offset)

    def _rows(self, sql: str, params: list, limit: int, offset: int):
        """(the page's kind/id/score rows, the total): one query, the total counted by a
        window function over the same candidates."""
        query = (
            "SELECT u.kind, u.id, u.score, COUNT(*) OVER () AS total "
            f"FROM ({sql}) AS u ORDER BY u.score DESC, u.id DESC, u.kind LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, limit, offset])
            fetched = cursor.fetchall()
            if not fetched and offset:
                # Past the end: the total still decides the 404.
                cursor.execute(query, [*params, 1, 0])
                first = cursor.fetchone()
                return [], int(first[3]) if first else 0
        if not fetched:
            return [], 0
        rows = [{"kind": row[0], "id": row[1], "score": float(row[2])} for row in fetched]
        return rows, int(fetched[0][3])

    def page_sql(self, tsquery: str) -> tuple[str, list]:
        """The candidates of one full-text pass (PostgreSQL), as SQL written out rather than
        built with the ORM: compiling a four-way union of annotated querysets cost more than
        running it. Content ranks by its stored document plus the rank of its artist's name
        (weight B) when that matches; each branch stops after CANDIDATES index matches.
        `status = 'approved'` is spelled as the partial indexes' predicate is."""
        quote = connection.ops.quote_name
        name_vector = ARTIST_NAME.format(c=CONFIG, t="a.")
        users = quote(Artist._meta.get_field("user").related_model._meta.db_table)
        approved = f"'{ModerationStatus.APPROVED.value}'"
        if self.language:
            approved += f" AND c.language = '{self.language}'"
        branches = []
        for search_type in self.types:
            if search_type == SearchType.ARTIST:
                branches.append(
                    "(SELECT 'artist' AS kind, a.id,"
                    f" ts_rank(setweight({name_vector}, 'A'), q.q)::float8 AS score"
                    f" FROM {quote(Artist._meta.db_table)} a"
                    f" JOIN {users} owner ON owner.id = a.user_id CROSS JOIN q"
                    f" WHERE owner.is_active AND {name_vector} @@ q.q LIMIT %s)"
                )
                continue
            kind = kinds.kind_get(search_type)
            table = quote(kind.model._meta.db_table)
            if not kind.has_artist:
                branches.append(
                    f"(SELECT '{kind.name}' AS kind, c.id,"
                    f" ts_rank(c.{DOCUMENT_COLUMN}, q.q)::float8 AS score FROM {table} c"
                    f" CROSS JOIN q WHERE c.status = {approved} AND c.{DOCUMENT_COLUMN} @@ q.q"
                    " LIMIT %s)"
                )
                continue
            spoken_rank, spoken_match, spoken_join = "", "", ""
            if kind.is_spoken_word and kind.media_fields:
                columns = ", ".join(f"c.{name}_id" for name in kind.media_field_names)
                spoken_join = (
                    " LEFT JOIN LATERAL (SELECT max(sp.rank) AS rank FROM spoken sp"
                    f" WHERE sp.asset_id IN ({columns})) said ON true"
                )
                spoken_rank = " + COALESCE(said.rank, 0)"
                spoken_match = "".join(
                    f" OR c.{name}_id = ANY (ARRAY(SELECT asset_id FROM spoken))"
                    for name in kind.media_field_names
                )
            branches.append(
                f"(SELECT '{kind.name}' AS kind, c.id,"
                f" (ts_rank(c.{DOCUMENT_COLUMN}, q.q) + COALESCE(m.rank, 0){spoken_rank})::float8"
                f" AS score FROM {table} c CROSS JOIN q LEFT JOIN matched m ON m.id = c.artist_id"
                f"{spoken_join}"
                f" WHERE c.status = {approved} AND (c.{DOCUMENT_COLUMN} @@ q.q"
                f" OR c.artist_id = ANY (ARRAY(SELECT id FROM matched)){spoken_match}) LIMIT %s)"
            )
        transcripts = quote(TRANSCRIPTS_TABLE)
        sql = (
            f"WITH q AS (SELECT {TSQUERY} AS q), "
            # What was said: items whose transcript (one document each) has the words, at
            # most SPOKEN_CANDIDATES of them, ranked by the transcript's weight (D).
            f"spoken AS (SELECT t.asset_id, ts_rank(t.{TRANSCRIPT_DOCUMENT_COLUMN}, q.q) AS rank"
            f" FROM {transcripts} t CROSS JOIN q WHERE t.{TRANSCRIPT_DOCUMENT_COLUMN} @@ q.q"
            f" LIMIT {SPOKEN_CANDIDATES}), "
            "matched AS ("
            f"SELECT a.id, ts_rank(setweight({name_vector}, 'B'), q.q) AS rank"
            f" FROM {quote(Artist._meta.db_table)} a CROSS JOIN q WHERE {name_vector} @@ q.q"
            " ORDER BY rank DESC, a.id LIMIT %s) "
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS candidates"
        )
        return sql, [tsquery, ARTIST_MATCH_LIMIT, *[CANDIDATES] * len(branches)]

    # -- fetching the page's rows, one query per type present

    def _hydrate(self, rows) -> list[SearchHit]:
        hits = [SearchHit(type=row["kind"], id=row["id"], score=row["score"]) for row in rows]
        by_type: dict[str, list[int]] = {}
        for hit in hits:
            by_type.setdefault(hit.type, []).append(hit.id)
        objects = {}
        for type_name, ids in by_type.items():
            # Only what a result shows: content rows are wide (lyrics, cast, tags, ...).
            if type_name == SearchType.ARTIST:
                queryset = Artist.objects.select_related("cover_image").only(
                    "name", "bio", *(f"cover_image__{f}" for f in IMAGE_FIELDS)
                )
            else:
                kind = kinds.kind_get(type_name)
                related = ["thumbnail"]
                shown = ["title", "description", "duration_seconds"]
                shown += [f"thumbnail__{f}" for f in IMAGE_FIELDS]
                if kind.has_artist:
                    related.append("artist")
                    shown += ["artist__id", "artist__name"]
                if kind.is_spoken_word:
                    shown += list(kind.media_field_names)
                queryset = kind.model.objects.select_related(*related).only(*shown)
            for obj in queryset.filter(pk__in=ids).order_by():
                objects[(type_name, obj.pk)] = obj
        for hit in hits:
            hit.obj = objects.get((hit.type, hit.id))
        found = [hit for hit in hits if hit.obj is not None]
        self._attach_moments(found)
        return found

    # -- moments: where in the item the words were said

    def _spoken_asset(self, hit: SearchHit):
        if hit.type == SearchType.ARTIST:
            return None
        kind = kinds.kind_get(hit.type)
        if not kind.is_spoken_word:
            return None
        for name in kind.media_field_names:
            asset_id = getattr(hit.obj, f"{name}_id", None)
            if asset_id is not None:
                return asset_id
        return None

    def _attach_moments(self, hits: list[SearchHit]) -> None:
        """Up to MOMENTS matching segments per hit, earliest first: one query a page."""
        by_asset: dict = {}
        for hit in hits:
            asset_id = self._spoken_asset(hit)
            if asset_id is not None:
                by_asset.setdefault(asset_id, []).append(hit)
        if not by_asset:
            return
        if is_postgres():
            rows = self._moment_rows_postgres(list(by_asset))
        else:
            rows = self._moment_rows_substring(list(by_asset))
        for asset_id, start, end, text, words in rows:
            moment = Moment(start=self._word_start(start, words), end=end, text=text)
            for hit in by_asset.get(asset_id, []):
                hit.moments.append(moment)

    def _moment_rows_postgres(self, asset_ids: list) -> list:
        """The first MOMENTS matching segments of each asset, walked in order on the
        (asset, position) index: a common word stops after three rows, whatever the
        transcript's length."""
        segments = connection.ops.quote_name(SEGMENTS_TABLE)
        vector = SEGMENT_VECTOR_COLUMN
        # Any of the words (as typed or as a prefix): a moment needs only one of them.
        query = tsquery_text(self.terms, any_term=True)
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT a.id, m.start, m."end", m.text, m.words'
                f" FROM unnest(%s::uuid[]) AS a(id) CROSS JOIN (SELECT {TSQUERY} AS q) q"
                ' CROSS JOIN LATERAL (SELECT s.start, s."end", s.text, s.words'
                f"  FROM {segments} s WHERE s.asset_id = a.id AND s.{vector} @@ q.q"
                "  ORDER BY s.position LIMIT %s) m ORDER BY a.id, m.start",
                [asset_ids, query, MOMENTS],
            )
            return [(r[0], r[1], r[2], r[3], _json(r[4])) for r in cursor.fetchall()]

    def _moment_rows_substring(self, asset_ids: list) -> list:
        matches = TranscriptSegment.objects.filter(
            search_sqlite.moment_condition(self.alternatives), asset_id__in=asset_ids
        ).order_by("asset_id", "start")
        rows, per_asset = [], {}
        for row in matches.values_list("asset_id", "start", "end", "text", "words"):
            if per_asset.get(row[0], 0) < MOMENTS:
                per_asset[row[0]] = per_asset.get(row[0], 0) + 1
                rows.append(row)
        return rows

    def _word_start(self, start: float, words) -> float:
        """The second the first matching word of the segment was said (by prefix, either
        way, as stemming matches "forgiving" with "forgive"); else the segment's start."""
        for said_at, word in words or []:
            bare = re.sub(r"[^\w]", "", str(word).lower())
            if not bare:
                continue
            for term in self.terms:
                stem = term[: max(4, len(term) - 3)]
                if bare.startswith((term, stem)) or (len(bare) >= 4 and term.startswith(bare)):
                    return float(said_at)
        return float(start)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def search(*, query: str, types=None, language: str | None = None) -> SearchResults:
    """Approved content of every searchable kind, and artists, best match first; with
    `language`, only content in that language."""
    return SearchResults(query=query, types=types, language=language)
