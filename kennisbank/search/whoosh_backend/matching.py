"""Matching and ranking without scoring every hit: scored items, hit bitsets, exact top-k.

A compiled query (:mod:`.compiler`) is, at the top, an OR of *items* (words with
their synonyms, phrases, Kamerstuk references), sometimes with an exclusion
(``AND NOT``).  Whoosh scores an OR as the sum of the scores of the items a passage
matches, so the engine does not need to score the whole OR for every hit:

* each item is matched and scored once — on whole posting lists with Whoosh's BM25F
  (:mod:`.termscore`) when it is built from terms, else by Whoosh itself
  (``searcher.search(item, limit=None)``); the same scores either way — and kept per
  index build in an LRU cache (:class:`ItemCache`) as compact arrays: the hits in
  document order, the hits in score order, and a bitset (a Python int, bit *n* =
  document *n*);
* the hit set of the query, which facet counts and the total need, is an OR of the
  items' bitsets, minus the bitset of the exclusion (:func:`query_bits`);
* the best ``k`` hits come from the items' score-ordered lists with the threshold
  algorithm (Fagin's TA, :func:`top_k`): a passage's score is looked up in every item,
  and the walk stops as soon as no passage further down can reach the ``k``-th score;
  with a selective filter the few allowed hits are scored directly;
* sorting by date walks the hits in date order and scores only the passages sharing a
  date with the last passage of the page (:func:`date_page`).

So the per-query work is bounded by ``k`` and the number of items, not by the number of
hits, once an item's postings have been scored.  A query whose items are not cached
pays for reading and scoring their postings (array work, a few milliseconds for a
frequent word at 100,000 passages); the cache is bounded by
:data:`CACHE_POSTINGS` scored postings (about 32 bytes each) and can be switched off
(``SearchEngine(..., cache_postings=0)``) to measure cold queries.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from kennisbank.search.facets import bits_from, docnums_of
from kennisbank.search.whoosh_backend.termscore import IndexArrays, TermScorer, term_docs

#: Scored postings kept per index build (all items together; about 32 bytes each).
CACHE_POSTINGS = 2_000_000
#: Hits reranked by the share of query items they match (and by the document prior and
#: fragment factor of :mod:`kennisbank.search.prior`), and the bonus for matching all.
#: 1,000 rather than 100: with 416,000 distractor passages relevant passages of the
#: reports often ranked 100-1,000 by BM25F alone (dev-questions MRR@10 0.495 → 0.515,
#: dev-queries 0.796 → 0.803; 35 → 40 ms a query without facets or snippets).
#: The bonus: a hit matching every item scores ``1 + COVERAGE_BONUS`` times as much; 1.0
#: is mid-plateau (0.75-2) of a sweep 0-2 on both dev sets, bundled and with distractors
#: (BENCHMARKS.md, "Relevance": dev-questions 0.642 → 0.670 bundled, 0.608 → 0.623).
RERANK_WINDOW, COVERAGE_BONUS = 1000, 1.0
#: Rerank bonus for a hit that holds the kind of answer a question asks for; a sweep
#: 0-0.4 changed no dev number beyond ±0.001, so it only breaks near-ties.
ANSWER_BONUS = 0.1
#: How many of the top hits (after the coverage step) the answer-type bonus looks at.  Its
#: evidence reads each passage's stored text once; over the whole rerank window of 1,000
#: that cost about 75 ms on a cold question at 416,293 passages, and a bonus of 10 % only
#: reorders hits that are close already.
ANSWER_WINDOW = 100
#: With a filter leaving at most this many hits, those hits are scored directly.
DIRECT_SCORING = 3_000
#: Up to this many top hits the threshold algorithm ranks them; beyond it, the scores of
#: all items are added in one numpy array (:func:`_dense`).  Measured with the rerank
#: window of 1,000 on 416,293 passages: the threshold algorithm spent about 200 ms on
#: slow questions walking the lists that deep.
THRESHOLD_K = 100

Ranked = list[tuple[float, int]]


@dataclass(frozen=True)
class ScoredItem:
    """One item's hits with their Whoosh scores.

    ``docs``/``scores``: ascending document numbers and their scores; ``ranked_docs``/
    ``ranked_scores``: the same hits best first (ties: lower document number first);
    ``bits``: the hits as a bitset.
    """

    docs: array
    scores: array
    ranked_docs: array
    ranked_scores: array
    bits: int

    @classmethod
    def from_ranked(cls, ranked: Iterable[tuple[float, int]], size: int) -> ScoredItem:
        """Build from ``(score, docnum)`` pairs in Whoosh's order (best first)."""
        ranked = list(ranked)
        by_doc = sorted(ranked, key=lambda item: item[1])
        return cls(
            docs=array("q", [d for _, d in by_doc]),
            scores=array("d", [s for s, _ in by_doc]),
            ranked_docs=array("q", [d for _, d in ranked]),
            ranked_scores=array("d", [s for s, _ in ranked]),
            bits=bits_from((d for _, d in ranked), size),
        )

    @classmethod
    def from_arrays(cls, docs: np.ndarray, scores: np.ndarray, size: int) -> ScoredItem:
        """Build from ascending document numbers and their scores (numpy arrays)."""
        order = np.lexsort((docs, -scores))
        return cls(
            docs=_array("q", docs.astype(np.int64)),
            scores=_array("d", scores.astype(np.float64)),
            ranked_docs=_array("q", docs[order].astype(np.int64)),
            ranked_scores=_array("d", scores[order].astype(np.float64)),
            bits=_packed(docs, size),
        )

    def __len__(self) -> int:
        return len(self.docs)

    def score_of(self, docnum: int) -> float | None:
        """The item's score of ``docnum``, or ``None`` when the item does not match it."""
        i = bisect_left(self.docs, docnum)
        if i < len(self.docs) and self.docs[i] == docnum:
            return self.scores[i]
        return None


def _packed(docs: np.ndarray, size: int) -> int:
    """``bits_from`` for an array of document numbers."""
    flags = np.zeros(size, dtype=bool)
    flags[docs] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _array(typecode: str, values: np.ndarray) -> array:
    found = array(typecode)
    found.frombytes(values.tobytes())
    return found


class ItemCache:
    """Scored items and unscored bitsets of one index build, least recently used out.

    Keys are the Whoosh query's ``repr`` (which includes fields, terms and boosts).
    ``max_postings`` bounds the cached hits over all entries; ``0`` caches nothing.
    With the build's ``arrays``, items built from terms are scored on arrays
    (:class:`~.termscore.TermScorer`, the same BM25F as Whoosh); without,
    every item is scored by Whoosh.  Safe to share between threads.
    """

    def __init__(
        self, size: int, max_postings: int = CACHE_POSTINGS, arrays: IndexArrays | None = None
    ) -> None:
        self.size, self.max_postings, self.arrays = size, max_postings, arrays
        self._entries: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget everything (the next queries run cold)."""
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def _get(self, key: tuple[str, str]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        return None

    def _put(self, key: tuple[str, str], value: Any, weight: int) -> None:
        if weight > self.max_postings // 2:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.max_postings and self._entries:
                _, (_, gone) = self._entries.popitem(last=False)
                self._weight -= gone

    def scored(self, searcher: Any, item: wq.Query) -> ScoredItem:
        """The item's hits with their BM25F scores (all of them, as the engine always did)."""
        key = ("scored", repr(item))
        found = self._get(key)
        if found is None:
            arrays = None
            if self.arrays is not None:
                arrays = TermScorer(searcher, self.arrays).score(item)
            if arrays is not None:
                found = ScoredItem.from_arrays(*arrays, self.size)
            else:
                ranked = searcher.search(item, limit=None).top_n
                found = ScoredItem.from_ranked(ranked, self.size)
            self._put(key, found, len(found) + 1)
        return found

    def cached_bits(self, searcher: Any, query: wq.Query) -> int:
        """The hits of ``query`` as a bitset (scored items reused when cached)."""
        found = self._get(("scored", repr(query)))
        if found is not None:
            return found.bits
        key = ("bits", repr(query))
        bits = self._get(key)
        if bits is None:
            if self.arrays is not None and type(query) is wq.Term:
                bits = _packed(
                    term_docs(searcher, self.arrays, query.fieldname, query.text), self.size
                )
            else:
                bits = bits_from(searcher.docs_for_query(query), self.size)
            self._put(key, bits, bits.bit_count() // 8 + 1)
        return bits


def split_items(query: wq.Query) -> tuple[list[wq.Query], list[wq.Query]]:
    """The query's top-level items (children of nested unboosted ORs) and exclusions.

    A passage matches the query when it matches an item and no exclusion; its score is
    the sum of the scores of the items it matches (Whoosh's ``Or`` and ``AndNot``).
    """
    if isinstance(query, wq.AndNot) and query.boost == 1.0:
        items, excluded = split_items(query.a)
        return items, [*excluded, query.b]
    if _plain_or(query):
        items: list[wq.Query] = []
        excluded: list[wq.Query] = []
        for child in query.subqueries:
            if _plain_or(child):
                more, none = split_items(child)
                items += more
                excluded += none
            else:
                items.append(child)
        return items, excluded
    return [query], []


def _plain_or(query: wq.Query) -> bool:
    return (
        type(query) is wq.Or
        and query.boost == 1.0
        and not getattr(query, "scale", None)
        and not getattr(query, "minmatch", 0)
    )


def query_bits(searcher: Any, query: wq.Query, cache: ItemCache, all_bits: int) -> int:
    """The hits of any compiled query as a bitset, without scoring: OR → ``|``,
    AND → ``&``, AND NOT → ``& ~``, AND MAYBE → its required side, cached items and
    other leaves (terms, phrases, prefixes) from :meth:`ItemCache.cached_bits`."""
    if isinstance(query, wq.Every):
        return all_bits
    found = cache._get(("scored", repr(query)))
    if found is not None:
        return found.bits
    if isinstance(query, wq.AndNot):
        return query_bits(searcher, query.a, cache, all_bits) & ~query_bits(
            searcher, query.b, cache, all_bits
        )
    if isinstance(query, wq.AndMaybe):
        return query_bits(searcher, query.a, cache, all_bits)
    if isinstance(query, wq.ConstantScoreQuery):
        return query_bits(searcher, query.child, cache, all_bits)
    if type(query) in (wq.Or, wq.And):
        parts = [query_bits(searcher, q, cache, all_bits) for q in query.subqueries]
        bits = parts[0] if parts else 0
        for part in parts[1:]:
            bits = bits | part if type(query) is wq.Or else bits & part
        return bits
    return cache.cached_bits(searcher, query)


@dataclass
class Matched:
    """A query's scored items and its hit bitset (before filters)."""

    items: list[ScoredItem]
    bits: int


def match(searcher: Any, query: wq.Query, cache: ItemCache, all_bits: int) -> Matched:
    """Score the query's items (from the cache when possible) and compute its hit set."""
    items_q, excluded = split_items(query)
    items = [cache.scored(searcher, q) for q in items_q]
    bits = 0
    for item in items:
        bits |= item.bits
    for q in excluded:
        bits &= ~query_bits(searcher, q, cache, all_bits)
    return Matched(items, bits)


def _score(items: Sequence[ScoredItem], docnum: int) -> float:
    total = 0.0
    for item in items:
        s = item.score_of(docnum)
        if s is not None:
            total += s
    return total


def top_k(matched: Matched, k: int, allowed: int) -> Ranked:
    """The ``k`` best ``(score, docnum)`` among the hits in ``allowed`` (a bitset that
    includes every allowed hit), best first, ties by document number: the same order as
    scoring every hit."""
    candidates = matched.bits & allowed
    count = candidates.bit_count()
    if not count or k < 1:
        return []
    items = matched.items
    if count <= DIRECT_SCORING or count <= k:
        scored = [(_score(items, d), d) for d in docnums_of(candidates)]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored[:k]
    if len(items) == 1 and candidates == items[0].bits:
        item = items[0]
        return list(zip(item.ranked_scores[:k], item.ranked_docs[:k], strict=True))
    if k > THRESHOLD_K:
        return _dense(items, k, candidates)
    return _threshold(items, k, candidates)


def _dense(items: Sequence[ScoredItem], k: int, candidates: int) -> Ranked:
    """The ``k`` best hits by adding every item's scores into one array (numpy).

    Exact, and the same floats as :func:`_score`: each passage's scores are added in item
    order starting from 0.0.  Its cost is the items' postings plus one pass over the
    documents, whatever ``k`` is, where the threshold algorithm has to walk much deeper
    into the lists for a large ``k`` (the rerank window).  Like the threshold algorithm it
    returns only passages that an item scores.
    """
    size = candidates.bit_length()
    total = np.zeros(size, dtype=np.float64)
    hit = np.zeros(size, dtype=bool)
    for item in items:
        docs = np.frombuffer(item.docs, dtype=np.int64)
        end = int(np.searchsorted(docs, size))
        total[docs[:end]] += np.frombuffer(item.scores, dtype=np.float64)[:end]
        hit[docs[:end]] = True
    allowed = np.unpackbits(
        np.frombuffer(candidates.to_bytes((size + 7) // 8, "little"), dtype=np.uint8),
        bitorder="little",
    )[:size].astype(bool)
    chosen = np.flatnonzero(hit & allowed)
    scores = total[chosen]
    if len(chosen) > k:  # keep every passage that ties with the k-th score, then order
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        chosen, scores = chosen[keep], scores[keep]
    order = np.lexsort((chosen, -scores))[:k]
    return [(float(scores[i]), int(chosen[i])) for i in order]


def _threshold(items: Sequence[ScoredItem], k: int, candidates: int) -> Ranked:
    """Fagin's threshold algorithm over the items' score-ordered lists.

    After row ``depth`` of every list, a passage not yet seen scores at most the sum of
    the scores in that row (float addition is monotone, and the sum is taken in the same
    item order as a passage's score), so the walk stops when the ``k``-th best score seen
    is strictly higher: no unseen passage can reach or tie it.
    """
    allowed = candidates.to_bytes(candidates.bit_length() // 8 + 1, "little")
    heap: list[tuple[float, int]] = []  # (score, -docnum): the worst kept one first
    seen: set[int] = set()
    depth = 0
    while True:
        bound, active = 0.0, False
        for item in items:
            if depth >= len(item.ranked_docs):
                continue
            active = True
            bound += item.ranked_scores[depth]
            docnum = item.ranked_docs[depth]
            if docnum in seen:
                continue
            seen.add(docnum)
            byte = docnum >> 3
            if byte >= len(allowed) or not allowed[byte] >> (docnum & 7) & 1:
                continue
            entry = (_score(items, docnum), -docnum)
            if len(heap) < k:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        if not active or (len(heap) >= k and heap[0][0] > bound):
            break
        depth += 1
    return [(s, -d) for s, d in sorted(heap, reverse=True)]


def date_page(
    matched: Matched,
    allowed: int,
    date_order: Sequence[int],
    keys: tuple[Sequence[str], Sequence[int]],
    end: int,
) -> list[int]:
    """The first ``end`` allowed hits newest first (ties: higher score, then lower
    ``seq``, then lower document number), as sorting every hit by date would give.

    Only the passages that share a date with the ``end``-th one need a score.
    """
    candidates = matched.bits & allowed
    if not candidates:
        return []
    dates, seqs = keys
    wanted = candidates.to_bytes(candidates.bit_length() // 8 + 1, "little")
    chosen: list[tuple[int, int]] = []  # (date group, docnum)
    group, last = 0, None
    for docnum in date_order:
        byte = docnum >> 3
        if byte >= len(wanted) or not wanted[byte] >> (docnum & 7) & 1:
            continue
        if dates[docnum] != last:
            if len(chosen) >= end:
                break
            group, last = group + 1, dates[docnum]
        chosen.append((group, docnum))
    chosen.sort(key=lambda gd: (gd[0], -_score(matched.items, gd[1]), seqs[gd[1]], gd[1]))
    return [d for _, d in chosen[:end]]


def coverage_counts(
    coverage: Sequence[int], docnums: Sequence[int], weights: Sequence[float] | None = None
) -> np.ndarray:
    """For each of ``docnums``: how many of the ``coverage`` bitsets (one per query item)
    hold it (numpy, one lookup per item for all the documents); with ``weights`` (one per
    item), the sum of the weights of the items that hold it."""
    docs = np.asarray(docnums, dtype=np.int64)
    counts = np.zeros(len(docs), dtype=np.int64 if weights is None else np.float64)
    if not len(docs):
        return counts
    nbytes = int(docs.max()) // 8 + 1
    for i, bits in enumerate(coverage):
        data = np.frombuffer(
            bits.to_bytes(max(nbytes, bits.bit_length() // 8 + 1), "little"), dtype=np.uint8
        )
        held = (data[docs >> 3] >> (docs & 7)) & 1
        counts += held if weights is None else held * weights[i]
    return counts


def rerank(
    ranked: Ranked,
    coverage: Sequence[int],
    answers: Callable[[int], bool] | None = None,
    window: int = RERANK_WINDOW,
    weights: Sequence[float] | None = None,
) -> Ranked:
    """Raise the top ``window`` (:data:`RERANK_WINDOW`) hits by the share of the query's items
    (words, phrases; one bitset each in ``coverage``) each matches: all words are
    preferred, none is required.  With ``weights`` (one per item: how informative a word
    is) an item counts for its weight: the bonus grows with the matched weight beyond
    that of the heaviest item, up to :data:`COVERAGE_BONUS` for all items, so one item
    alone never earns it and two rare words beat a rare and a common one (equal weights
    give the plain count, ``(matched - 1) / (items - 1)``; the average item as the base
    measured the same).  With ``answers`` (a question asking for a kind of answer: does
    passage *n* hold one?), a hit among the first :data:`ANSWER_WINDOW` after the
    coverage step gains :data:`ANSWER_BONUS`; never a filter."""
    if len(coverage) < 2 and answers is None:
        return ranked
    head = ranked[:window]
    if len(coverage) > 1:
        if weights is None or len(set(weights)) < 2:
            counts = coverage_counts(coverage, [d for _, d in head]).astype(np.float64)
            total, one = float(len(coverage)), 1.0
        else:
            counts = coverage_counts(coverage, [d for _, d in head], weights)
            total, one = float(sum(weights)), float(max(weights))
        span = max(total - one, 1e-9)
        head = [
            (s * (1 + COVERAGE_BONUS * max(0.0, float(c) - one) / span), d)
            for (s, d), c in zip(head, counts, strict=True)
        ]
    head.sort(key=lambda item: (-item[0], item[1]))
    if answers is not None:  # only near the top: each test may read a passage's stored text
        top = [(s * (1 + ANSWER_BONUS) if answers(d) else s, d) for s, d in head[:ANSWER_WINDOW]]
        head = sorted(top + head[ANSWER_WINDOW:], key=lambda item: (-item[0], item[1]))
    return head + ranked[window:]


def in_order(order: Sequence[int], bits: int, end: int) -> list[int]:
    """The first ``end`` documents of ``order`` that are in ``bits``."""
    wanted = bits.to_bytes(bits.bit_length() // 8 + 1, "little")
    found: list[int] = []
    for docnum in order:
        byte = docnum >> 3
        if byte < len(wanted) and wanted[byte] >> (docnum & 7) & 1:
            found.append(docnum)
            if len(found) >= end:
                break
    return found
