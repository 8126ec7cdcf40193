"""Whoosh's BM25F for queries built from terms, over whole posting lists at once (numpy).

Whoosh scores a posting with a few Python calls (matcher, scorer, field length), which
makes a frequent word cost tens of milliseconds per field.  A query item built from
terms — a word in text and headings, its title bonus, compound parts and thesaurus
synonyms: ``Term``, ``Or``, ``And`` and ``AndMaybe`` with boosts — is scored here with
the same formula on arrays:

* a term's postings are read block by block from Whoosh's posting file
  (:func:`.blocks.read_postings`: ids and weights; the weights already include the
  field boost), the field lengths of every passage are read once per index build
  from Whoosh's length columns (the same quantised lengths Whoosh decodes), and
  ``idf`` and the average field length come from the top-level searcher, as in
  :class:`whoosh.scoring.BM25FScorer`;
* ``Or`` sums the scores of the children a passage matches, ``And`` those of passages
  matching all children, ``AndMaybe`` adds the second child's score where the first
  matches, a boost multiplies (Whoosh's ``WrappingMatcher``);
* any other node inside an item (phrases, prefixes) is scored by Whoosh itself and
  combined in the same way.

The arrays of a build (:class:`IndexArrays`: field lengths, and the postings of the
most frequent terms) are read when the build is opened.  Whoosh adds the children of an
``Or`` in the order of its matcher tree and the sums here are taken in the query's
order, so a score could differ from Whoosh's in the last bit; on the bundled corpus and
on 100,000 passages they were identical (``tests/test_search_matching.py`` holds them
equal to a relative 1e-9).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from kennisbank.search.whoosh_backend.blocks import read_postings

#: Document numbers (ascending, int64) and their scores or weights (float64).
Scored = tuple[np.ndarray, np.ndarray]

#: Postings of the most frequent terms read when a build is opened (all fields together).
PRELOAD_POSTINGS = 2_000_000

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY: Scored = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


class IndexArrays:
    """Arrays of one index build that :class:`TermScorer` reads instead of Whoosh's files.

    * the quantised length of every passage's scorable fields, as Whoosh decodes them
      (one float64 array per field over the top-level document numbers);
    * the postings (document numbers and weights) of the most frequent terms of the
      scorable fields, read when the build is opened: the terms with at least
      ``min_df`` passages, most frequent first, up to ``preload`` postings in all (about
      12 bytes each).  Decoding Whoosh's posting blocks costs about a microsecond a
      posting, and words like *wet* or *besluit* are in the title of tens of thousands of
      passages; which terms are read depends on the index only, never on the queries.
    """

    def __init__(self, searcher: Any, preload: int = PRELOAD_POSTINGS, min_df: int = 1000) -> None:
        self.size = searcher.doc_count_all()
        scorable = [name for name, field in searcher.schema.items() if field.scorable]
        self._lengths = {name: self._load(searcher, name) for name in scorable}
        self.preloaded: dict[tuple[str, bytes], Scored] = {}
        reader = searcher.reader()
        frequent = sorted(
            (
                (info.doc_frequency(), name, btext)
                for name in scorable
                for btext, info in reader.iter_field(name)
                if info.doc_frequency() >= min_df
            ),
            reverse=True,
        )
        budget = preload
        for df, name, btext in frequent:
            if df > budget:
                continue
            budget -= df
            self.preloaded[name, btext] = _compact(*postings(searcher, name, btext))

    def __getitem__(self, fieldname: str) -> np.ndarray:
        return self._lengths[fieldname]

    def postings(self, searcher: Any, fieldname: str, btext: bytes) -> Scored:
        """:func:`postings`, from the preloaded arrays when the term is there."""
        found = self.preloaded.get((fieldname, btext))
        if found is None:
            return postings(searcher, fieldname, btext)
        return found[0].astype(np.int64), found[1].astype(np.float64)

    def _load(self, searcher: Any, fieldname: str) -> np.ndarray:
        return field_lengths(searcher, fieldname)


def field_lengths(searcher: Any, fieldname: str) -> np.ndarray:
    """Every passage's length of ``fieldname`` in tokens (as Whoosh stores it), by docnum."""
    found = np.zeros(searcher.doc_count_all(), dtype=np.float64)
    for leaf, offset in searcher.leaf_searchers():
        found[offset : offset + leaf.doc_count_all()] = _segment_lengths(leaf, fieldname)
    return found


def _compact(docs: np.ndarray, weights: np.ndarray) -> Scored:
    """The arrays in fewer bytes where nothing is lost (int32 ids, float32 weights)."""
    small = weights.astype(np.float32)
    return docs.astype(np.int32), small if (small == weights).all() else weights


def _segment_lengths(leaf: Any, fieldname: str) -> np.ndarray:
    """The decoded field lengths of one segment: from its length column (one byte per
    passage) when it can be read directly, else one passage at a time."""
    count = leaf.doc_count_all()
    column = _length_column(leaf, fieldname)
    if column is None:
        reader = leaf.reader()
        lengths = [reader.doc_field_length(d, fieldname) or 0 for d in range(count)]
        return np.array(lengths, dtype=np.float64)
    found = np.zeros(count, dtype=np.uint8)
    stored = min(column._count, count)
    raw = column._dbfile.get(column._basepos, stored) if stored else b""
    found[:stored] = np.frombuffer(raw, dtype=np.uint8)
    return _LENGTH_OF_BYTE[found]


def _length_column(leaf: Any, fieldname: str) -> Any:
    """Whoosh 2.7's length column reader of a segment (one byte per passage), or ``None``."""
    try:
        column = leaf.reader()._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:
        return None
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    if not all(hasattr(column, a) for a in ("_dbfile", "_basepos", "_count")):
        return None
    return column


class TermScorer:
    """Scores term-built query items like Whoosh's BM25F, on arrays.

    ``searcher``: the top-level Whoosh searcher; ``arrays``: the build's
    :class:`IndexArrays`.  :meth:`score` returns ``None`` when the searcher does not
    weigh with plain BM25F (another model keeps Whoosh's own scoring).
    """

    def __init__(self, searcher: Any, arrays: IndexArrays) -> None:
        self.searcher, self.arrays = searcher, arrays
        weighting = searcher.weighting
        self.enabled = type(weighting) is BM25F
        self.weighting = weighting

    def score(self, query: wq.Query) -> Scored | None:
        """The hits of ``query`` with their scores, or ``None`` when it is not scored
        here (no BM25F, or no term-built node in it)."""
        if not self.enabled or not has_terms(query):
            return None
        return self._node(query)

    def _node(self, query: wq.Query) -> Scored:
        kind = type(query)
        if kind is wq.Term:
            docs, scores = self.term(query.fieldname, query.text)
            return docs, _boosted(scores, query.boost)
        if kind in (wq.Or, wq.And) and not _coordinated(query):
            if len(query.subqueries) < 2:  # Whoosh uses the only child's matcher, unboosted
                return self._node(query.subqueries[0]) if query.subqueries else _EMPTY
            parts = [self._node(q) for q in query.subqueries]
            docs, scores = _union(parts) if kind is wq.Or else _intersection(parts)
            return docs, _boosted(scores, query.boost)
        if kind is wq.AndMaybe:
            return _and_maybe(self._node(query.a), self._node(query.b))
        return self._whoosh(query)

    def _whoosh(self, query: wq.Query) -> Scored:
        ranked = self.searcher.search(query, limit=None).top_n
        if not ranked:
            return _EMPTY
        pairs = np.array(ranked, dtype=np.float64).reshape(-1, 2)
        docs = pairs[:, 1].astype(np.int64)
        order = np.argsort(docs, kind="stable")
        return docs[order], pairs[order, 0]

    def term(self, fieldname: str, text: str | bytes) -> Scored:
        """One term's postings with their BM25F scores (as Whoosh's ``BM25FScorer``)."""
        searcher = self.searcher
        if fieldname not in searcher.schema:
            return _EMPTY
        field = searcher.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return _EMPTY
        if (fieldname, btext) not in searcher.reader():
            return _EMPTY
        docs, weights = self.arrays.postings(searcher, fieldname, btext)
        if not field.scorable:
            return docs, weights
        w = self.weighting
        B = w._field_B.get(fieldname, w.B)  # noqa: N806 - the names of the BM25 formula
        K1 = w.K1  # noqa: N806
        idf = searcher.idf(fieldname, btext)
        avgfl = searcher.avg_field_length(fieldname) or 1
        fl = self.arrays[fieldname][docs]
        # whoosh.scoring.bm25, operation for operation
        return docs, idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))


def term_docs(searcher: Any, arrays: IndexArrays, fieldname: str, text: str | bytes) -> np.ndarray:
    """The (top-level) document numbers of one term's postings, without scores."""
    if fieldname not in searcher.schema:
        return _EMPTY[0]
    try:
        btext = searcher.schema[fieldname].to_bytes(text)
    except ValueError:
        return _EMPTY[0]
    if (fieldname, btext) not in searcher.reader():
        return _EMPTY[0]
    return arrays.postings(searcher, fieldname, btext)[0]


def has_terms(query: wq.Query) -> bool:
    """Whether ``query`` has a node that :class:`TermScorer` scores on arrays (a term,
    or an OR/AND/AND MAYBE of them); other nodes are left to Whoosh."""
    kind = type(query)
    if kind is wq.Term:
        return True
    if kind in (wq.Or, wq.And) and not _coordinated(query) or kind is wq.AndMaybe:
        return any(has_terms(q) for q in query.subqueries)
    return False


def _coordinated(query: wq.Query) -> bool:
    return bool(getattr(query, "scale", None) or getattr(query, "minmatch", 0))


def postings(searcher: Any, fieldname: str, btext: bytes) -> Scored:
    """The document numbers (top-level) and weights of one term over every segment."""
    docs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, btext) not in reader:
            continue
        d, w = _leaf_postings(reader.postings(fieldname, btext))
        docs.append(d + offset)
        weights.append(w)
    if not docs:
        return _EMPTY
    if len(docs) == 1:
        return docs[0], weights[0]
    return np.concatenate(docs), np.concatenate(weights)


def _leaf_postings(matcher: Any) -> Scored:
    excluded: Any = None
    if type(matcher) is FilterMatcher and matcher._exclude and matcher.boost == 1.0:
        excluded, matcher = matcher._ids, matcher.child
    if type(matcher) is W3LeafMatcher:
        docs, weights = read_postings(matcher)
    else:
        docs, weights = _one_by_one(matcher)
    if excluded:
        keep = ~np.isin(docs, np.fromiter(excluded, dtype=np.int64))
        docs, weights = docs[keep], weights[keep]
    return docs, weights


def _one_by_one(matcher: Any) -> Scored:
    docs: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float64)


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    return scores * boost if boost != 1.0 else scores


def _union(parts: Iterable[Scored]) -> Scored:
    """Passages matching any part; a passage's score is the sum of its parts' scores."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    docs, inverse = np.unique(np.concatenate([d for d, _ in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([s for _, s in parts]))
    return docs, scores


def _intersection(parts: list[Scored]) -> Scored:
    """Passages matching every part; a passage's score is the sum of its parts' scores."""
    if not parts or any(not len(d) for d, _ in parts):
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    docs, inverse, counts = np.unique(
        np.concatenate([d for d, _ in parts]), return_inverse=True, return_counts=True
    )
    scores = np.bincount(inverse, weights=np.concatenate([s for _, s in parts]))
    keep = counts == len(parts)
    return docs[keep], scores[keep]


def _and_maybe(a: Scored, b: Scored) -> Scored:
    """The passages of ``a``; where ``b`` matches too, its score is added."""
    docs, scores = a
    if not len(docs) or not len(b[0]):
        return a
    at = np.searchsorted(b[0], docs)
    at[at == len(b[0])] = 0
    found = b[0][at] == docs
    scores = scores.copy()
    scores[found] += b[1][at[found]]
    return docs, scores
