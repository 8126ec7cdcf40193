"""The search engine: parse, select, run on the index, correct typos, return our dataclasses.

:class:`SearchEngine` opens a search index folder (built by
:func:`kennisbank.search.whoosh_backend.build.build_search_index`), keeps one searcher per
thread, refreshes it per request and reopens everything when a new build is swapped in.
:meth:`SearchEngine.search` parses the query (:mod:`kennisbank.search.query`), resolves
the filters (:class:`~kennisbank.search.facets.Selection`), runs it on the open build
(:meth:`kennisbank.search.whoosh_backend.reader.OpenIndex.run`: compile, match without
scoring every hit, count facets over the whole result set on preloaded bitsets, read and
highlight only the page's hits), corrects typos (:mod:`kennisbank.search.spelling`) and
returns a :class:`~kennisbank.search.results.SearchResult`.  Nothing here imports Whoosh.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kennisbank.errors import IndexMissing
from kennisbank.search.explain import EXPLAIN_DEPTH, QueryExplanation
from kennisbank.search.facets import Selection, facet_values
from kennisbank.search.fields import (
    DEFAULT_LIMIT,
    DEFAULT_SORT,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    SORTS,
)
from kennisbank.search.meta import META_FILE
from kennisbank.search.query import ParsedQuery
from kennisbank.search.results import SearchResult, confidence_of
from kennisbank.search.thesaurus import Thesaurus
from kennisbank.search.vocabulary import fold_word
from kennisbank.search.whoosh_backend.explain import explain_query
from kennisbank.search.whoosh_backend.matching import CACHE_POSTINGS
from kennisbank.search.whoosh_backend.reader import OpenIndex, Run

log = logging.getLogger(__name__)


#: Fewer hits than this make the engine try a spelling correction.
FEW_HITS = 3
#: Every name a sort order may be asked by (the engine's and the Dutch one) → the engine's.
_SORTS = {name: engine for engine, dutch in SORTS.items() for name in (engine, dutch)}
_INTERNAL_ERROR = "Er ging iets mis bij het zoeken. Probeer een eenvoudiger zoekvraag."


def _load_thesaurus() -> Any:
    try:
        return Thesaurus.load()
    except Exception:  # noqa: BLE001 - no thesaurus: no synonym expansion
        return None


class SearchEngine:
    """Searches one index folder; safe to share between threads (e.g. waitress workers).

    ``index_dir`` is best a symlink to the current build folder, replaced atomically
    (``os.replace``) by a new build: searches never see a gap, and each open build keeps
    reading its own folder.  A folder renamed into place works too; a searcher that a
    thread already holds keeps serving while the new folder is not there yet.
    ``cache_postings`` bounds the cache of scored query items (``0``: every query runs
    cold); ``array_scoring=False`` leaves all scoring to Whoosh's own matchers instead of
    :mod:`kennisbank.search.whoosh_backend.termscore` (the same scores; for tests and measurements).
    Raises :class:`~kennisbank.errors.IndexMissing` when the folder holds no index.
    """

    def __init__(
        self,
        index_dir: Path,
        *,
        thesaurus: Any = None,
        cache_postings: int = CACHE_POSTINGS,
        array_scoring: bool = True,
        rerank_window: int | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stamp = self._read_stamp()
        self._options: dict[str, Any] = {
            "cache_postings": cache_postings,
            "array_scoring": array_scoring,
        }
        if rerank_window is not None:  # default: the backend's RERANK_WINDOW
            self._options["rerank_window"] = rerank_window
        self._index = OpenIndex(self._resolved(), **self._options)
        self._thesaurus = thesaurus if thesaurus is not None else _load_thesaurus()

    def _resolved(self) -> Path:
        """The build folder itself: ``index_dir`` may be a symlink that is swapped."""
        return Path(os.path.realpath(self.index_dir))

    def _read_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.index_dir / META_FILE)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _current(self) -> OpenIndex:
        """The index of the current build: reopened when a new build was swapped in; the
        open one keeps serving while the new one cannot be read (e.g. mid-swap)."""
        stamp = self._read_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._index = OpenIndex(self._resolved(), **self._options)
                        self._stamp = stamp
                    except Exception:  # noqa: BLE001 - retried on the next request
                        log.warning("zoekindex %s nog niet leesbaar", self.index_dir)
        return self._index

    def _searcher(self, idx: OpenIndex) -> Any:
        """This thread's searcher for ``idx``, refreshed."""
        held = getattr(self._local, "held", None)
        if held is None or held[0] is not idx:
            searcher = idx.searcher()
        else:
            try:
                searcher = held[1].refresh()
            except Exception:  # noqa: BLE001 - folder mid-swap: keep the open searcher
                searcher = held[1]
        self._local.held = (idx, searcher)
        return searcher

    @property
    def build_id(self) -> str:
        """The build id of the index currently searched."""
        return str(self._current().meta.get("build_id", ""))

    def clear_cache(self) -> None:
        """Forget the scored query items, so the next searches run cold (for benchmarks)."""
        self._current().items.clear()

    def explain(
        self,
        query: str,
        *,
        relevant: Callable[[str], bool] | None = None,
        passage_ids: Sequence[str] = (),
        depth: int = EXPLAIN_DEPTH,
    ) -> QueryExplanation:
        """Why the first passage came first for ``query``, next to the first relevant one.

        Ranks ``depth`` deep (without filters) the text the search really searched (after
        a spelling correction); ``relevant(text)`` says which passages are relevant, and
        ``passage_ids`` names relevant passages to explain when none is that deep.  Each
        score is split into per-term, per-field parts and the rerank steps
        (:mod:`kennisbank.search.explain`).
        """
        searched = self.search(query, limit=1, facets=False, snippets=False)
        idx = self._current()
        return explain_query(
            idx,
            self._searcher(idx),
            query,
            searched.corrected_query or query,
            thesaurus=self._thesaurus,
            depth=depth,
            top_id=searched.hits[0].passage_id if searched.hits else None,
            relevant=relevant,
            passage_ids=passage_ids,
        )

    def close(self) -> None:
        """Close this thread's searcher (others close when their threads end)."""
        held = getattr(self._local, "held", None)
        if held is not None:
            held[1].close()
            self._local.held = None

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        year_from: int | str | None = None,
        year_to: int | str | None = None,
        sort: str = DEFAULT_SORT,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        facets: bool = True,
        snippets: bool = True,
    ) -> SearchResult:
        """Search passages; never raises for any ``query`` (problems become Dutch notes).

        ``filters`` maps a facet field (or an alias such as ``jaar``/``type``) to selected
        values: OR within a facet, AND across facets.  ``year_from``/``year_to`` bound the
        document year; ``sort`` is ``relevance`` or ``date`` (newest first); ``limit`` ≤
        :data:`MAX_LIMIT`.  Facet counts cover the whole result set.
        """
        try:
            return self._search(
                query, filters, (year_from, year_to), sort, limit, offset, facets, snippets
            )
        except IndexMissing:
            raise
        except Exception:  # noqa: BLE001 - a search box must never produce a traceback
            log.exception("zoeken mislukt voor %r", query)
            text = query[:MAX_QUERY_CHARS] if isinstance(query, str) else ""
            return SearchResult(query=text, parsed="", total=0, hits=[], notes=[_INTERNAL_ERROR])

    def _search(
        self,
        query: str,
        filters: Mapping[str, Iterable[str]] | None,
        years: tuple[Any, Any],
        sort: str,
        limit: Any,
        offset: Any,
        facets: bool,
        snippets: bool,
    ) -> SearchResult:
        idx = self._current()
        searcher = self._searcher(idx)
        if idx.changed(searcher):  # changed in place: reopen
            with self._lock:
                self._index = OpenIndex(self._resolved(), **self._options)
                self._stamp = self._read_stamp()
            idx, searcher = self._index, self._searcher(self._index)
        notes: list[str] = []
        page = (_clamp(limit, 1, MAX_LIMIT, DEFAULT_LIMIT), _clamp(offset, 0, MAX_OFFSET, 0))
        sort_key = _SORTS.get(str(sort).lower())
        if sort_key is None:
            notes.append(
                f"Onbekende sortering '{sort}'; er is op {SORTS[DEFAULT_SORT]} gesorteerd."
            )
            sort_key = DEFAULT_SORT

        def run(text: str) -> tuple[ParsedQuery, Selection, Run]:
            parsed, sel = idx.prepare(text, filters, years)
            return (
                parsed,
                sel,
                idx.run(
                    searcher,
                    parsed,
                    sel,
                    sort_key,
                    page,
                    facets=facets,
                    snippets=snippets,
                    thesaurus=self._thesaurus,
                ),
            )

        parsed, selection, result = run(query)
        typed = parsed
        suggestion = corrected = None
        unknown = _unknown_words(idx, parsed, self._thesaurus)
        if idx.corrector() is not None and _wants_correction(unknown, parsed, result.total):
            fixed = _correct(idx, parsed, self._thesaurus)
            if fixed is not None and fixed[1]:
                parsed2, sel2, result2 = run(fixed[0])
                if result2.total > result.total or (ADOPT_CONFIDENT and result2.total):
                    notes.append(f"Gezocht op „{fixed[0]}” in plaats van „{typed.text}”.")
                    corrected, parsed, selection, result = fixed[0], parsed2, sel2, result2
                else:
                    suggestion = fixed[0]
            elif fixed is not None:
                suggestion = fixed[0]
        if suggestion:
            notes.append(f"Bedoelde u: „{suggestion}”?")
        return SearchResult(
            query=typed.text,
            parsed=str(parsed),
            total=result.total,
            hits=result.hits,
            facets=facet_values(idx.catalog, result.counts, selection.selected) if facets else {},
            suggestion=suggestion,
            notes=list(dict.fromkeys([*typed.notes, *selection.notes, *result.notes, *notes])),
            corrected_query=corrected,
            offset=page[1],
            limit=page[0],
            sort=sort_key,
            filters={k: sorted(v) for k, v in selection.selected.items() if v},
            coverage=list(result.coverage) if result.coverage else None,
            confidence=confidence_of(result.total, result.coverage) if parsed.root else "normaal",
            unknown_words=unknown,
        )


#: Adopt a confident correction of an unknown word whenever it finds anything (a typed
#: compound's parts may find more than the corrected word, see ``compiler._parts``).
ADOPT_CONFIDENT = True


def _unknown_words(idx: OpenIndex, parsed: ParsedQuery, thesaurus: Any = None) -> list[str]:
    """The typed words (longer than two letters) that the index vocabulary lacks.

    A word the thesaurus knows is not unknown: its synonyms were searched
    (``buurtagenten`` finds ``wijkagenten``).
    """
    return [
        w.text
        for w in parsed.words()
        if len(w.text) > 2
        and w.text.isalpha()
        and fold_word(w.text) not in idx.vocabulary
        and not _in_thesaurus(thesaurus, w.text)
    ]


def _in_thesaurus(thesaurus: Any, word: str) -> bool:
    """Whether a curated thesaurus group holds ``word`` (then it is not corrected).

    Groups derived from the general lexicons (kind ``lexicon``) do not count: they are
    broad and polysemous (``trampoline`` → ``opstart``), so a word only they know is still
    reported as absent from the kennisbank.
    """
    if thesaurus is None:
        return False
    try:
        return any(group.kind != "lexicon" for group in thesaurus.groups_for(word))
    except Exception:  # noqa: BLE001 - a failing thesaurus lookup only loses the protection
        return False


def _wants_correction(unknown: list[str], parsed: ParsedQuery, total: int) -> bool:
    """Try a spelling correction when a typed word is unknown or few passages were found."""
    return bool(parsed.words()) and (bool(unknown) or total < FEW_HITS)


def _correct(idx: OpenIndex, parsed: ParsedQuery, thesaurus: Any = None) -> tuple[str, bool] | None:
    """The query text with corrected words, and whether every correction is confident.

    Words the thesaurus knows are kept as typed: they are everyday words with a
    mapping (``buurtagenten`` → ``wijkagenten``), not typos of a similar corpus word.
    """
    original = " ".join(w.text for w in parsed.words())
    keep = {fold_word(w.text) for w in parsed.words() if _in_thesaurus(thesaurus, w.text)}
    try:
        corrected, corrections = idx.corrector().correct_query(original, keep=keep)
        corrections = list(corrections or [])
        confident = bool(corrections) and all(bool(c.confident) for c in corrections)
    except Exception:  # noqa: BLE001 - a failing corrector only loses the suggestion
        log.exception("spellingscorrectie mislukt")
        return None
    if not corrections or not isinstance(corrected, str) or corrected.lower() == original.lower():
        return None
    before, after = original.split(), corrected.split()
    if len(before) != len(after):
        return corrected, confident
    text = parsed.text
    for old, new in zip(before, after, strict=True):
        if old != new:
            text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", lambda _m, n=new: n, text, count=1)
    return text, confident


def _clamp(value: Any, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(low, min(high, number))
