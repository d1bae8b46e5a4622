"""Multilingual full-text search: one normaliser, two engines, the same results.

Every language version of a story has a ``SearchDocument``: its headline,
lead, body and captions reduced by ``tokens()`` to a line of space-separated
tokens, after one marker token per tag of the story:

- NFKC, then case-folded;
- Latin letters lose their diacritics and ``đ`` becomes ``d`` (``Đà Nẵng`` ->
  ``da nang``), so readers can type without tone marks;
- other scripts keep their marks: a Devanagari word with its vowel signs and
  viramas is one token (``निन्ह``);
- scripts written without spaces (Han, kana, Hangul, Lao, Thai, Khmer,
  Myanmar) are cut into grapheme clusters; a run gives its overlapping
  bigrams in order (``バクニン省`` -> ``バク クニ ニン ン省``), and every cluster
  once more at the end of the document, so one-character queries work too.

The same function turns a query into tokens, so a document and a query
always agree. Because the tokens are plain letters, marks and digits
separated by single spaces, both engines read them alike:

- SQLite: an FTS5 table over the documents (``unicode61``, marks kept as
  part of words, no diacritic folding of its own), ranked by ``bm25``;
- PostgreSQL: a generated ``tsvector`` column (``to_tsvector('simple')``)
  with a GIN index, ranked by ``ts_rank``.

A query is a conjunction of terms; a quoted part is a phrase (its tokens
adjacent, in order); a run of a script without spaces needs all its bigrams.
A term also matches the stories tagged with a tag whose name or alias, in any
script, contains it (``Bắc Ninh`` finds a Hindi story tagged Bac Ninh), unless
it is a single character of such a script (``省`` is in every province's name).
Only the newest matching documents are ranked (``NEWSROOM_SEARCH_WINDOW``,
1,000 by default), so a common word has no more documents read and ranked than
a rare one (though SQLite's bm25 still counts each word's documents in the
whole index, for its weight). Anything else a user types (``*``, ``NEAR``,
parentheses, control characters) is punctuation or a plain word, never search
syntax: hostile queries give results or none, never an error.
"""

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html import escape  # Django's, without its lazy-string wrapper: a page escapes a hundred pieces

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from newsroom import cache

# Scripts written without spaces between words (their combining marks are in their own blocks).
UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"  # Han
)
UNSPACED_RUN = re.compile(f"[{UNSPACED}]+")
MAX_TOKEN_CHARS = 64
# PostgreSQL keeps word positions up to 16,383 and a tsvector under 1 MB; documents stop before either, so
# phrases match alike on both engines and every story can be saved.
MAX_DOCUMENT_TOKENS = 16_000
MAX_DOCUMENT_BYTES = 800_000
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 16
RESULT_LIMIT = 1000


class _FoldTable(dict):
    """``str.translate`` table, filled on first use of each character: letters, marks and digits stay (Latin
    ones without diacritics, ``đ`` as ``d``); everything else becomes a space."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if unicodedata.category(char)[0] not in "LMN":
            folded = " "
        elif char in "đð":
            folded = "d"
        else:
            base = unicodedata.normalize("NFD", char)[0]
            folded = base if base.isascii() or "LATIN" in unicodedata.name(base, "") else char
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


# Case folding can leave a Latin letter's diacritic as a combining mark of its own (``İ`` -> ``i`` + U+0307).
_LATIN_MARKS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")


def fold(text: str) -> str:
    """NFKC, case-folded, Latin diacritics removed, and every character that is not a letter, mark or digit a
    space: ``"Đà Nẵng, 2025!"`` -> ``"da nang  2025 "``."""
    return _LATIN_MARKS.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_FOLD))


def _clusters(run: str) -> list[str]:
    """A run of an unspaced script as grapheme clusters: a base character and its combining marks."""
    if run[0] >= "\u1100":  # Hangul, kana, Han: NFKC leaves no combining marks
        return list(run)
    clusters: list[str] = []
    for char in run:
        if clusters and unicodedata.category(char)[0] == "M":
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _bigrams(clusters: Sequence[str]) -> list[str]:
    if len(clusters) == 1:
        return list(clusters)
    return [clusters[i] + clusters[i + 1] for i in range(len(clusters) - 1)]


@dataclass(frozen=True)
class Segment:
    """A word of a spaced script (one token), or a run of an unspaced one (its clusters)."""

    tokens: tuple[str, ...]
    unspaced: bool


_SEGMENT = re.compile(f"(?P<run>[{UNSPACED}]+)|[^\\s{UNSPACED}]+")


def segments(text: str) -> list[Segment]:
    """``text``, folded, as words and unspaced runs in order."""
    return [
        Segment(tuple(_clusters(match.group())), unspaced=True)
        if match.group("run")
        else Segment((match.group()[:MAX_TOKEN_CHARS],), unspaced=False)
        for match in _SEGMENT.finditer(fold(text))
    ]


def tokens(text: str) -> list[str]:
    """A document's tokens: its words and the bigrams of its unspaced runs in order, then each unspaced
    cluster once (for one-character queries)."""
    ordered: list[str] = []
    clusters: dict[str, None] = {}
    for match in _SEGMENT.finditer(fold(text)):
        if match.lastgroup == "run":
            run = _clusters(match.group())
            ordered += _bigrams(run)
            clusters.update(dict.fromkeys(run))
        else:
            ordered.append(match.group()[:MAX_TOKEN_CHARS])
    return _capped([*ordered[:MAX_DOCUMENT_TOKENS], *clusters])


def _capped(words: list[str]) -> list[str]:
    """At most ``MAX_DOCUMENT_TOKENS`` tokens of at most ``MAX_DOCUMENT_BYTES`` in all."""
    words = words[:MAX_DOCUMENT_TOKENS]
    if 4 * sum(map(len, words)) + len(words) <= MAX_DOCUMENT_BYTES:  # at most 4 bytes a character: fits
        return words
    size = 0
    for index, word in enumerate(words):
        size += len(word.encode()) + 1
        if size > MAX_DOCUMENT_BYTES:
            return words[:index]
    return words


# Documents ------------------------------------------------------------------------------------

# A story's tags are in its documents as one marker token each (``ǂ12`` for tag 12), not as their names: a
# reader's term that matches a tag's names or aliases (``tag_matches``) is searched as "the term, or one of
# those tags' markers". Documents stay as small as their text, and a renamed tag or a new alias needs no
# reindexing. The marker's letter is kept by the normaliser, so queries are stripped of such tokens: a reader
# cannot ask for a marker.
TAG_MARKER = "\u01c2"


def document_text(article, language: str, tag_ids: Iterable[int] = ()) -> str:
    """The tokens of a story's ``language`` version: headline, lead, body, image captions and alt texts, then
    a marker for each of its tags. Images must be prefetched."""
    from newsroom.languages import column

    texts = [getattr(article, column(field, language)) or "" for field in ("title", "lead", "body")]
    for image in article.images.all():
        texts += [getattr(image, column(field, language)) or "" for field in ("caption", "alt_text")]
    markers = [f"{TAG_MARKER}{tag_id}" for tag_id in sorted(tag_ids)]
    return " ".join(_capped([*markers, *tokens("\n".join(texts))]))


def reindex(article_ids: Iterable[int]) -> int:
    """Rebuild the documents of these stories (one per language they exist in), writing only what changed;
    returns how many documents were written. A fixed number of queries, plus one per document written."""
    from newsroom.models import Article, SearchDocument

    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return 0
    articles = list(Article.objects.filter(pk__in=ids).prefetch_related("images"))
    tags: dict[int, list[int]] = defaultdict(list)
    for article_id, tag_id in Article.tags.through.objects.filter(article_id__in=ids).values_list(
        "article_id", "tag_id"
    ):
        tags[article_id].append(tag_id)
    existing: dict[int, dict[str, SearchDocument]] = defaultdict(dict)
    for doc in SearchDocument.objects.filter(article_id__in=ids):
        existing[doc.article_id][doc.language] = doc
    new, changed, stale = [], [], []
    for article in articles:
        wanted = {lang: document_text(article, lang, tags[article.pk]) for lang in article.languages()}
        for language, doc in existing[article.pk].items():
            if language not in wanted:
                stale.append(doc.pk)
            elif doc.document != wanted[language]:
                doc.document = wanted[language]
                changed.append(doc)
        new += [
            SearchDocument(article=article, language=language, document=text)
            for language, text in wanted.items()
            if language not in existing[article.pk]
        ]
    with transaction.atomic():
        SearchDocument.objects.filter(pk__in=stale).delete()
        SearchDocument.objects.bulk_update(changed, ["document"])
        SearchDocument.objects.bulk_create(new)
    return len(changed) + len(new)


def index_missing() -> int:
    """Index the stories that have no document at all (an import killed between writing a batch of files and
    indexing them); returns how many documents were written."""
    from newsroom.models import Article

    return reindex(Article.objects.filter(search_documents__isnull=True).values_list("pk", flat=True))


def rebuild(batch: int = 500) -> int:
    """Every story's documents, from scratch, then the index ``optimize``d."""
    from newsroom.models import Article

    ids = list(Article.objects.values_list("pk", flat=True).order_by("pk"))
    written = sum(reindex(ids[start : start + batch]) for start in range(0, len(ids), batch))
    optimize()
    return written


def optimize() -> None:
    """On SQLite, the full-text index merged into one segment (FTS5's ``optimize``). Each batch of writes adds a
    segment, which FTS5 merges only now and then: after rebuilding 120,000 documents the index had 15, and a
    search read each word's documents from every one of them (``bac ninh``: 12.2 ms; 9.7 ms merged). On
    PostgreSQL nothing: the GIN index has no segments."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO newsroom_searchindex(newsroom_searchindex) VALUES ('optimize')")


# Queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Tokens that must all appear; adjacent and in order when ``phrase``. A ``fragment`` is one character of
    a script without spaces (``省``): part of too many names to stand for a tag."""

    tokens: tuple[str, ...]
    phrase: bool
    fragment: bool = False

    def within(self, spelling: Sequence[str]) -> bool:
        """Whether these tokens are in ``spelling`` (a name's tokens), as a phrase or each anywhere."""
        if not self.phrase:
            return set(self.tokens) <= set(spelling)
        size = len(self.tokens)
        return any(tuple(spelling[i : i + size]) == self.tokens for i in range(len(spelling) - size + 1))


def parse(query: str) -> list[Term]:
    """A reader's query as terms; quoted parts and unspaced runs are phrases. Empty when nothing is searchable."""
    query = query[:MAX_QUERY_CHARS].replace(TAG_MARKER, " ")
    terms: list[Term] = []
    for index, part in enumerate(query.split('"')):
        quoted = index % 2 == 1
        found = segments(part)
        if quoted:
            words = [
                token
                for segment in found
                for token in (_bigrams(segment.tokens) if segment.unspaced else segment.tokens)
            ]
            if words:
                fragment = len(found) == 1 and found[0].unspaced and len(found[0].tokens) == 1
                terms.append(Term(tuple(words), phrase=len(words) > 1, fragment=fragment))
            continue
        for segment in found:
            if segment.unspaced:
                # Its overlapping bigrams, each anywhere (as Lucene's CJK bigram analysis queries them): a run
                # of four or more characters is almost never matched by bigrams that are not adjacent, and a
                # phrase would have every candidate document read whole to check positions.
                fragment = len(segment.tokens) == 1
                terms.append(Term(tuple(_bigrams(segment.tokens)), phrase=False, fragment=fragment))
            else:
                terms.append(Term(segment.tokens, phrase=False))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_QUERY_TERMS]


@lru_cache(maxsize=8192)
def _spellings(names: tuple[str, ...]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """A tag's names and aliases as tokens: all of them at once, and each name's in order (cached: the
    registry changes rarely)."""
    spelled = tuple(tuple(tokens(name)) for name in names)
    return frozenset(token for name in spelled for token in name), spelled


def _tag_spellings() -> dict[int, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]:
    """Every tag's names (in every language) and aliases as tokens (``_spellings``), read once per state of the
    site's data (``cache.remember``: saving or deleting a tag or an alias replaces it). The registry is the same
    for every search, and reading and tokenising its few thousand names took each search 4 ms."""
    return cache.remember("search:tag-spellings", _read_tag_spellings)


def _read_tag_spellings() -> dict[int, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]:
    """``_tag_spellings`` from the database: two queries."""
    from newsroom.languages import column, content_languages
    from newsroom.models import Tag, TagAlias

    names: dict[int, list[str]] = defaultdict(list)
    columns = [column("name", language) for language in content_languages()]
    for pk, *translations in Tag.objects.values_list("pk", *columns):
        names[pk] += [name for name in translations if name]
    for tag_id, alias in TagAlias.objects.values_list("tag_id", "name"):
        names[tag_id].append(alias)
    return {tag_id: _spellings(tuple(dict.fromkeys(spelled))) for tag_id, spelled in names.items()}


def tag_matches(terms: Sequence[Term]) -> list[list[int]]:
    """For each term, the tags one of whose names (in any language) or aliases it is in: ``bac ninh`` is in
    Bac Ninh's ``Bắc Ninh`` and ``Bac Ninh`` ... ``バクニン省`` in its Japanese name."""
    spellings = _tag_spellings()
    return [
        sorted(
            tag_id
            for tag_id, (every, spelled) in spellings.items()
            if not term.fragment and every.issuperset(term.tokens) and any(term.within(name) for name in spelled)
        )
        for term in terms
    ]


def _shared(tags: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Each term's tags less those every term matched, and those: a story with such a tag (Bac Ninh, for ``bac
    ninh``) matches the whole query, so ``(bac OR t) AND (ninh OR t)`` is written ``(bac AND ninh) OR t``. Each tag
    is then in the query once, for the engine to look up once, and for bm25 to count the whole index's stories
    with it once: for ``bac ninh`` that is a tenth of the search's work."""
    if len(tags) < 2:
        return tags, []
    shared = set(tags[0]).intersection(*tags[1:])
    return [[tag_id for tag_id in ids if tag_id not in shared] for ids in tags], sorted(shared)


def _fts5_query(terms: list[Term], tags: list[list[int]]) -> str:
    tags, shared = _shared(tags)
    parts = []
    for term, tag_ids in zip(terms, tags, strict=True):
        either = [f'"{" ".join(term.tokens)}"' if term.phrase else " AND ".join(f'"{t}"' for t in term.tokens)]
        either += [f'"{TAG_MARKER}{tag_id}"' for tag_id in tag_ids]
        parts.append("(" + " OR ".join(either) + ")")
    return " OR ".join(["(" + " AND ".join(parts) + ")", *(f'"{TAG_MARKER}{tag_id}"' for tag_id in shared)])


def _tsquery(terms: list[Term], tags: list[list[int]], phrases: bool = True) -> str:
    """The query as a tsquery; with ``phrases`` off, a phrase's tokens need only all be there."""
    tags, shared = _shared(tags)
    parts = []
    for term, tag_ids in zip(terms, tags, strict=True):
        quoted = [f"'{token}'" for token in term.tokens]
        either = ["(" + (" <-> " if term.phrase and phrases else " & ").join(quoted) + ")"]
        either += [f"'{TAG_MARKER}{tag_id}'" for tag_id in tag_ids]
        parts.append("(" + " | ".join(either) + ")")
    return " | ".join(["(" + " & ".join(parts) + ")", *(f"'{TAG_MARKER}{tag_id}'" for tag_id in shared)])


def _rank_tsquery(terms: list[Term], tags: list[list[int]]) -> str:
    """Every token and tag marker of the query, any of them: what ``ts_rank`` weighs. Ranked by the query
    itself, ``ts_rank`` weighs every pair of its tokens, which costs four times as much for a ten-bigram Lao or
    Japanese query; a sum over tokens is what bm25 ranks by on SQLite too."""
    tokens = [*(token for term in terms for token in term.tokens), *(f"{TAG_MARKER}{i}" for ids in tags for i in ids)]
    return " | ".join(f"'{token}'" for token in dict.fromkeys(tokens))


def search_ids(queryset: QuerySet, query: str, limit: int = RESULT_LIMIT) -> list[int]:
    """The ids of the stories of ``queryset`` that match ``query``, best first (then newest), at most ``limit``.

    Ranking every match would cost as much as there are matches (half the stories, for ``bac ninh`` at a desk in
    Bac Ninh), so only the newest ``settings.NEWSROOM_SEARCH_WINDOW`` matching documents are ranked, which both
    engines find without touching the rest. A query with fewer matches is ranked whole."""
    terms = parse(query)
    if not terms:
        return []
    try:
        # Correlated: each match looks its story up in the queryset by primary key.
        candidates, params = (
            queryset.order_by().filter(pk=RawSQL("d.article_id", ())).values("pk").query.sql_with_params()
        )
    except EmptyResultSet:  # a queryset that can match nothing (``none()``, ``pk__in=[]``)
        return []
    matching_tags = tag_matches(terms)
    if connection.vendor == "postgresql":
        return _postgresql_search(terms, matching_tags, queryset, (candidates, params), limit)
    sql = f"""
        SELECT d.article_id, bm25(newsroom_searchindex)
        FROM newsroom_searchindex JOIN newsroom_searchdocument d ON d.id = newsroom_searchindex.rowid
        WHERE newsroom_searchindex MATCH %s AND EXISTS ({candidates})
        ORDER BY newsroom_searchindex.rowid DESC LIMIT %s
    """  # noqa: S608 - only the queryset's own SQL is interpolated; values are parameters  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts5_query(terms, matching_tags), *params, settings.NEWSROOM_SEARCH_WINDOW])
        rows = cursor.fetchall()
    # Each story by the best score of its versions (lowest: bm25 is negative), then newest: in Python, since SQLite
    # would sort the window twice into temporary trees to group and order it.
    best: dict[int, float] = {}
    for article_id, score in rows:
        if score < best.get(article_id, math.inf):
            best[article_id] = score
    return sorted(best, key=lambda article_id: (best[article_id], -article_id))[:limit]


# On PostgreSQL, filters that keep fewer stories than this (by the planner's estimate) are searched story by story:
# reading and checking their documents costs at most about 20 ms (``_postgresql_search``).
FEW_STORIES = 5_000


def _postgresql_search(
    terms: list[Term], tags: list[list[int]], stories: QuerySet, correlated: tuple[str, Sequence], limit: int
) -> list[int]:
    """``search_ids`` on PostgreSQL: the window, then ts_rank over it, in one of three shapes.

    Reading a document's vector means fetching it from TOAST, about 3 µs; the planner counts it as nothing. Given the
    query and the filters together, it walked the documents newest first, reading each, until the window was full:
    for a word in a tenth of the documents among the stories of a tenth of the site, the whole table (``customs``
    among Vietnamese stories, 100,000 stories: 420 ms; now 32 ms). So the shape is chosen here, by how many stories
    the filters keep, which the planner estimates well (one table, or a join by keys):

    - fewer than ``FEW_STORIES`` (a tag, the last three days): those stories' documents, each read and checked;
    - more, or no filter: the matches alone first, newest first, planned on their own: the planner walks the
      documents for a common word (most of those it reads match) and takes a rarer one's from the GIN index,
      which answers a query without a phrase exactly, and sorts them; then each match's story is checked in
      that order until the window is full. A phrase the index can only propose (the documents with all its
      words): those are read newest first to check positions, and the planner is kept from checking the loose
      query by reading the whole table instead.

    No statement of a search is prepared: after five runs PostgreSQL may keep one plan for every query, and no
    plan suits both a rare word and a common one (``tranh`` in a topic: 1.6 ms with its own plan, 465 ms with the
    one kept)."""
    candidates, params = correlated
    kept, kept_params = stories.order_by().values("pk").query.sql_with_params()
    exact = _tsquery(terms, tags)
    with _never_prepared(), connection.cursor() as cursor:

        def ranked(window: str, values: list) -> list[int]:
            """The stories of ``window`` (the documents' ``article_id`` and ``vector``, ending ``LIMIT %s``), each
            by the best ts_rank of its documents."""
            sql = f"""
                SELECT w.article_id FROM ({window}) w, to_tsquery('simple', %s) q
                GROUP BY w.article_id ORDER BY MAX(ts_rank(w.vector, q)) DESC, w.article_id DESC LIMIT %s
            """  # noqa: S608 - only this function's SQL is interpolated; values are parameters  # nosec B608
            cursor.execute(sql, [*values, settings.NEWSROOM_SEARCH_WINDOW, _rank_tsquery(terms, tags), limit])
            return [row[0] for row in cursor.fetchall()]

        if kept != _every_story() and _estimated_rows(cursor, kept, kept_params) < FEW_STORIES:
            return ranked(
                f"""SELECT d.article_id, d.vector FROM newsroom_searchdocument d
                WHERE d.article_id = ANY(ARRAY({kept})) AND d.vector @@ to_tsquery('simple', %s)
                ORDER BY d.id DESC LIMIT %s""",  # noqa: S608 - only the queryset's own SQL is interpolated  # nosec B608
                [*kept_params, exact],
            )
        if not any(term.phrase for term in terms):
            return ranked(
                f"""SELECT d.article_id, d.vector FROM (
                    SELECT id, article_id, vector FROM newsroom_searchdocument
                    WHERE vector @@ to_tsquery('simple', %s) ORDER BY id DESC OFFSET 0
                ) d
                WHERE EXISTS ({candidates})
                ORDER BY d.id DESC LIMIT %s""",  # noqa: S608 - only the queryset's own SQL is interpolated  # nosec B608
                [exact, *params],
            )
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            try:
                return ranked(
                    f"""SELECT d.article_id, d.vector FROM (
                        SELECT id FROM newsroom_searchdocument WHERE vector @@ to_tsquery('simple', %s)
                        ORDER BY id DESC OFFSET 0
                    ) proposed
                    JOIN LATERAL (
                        SELECT article_id, vector FROM newsroom_searchdocument WHERE id = proposed.id OFFSET 0
                    ) d ON true
                    WHERE d.vector @@ to_tsquery('simple', %s) AND EXISTS ({candidates})
                    ORDER BY proposed.id DESC LIMIT %s""",  # noqa: S608 - only the queryset's own SQL  # nosec B608
                    [_tsquery(terms, tags, phrases=False), exact, *params],
                )
            finally:
                cursor.execute("RESET enable_seqscan")


@lru_cache(maxsize=1)
def _every_story() -> str:
    """The SQL of every published story's id: a search without filters, which needs no estimate."""
    from newsroom.models import Article

    return Article.objects.published().order_by().values("pk").query.sql_with_params()[0]


def _estimated_rows(cursor, sql: str, params: Sequence) -> float:
    """How many rows the planner expects ``sql`` to give."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
    return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


@contextmanager
def _never_prepared():
    """Inside, psycopg prepares no statement this connection runs (``prepare_threshold``), and runs none it
    prepared before."""
    connection.ensure_connection()
    driver = connection.connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


class RankedResults(Sequence):
    """Search results for a paginator: the ranked ids, and each page's stories, read by ``fetch(ids)`` (which
    leaves out any the site no longer shows, in any order), in rank order."""

    def __init__(self, ids: Sequence[int], fetch: Callable[[list[int]], Iterable]):
        self.ids = ids
        self.fetch = fetch

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = list(self.ids[index])
            found = {story.pk: story for story in self.fetch(ids)}
            return [found[pk] for pk in ids if pk in found]
        return self[index : index + 1][0]


# Snippets -------------------------------------------------------------------------------------

SNIPPET_CHARS = 220
_SPACED_BOUNDARY = f"[^\\s{UNSPACED}]"


class _CharFolds(dict):
    """Each character's ``fold``, by code point for ``str.translate``, computed on first use. The characters whose
    fold is not one character long (``…`` is three spaces, ``ß`` is ``ss``) are noted in ``_RESIZED`` as well."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        folded = fold(char)
        if len(folded) != 1:
            _RESIZED.add(char)  # first: a fold that another thread can read is already accounted for
        self[codepoint] = folded
        return folded


_CHAR_FOLDS = _CharFolds()
_RESIZED: set[str] = set()


def _occurrences(text: str, char: str) -> Iterator[int]:
    """Where ``char`` is in ``text``."""
    index = text.find(char)
    while index >= 0:
        yield index
        index = text.find(char, index + 1)


def _folded_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded as documents are, character by character, with the index in ``text`` of each folded
    character. Folded in one ``str.translate``; a body's characters mostly fold to one character each, so only
    the few that do not (an ellipsis, a ligature) shift the offsets."""
    folded = text.translate(_CHAR_FOLDS)  # first: notes the text's characters in _RESIZED
    if len(folded) == len(text):  # every character folds to one or more: here each to one
        return folded, range(len(text))
    resized = sorted(index for char in _RESIZED.intersection(text) for index in _occurrences(text, char))
    offsets: list[int] = []
    copied = 0
    for index in resized:
        offsets += range(copied, index)
        offsets += [index] * len(_CHAR_FOLDS[ord(text[index])])
        copied = index + 1
    offsets += range(copied, len(text))
    return folded, offsets


def _highlights(query: str) -> list[re.Pattern]:
    """Each token of ``query`` as a pattern over folded text: a word of a spaced script as a whole word, a
    cluster or bigram of an unspaced one anywhere. Each pattern starts with its token, which ``re`` then looks
    for as a string: the word's start is checked by a look back from its end, not at every character."""
    patterns = []
    for token in {token for term in parse(query) for token in term.tokens}:
        word = re.escape(token)
        if UNSPACED_RUN.fullmatch(token):
            patterns.append(re.compile(word))
        else:
            patterns.append(re.compile(f"{word}(?<!{_SPACED_BOUNDARY}{word})(?!{_SPACED_BOUNDARY})"))
    return patterns


def snippet(text: str, query: str) -> SafeString | None:
    """About 220 characters of ``text`` from just before the first match of ``query``, every match in it
    wrapped in ``<mark>`` and the rest escaped; ``None`` when nothing of the query is in ``text``."""
    return _passage(text, _highlights(query))


def _passage(text: str, highlights: list[re.Pattern]) -> SafeString | None:
    """``snippet`` with the query as its ``_highlights``."""
    folded, offsets = _folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for pattern in highlights:
        spans += [(offsets[m.start()], offsets[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    if not spans:
        return None
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    start = max(0, merged[0][0] - SNIPPET_CHARS // 4)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 30 else start
    end = min(len(text), start + SNIPPET_CHARS)
    pieces, cursor = [], start
    for begin, finish in merged:
        if begin >= cursor and finish <= end:
            pieces += [escape(text[cursor:begin]), "<mark>", escape(text[begin:finish]), "</mark>"]
            cursor = finish
    pieces.append(escape(text[cursor:end]))
    # Safe: every piece of the text went through escape() above; the only markup is the literal <mark> tags.
    return mark_safe(("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else ""))  # noqa: S308  # nosec B308, B703


def passages(articles: Sequence, query: str, language: str) -> list[tuple[str, SafeString] | None]:
    """For each story of a page of results, ``(language, snippet)`` from the first of the page's language and the
    story's other versions whose lead, body or image captions match ``query``; ``None`` when only a tag's alias
    matched. The page's captions are read in one query, from the published stories it was given."""
    from newsroom.languages import column, content_languages
    from newsroom.models import ArticleImage

    if not articles:
        return []
    languages = content_languages()
    ids = [article.pk for article in articles]
    captions: dict[int, list[dict[str, str | None]]] = defaultdict(list)  # story -> its images' {language: caption}
    # In SQL: the ORM took ten times longer to build this query than the database to answer it.
    quote, table = connection.ops.quote_name, ArticleImage._meta
    story = quote(table.get_field("article").column)
    names = ", ".join([story, *(quote(column("caption", lang)) for lang in languages)])
    order = f"{quote(table.get_field('position').column)}, {quote(table.pk.column)}"
    within = ", ".join(["%s"] * len(ids))
    # Only quoted names are interpolated; the values are parameters.
    sql = f"SELECT {names} FROM {quote(table.db_table)} WHERE {story} IN ({within}) ORDER BY {order}"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for article_id, *texts in cursor.fetchall():
            captions[article_id].append(dict(zip(languages, texts, strict=True)))
    texts = {lang: (column("lead", lang), column("body", lang)) for lang in dict.fromkeys([language, *languages])}
    highlights = _highlights(query)
    return [_story_passage(article, captions[article.pk], texts, highlights, language) for article in articles]


def _story_passage(
    article,
    captions: list[dict[str, str | None]],
    texts: dict[str, tuple[str, str]],
    highlights: list[re.Pattern],
    language: str,
) -> tuple[str, SafeString] | None:
    """``passages`` for one story, given its images' captions and the columns of the texts in each language."""
    for lang in dict.fromkeys([language, *article.languages()]):
        text = "\n".join(
            [getattr(article, name) or "" for name in texts[lang]] + [image.get(lang) or "" for image in captions]
        )
        if text and (passage := _passage(text, highlights)):
            return lang, passage
    return None


# Keeping documents in step ---------------------------------------------------------------------
# Every save of a story (form, import, translation, revision restore) and every change of its tags rewrites its
# documents in the same transaction. A tag's names and aliases are read when searching (remembered until one of them
# changes: ``_tag_spellings``), and publication too: searches join the documents to ``Article.objects.published()``
# when they run.

_deferral = threading.local()


@contextmanager
def deferred():
    """Inside, changes only note which stories they touch; on leaving without an error each of those stories
    is indexed once (a file's import saves a story, links its tags and adds its images: one indexing, not
    three). Inside the transaction that makes the changes, the documents are written with them; around
    several transactions (a batch of imported files), afterwards in a transaction of their own, and a crash
    in between leaves stories without documents until ``index_missing()``."""
    if getattr(_deferral, "ids", None) is not None:  # already deferring: the outer block indexes
        yield
        return
    _deferral.ids = set()
    try:
        yield
        ids = _deferral.ids
    finally:
        _deferral.ids = None
    reindex(ids)


def schedule(article_ids: Iterable[int]) -> None:
    """Index these stories now, or when the enclosing ``deferred()`` block ends."""
    pending = getattr(_deferral, "ids", None)
    if pending is None:
        reindex(article_ids)
    else:
        pending.update(article_ids)


def _story_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule([instance.pk])


def _story_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``story.tags`` changed (``instance`` is the story), or ``tag.articles`` (``instance`` is the tag)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            schedule([instance.pk])
    elif action == "pre_clear":
        instance._search_stories = list(instance.articles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        schedule(pk_set)
    elif action == "post_clear":
        schedule(instance._search_stories)


def _deleting(origin, model) -> bool:
    """Whether a deletion started from ``model`` (its cascade deletes the rows this signal is about)."""
    return isinstance(origin, model) or (isinstance(origin, QuerySet) and origin.model is model)


def _image_changed(sender, instance, raw=False, origin=None, **kwargs):
    from newsroom.models import Article

    if not raw and not _deleting(origin, Article):
        schedule([instance.article_id])


def _tag_deleting(sender, instance, **kwargs):
    instance._search_stories = list(instance.articles.values_list("pk", flat=True))


def _tag_deleted(sender, instance, **kwargs):
    schedule(getattr(instance, "_search_stories", []))


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from newsroom.models import Article, ArticleImage, Tag

    post_save.connect(_story_saved, sender=Article, dispatch_uid="search-story")
    post_save.connect(_image_changed, sender=ArticleImage, dispatch_uid="search-image-saved")
    post_delete.connect(_image_changed, sender=ArticleImage, dispatch_uid="search-image-deleted")
    m2m_changed.connect(_story_tags_changed, sender=Article.tags.through, dispatch_uid="search-story-tags")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="search-tag-deleting")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="search-tag-deleted")
