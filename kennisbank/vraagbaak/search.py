"""Published questions and answers as search results: a small second index beside Whoosh.

A published answer must be found by the ordinary search (``/?q=…``, ``/api/search``)
as a hit of its own kind, *Vraag en antwoord*, within seconds of being published or
edited, and after every re-index.  The Whoosh index cannot give that: it is rebuilt from
the corpus into new generations, and the web process only reads it.  So the published
answers live in the Vraagbaak's own database and :class:`PublishedIndex` keeps them as
a small in-memory index beside it:

- **Fresh.** Before each search it reads one number (:meth:`Vraagbaak.change_marker`,
  the id of the last audit row; every change writes one).  When it moved, the
  published answers are read again; the analysis of an unchanged answer is reused.
  Measured with 1,001 published answers (``python -m benchmarks.published_answers``):
  first load 125 ms, the check when nothing changed 0.7 ms, reload after one more
  publish 33 ms, a search 3.7 ms (median) against 132 ms when every answer is re-read
  before each search.
- **The same language.** Terms are the search's own Dutch analysis
  (:func:`kennisbank.search.language.query_terms`: stopwords dropped, accents folded,
  stemmed); the question words of a question (*hoe*, *komen*, …) are dropped as the
  search does (:func:`kennisbank.search.questions.is_filler`); an everyday word reaches
  the reports' words through the same thesaurus; each query word counts with its general
  Dutch informativeness (:func:`kennisbank.search.informativeness.word_weight`).
- **Ranking.** BM25 (k1 1.2, b 0.75) over the question (counted twice) and the answer;
  an answer is a hit when it covers at least :data:`MIN_COVERAGE` of the query's weight,
  ranked by coverage, then score, then most recently published.
- **Filters.** The search page's facets apply: *Documenttype* (``type``) keeps answers
  only when :data:`DOCTYPE` is chosen; *Jaar* and the year range use the year of
  publication; *Thema*, *Gemeente*, *Wijk*, *Experiment* and *Alliantiepartner* use the
  thema's and entities the answer is linked to; any other facet excludes answers.
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kennisbank.search.informativeness import word_weight
from kennisbank.search.language import TOKEN_RE, query_terms
from kennisbank.search.questions import is_filler
from kennisbank.search.thesaurus import Thesaurus
from kennisbank.vraagbaak.models import PublishedQA
from kennisbank.vraagbaak.service import Vraagbaak

#: The value of a published answer in the *Documenttype* facet, and its label.
DOCTYPE = "vraag-en-antwoord"
DOCTYPE_LABEL = "Vraag en antwoord"
#: Share of the query's weight an answer must cover to be a hit.
MIN_COVERAGE = 0.5
#: BM25 parameters.
K1, B = 1.2, 0.75
#: Weight of the question's terms against the answer's.
QUESTION_WEIGHT = 2
#: Facets (URL names) whose values are the answers' thema's and entity ids.
TOPIC_FACETS = ("thema", "gemeente", "wijk", "experiment", "alliantiepartner")
#: Characters of the snippet around the first matching word.
SNIPPET_CHARS = 300


@dataclass(frozen=True)
class QAHit:
    """One published answer found: the record, its rank data and the words it matched."""

    qa: PublishedQA
    score: float
    coverage: float
    matched: frozenset[str]

    @property
    def year(self) -> int:
        """The year of publication."""
        return int(self.qa.gepubliceerd[:4])

    def snippet_html(self, chars: int = SNIPPET_CHARS) -> str:
        """The answer's text around its first matching word, HTML-escaped, the matching
        words in ``<mark>``."""
        return highlight(self.qa.antwoord, self.matched, chars)


@dataclass(frozen=True)
class _Entry:
    qa: PublishedQA
    tf: Counter[str]
    length: int
    topics: frozenset[str]


@dataclass(frozen=True)
class _Item:
    """One query word: its weight and the term sets that count as finding it."""

    weight: float
    alternatives: tuple[tuple[tuple[str, ...], float], ...]


def _terms(text: str) -> list[str]:
    return query_terms(text)


def highlight(text: str, stems: Iterable[str], chars: int = SNIPPET_CHARS) -> str:
    """``text`` cut to about ``chars`` characters around the first word whose term is in
    ``stems``, HTML-escaped, each such word in ``<mark>``."""
    wanted = frozenset(stems)
    spans = [
        (m.start(), m.end())
        for m in TOKEN_RE.finditer(text)
        if (terms := query_terms(m.group(0))) and terms[0] in wanted
    ]
    start = max(0, spans[0][0] - chars // 3) if spans else 0
    end = min(len(text), start + chars)
    if start:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    out, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")


class PublishedIndex:
    """The published answers of one :class:`Vraagbaak`, searchable (module docstring)."""

    def __init__(self, vraagbaak: Vraagbaak, thesaurus: Thesaurus | None = None) -> None:
        self.vraagbaak = vraagbaak
        self._thesaurus = thesaurus
        self._lock = threading.Lock()
        self._marker: int | None = None
        self._entries: list[_Entry] = []
        self._df: Counter[str] = Counter()
        self._avg = 1.0
        self._cache: dict[tuple[int, int, str], _Entry] = {}

    @property
    def thesaurus(self) -> Thesaurus:
        """The search's thesaurus (read on first use)."""
        if self._thesaurus is None:
            self._thesaurus = Thesaurus.load()
        return self._thesaurus

    # ------------------------------------------------------------------ loading
    def refresh(self) -> bool:
        """Reload the published answers when the database changed; True when it did."""
        marker = self.vraagbaak.change_marker()
        with self._lock:
            if marker == self._marker:
                return False
            published = self.vraagbaak.all_published()
            cache: dict[tuple[int, int, str], _Entry] = {}
            for qa in published:
                key = (qa.id, qa.versie, qa.bijgewerkt)
                cache[key] = self._cache.get(key) or self._entry(qa)
            self._cache = cache
            self._entries = [cache[(qa.id, qa.versie, qa.bijgewerkt)] for qa in published]
            self._df = Counter(t for e in self._entries for t in e.tf)
            total = sum(e.length for e in self._entries)
            self._avg = total / len(self._entries) if self._entries else 1.0
            self._marker = marker
            return True

    @staticmethod
    def _entry(qa: PublishedQA) -> _Entry:
        terms = _terms(qa.vraag) * QUESTION_WEIGHT + _terms(qa.antwoord)
        topics = frozenset(t.waarde for t in qa.onderwerpen)
        return _Entry(qa, Counter(terms), len(terms), topics)

    def __len__(self) -> int:
        self.refresh()
        return len(self._entries)

    # ------------------------------------------------------------------ searching
    def _items(self, q: str) -> list[_Item]:
        items = []
        for match in TOKEN_RE.finditer(q):
            word = match.group(0)
            if is_filler(word):
                continue
            terms = tuple(_terms(word))
            if not terms:
                continue
            alternatives = [(terms, 1.0)]
            for expansion, weight in self.thesaurus.expand(word):
                found = tuple(_terms(expansion))
                if found and found != terms:
                    alternatives.append((found, weight))
            items.append(_Item(word_weight(word), tuple(alternatives)))
        return items

    def _bm25(self, term: str, entry: _Entry) -> float:
        tf = entry.tf.get(term, 0)
        if not tf:
            return 0.0
        n, df = len(self._entries), self._df[term]
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * entry.length / self._avg)
        return idf * tf * (K1 + 1) / (tf + norm)

    def search(
        self,
        q: str,
        *,
        filters: Mapping[str, Sequence[str]] | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> list[QAHit]:
        """The published answers for ``q`` under the search page's ``filters`` (facet URL
        names → values) and year range, best first; an empty ``q`` lists every answer
        the filters keep, most recently published first."""
        self.refresh()
        entries = [e for e in self._entries if _passes(e, filters or {}, year_from, year_to)]
        items = self._items(q) if q.strip() else []
        if not items:
            if q.strip() and any(c.isalnum() for c in q):
                return []  # only question words or stopwords: nothing to match on
            return [QAHit(e.qa, 0.0, 1.0, frozenset()) for e in entries]
        total_weight = sum(item.weight for item in items) or 1.0
        hits = []
        for entry in entries:
            score = covered = 0.0
            matched: set[str] = set()
            for item in items:
                best = 0.0
                for terms, weight in item.alternatives:
                    if all(t in entry.tf for t in terms):
                        value = weight * sum(self._bm25(t, entry) for t in terms) / len(terms)
                        if value > best:
                            best = value
                            matched.update(terms)
                if best > 0:
                    score += item.weight * best
                    covered += item.weight
            coverage = covered / total_weight
            if coverage >= MIN_COVERAGE:
                hits.append(
                    QAHit(entry.qa, round(score, 4), round(coverage, 4), frozenset(matched))
                )
        return sorted(hits, key=lambda h: (-h.coverage, -h.score, _desc(h.qa.gepubliceerd)))


def _desc(stamp: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in re.findall(r"\d+", stamp))


def _passes(
    entry: _Entry,
    filters: Mapping[str, Sequence[str]],
    year_from: int | None,
    year_to: int | None,
) -> bool:
    year = int(entry.qa.gepubliceerd[:4])
    if year_from is not None and year < year_from:
        return False
    if year_to is not None and year > year_to:
        return False
    for name, values in filters.items():
        if not values:
            continue
        if name == "type":
            if DOCTYPE not in values:
                return False
        elif name == "jaar":
            if str(year) not in values:
                return False
        elif name in TOPIC_FACETS:
            if not entry.topics.intersection(values):
                return False
        else:
            return False
    return True


__all__ = ["DOCTYPE", "DOCTYPE_LABEL", "MIN_COVERAGE", "PublishedIndex", "QAHit", "highlight"]
