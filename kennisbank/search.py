"""The search engine: the one module that queries Whoosh; it returns our own dataclasses.

:class:`SearchEngine` opens a search index folder (built by
:func:`kennisbank.searchindex.build_search_index`), keeps one Whoosh searcher per thread,
refreshes it per request and reopens everything when a new build is swapped in.
:meth:`SearchEngine.search` parses the query (:mod:`kennisbank.query`), compiles it to
Whoosh (:mod:`kennisbank.compiler`), matches it without scoring every hit
(:mod:`kennisbank.matching`: the hit set as a bitset from scored query items cached per
build, only the best ``offset + limit`` — at least the rerank window — ranked exactly),
counts facets over the whole result set on preloaded bitsets (:mod:`kennisbank.facets`),
corrects typos (:mod:`kennisbank.spelling`) and reads and highlights only the page's hits.
"""

from __future__ import annotations

import html
import io
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.searching import Searcher

from kennisbank.compiler import QueryCompiler
from kennisbank.errors import IndexMissing
from kennisbank.facets import (
    FACET_FIELDS,
    Catalog,
    FacetCounter,
    Hit,
    SearchResult,
    Selection,
    bits_from,
    facet_values,
)
from kennisbank.matching import (
    CACHE_POSTINGS,
    RERANK_WINDOW,
    ItemCache,
    date_page,
    in_order,
    match,
    query_bits,
    rerank,
    term_spans,
    top_k,
)
from kennisbank.query import ParsedQuery, parse_query
from kennisbank.searchindex import (
    META_FILE,
    SEARCH_SCHEMA_VERSION,
    SNIPPET_CHARS,
    analyze,
    fold_word,
    load_vocabulary,
    read_meta,
    snippet_html,
)
from kennisbank.termscore import IndexArrays

log = logging.getLogger(__name__)


#: Bytes :meth:`_View.readline` looks at per step.
_LINE_CHUNK = 4096


class _View:
    """A read-only, seekable file over a buffer (a memory map slice), without a copy."""

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else self._pos + size
        data = bytes(self._buf[self._pos : end])
        self._pos += len(data)
        return data

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        # Look for the newline a chunk at a time: a part can be tens of megabytes.
        start = self._pos
        while start < end:
            chunk = bytes(self._buf[start : min(end, start + _LINE_CHUNK)])
            newline = chunk.find(b"\n")
            if newline >= 0:
                return self.read(start + newline + 1 - self._pos)
            start += len(chunk)
        return self.read(max(0, end - self._pos))

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


class ViewFile(BufferFile):  # type: ignore[misc]
    """A part of a segment file, read through the memory map without a copy.

    Whoosh's ``BufferFile`` copies the part into a ``BytesIO`` when it is opened, so
    every searcher held a private copy of the index files it opened, and the server
    keeps a searcher per thread (server peak RSS 2.3 GB at 100,000 passages with 8
    threads, 10 GB at 500,000).  Here sequential reads go through :class:`_View`.
    """

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _View(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


# Segment parts opened from a memory-mapped compound file are views, not copies.
compound.BufferFile = ViewFile

#: Largest page size and offset a request may ask for.
MAX_LIMIT = 100
MAX_OFFSET = 10_000
#: Fewer hits than this make the engine try a spelling correction.
FEW_HITS = 3
_SORTS = {"relevance": "relevance", "relevantie": "relevance", "date": "date", "datum": "date"}
_INTERNAL_ERROR = "Er ging iets mis bij het zoeken. Probeer een eenvoudiger zoekvraag."


class _Index:
    """One opened index build with catalog, vocabulary, facet bitsets and the cache of
    scored query items (:class:`~kennisbank.matching.ItemCache`)."""

    def __init__(
        self, index_dir: Path, cache_postings: int = CACHE_POSTINGS, array_scoring: bool = True
    ) -> None:
        if not whoosh_index.exists_in(str(index_dir)):
            raise IndexMissing(str(index_dir))
        self.ix = whoosh_index.open_dir(str(index_dir), readonly=True)
        self.meta = read_meta(index_dir)
        if self.meta.get("schema_version", SEARCH_SCHEMA_VERSION) != SEARCH_SCHEMA_VERSION:
            raise IndexMissing(str(index_dir))  # built by another version: rebuild it
        self.catalog = Catalog.load(index_dir)
        self.vocabulary = load_vocabulary(index_dir)
        self.analyzer = self.ix.schema["text"].analyzer
        self.cache: dict[str, list[tuple[int, str, int, int]]] = {}
        for mode in ("query", "index"):  # load lazy analyzer data now, not in a request
            analyze(self.analyzer, "Wijkaanpak bewonersparticipatie in de krachtwijken", mode)
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            self.generation = reader.generation()
            self.size = searcher.doc_count_all()
            self.all_bits = bits_from(reader.all_doc_ids(), self.size)
            value_bits = {
                name: {
                    term: bits_from(searcher.docs_for_query(wq.Term(name, term)), self.size)
                    for term in reader.field_terms(name)
                }
                for name in FACET_FIELDS
                if name != "year"
            }
            years: dict[str, list[int]] = {}
            for docnum, year in enumerate(_column(reader, "year", 0)):
                if year:  # the column holds 0 for a document without a year
                    years.setdefault(str(year), []).append(docnum)
            keys = [
                _column(reader, name, d)
                for name, d in (("document_id", ""), ("seq", 0), ("date", ""))
            ]
            arrays = IndexArrays(searcher) if array_scoring else None
        # Browsing (no query): passages in document order, or newest document first.
        in_order = sorted(range(self.size), key=lambda d: (keys[0][d], keys[1][d]))
        self.orders = {
            "relevance": in_order,
            "date": sorted(in_order, key=lambda d: keys[2][d], reverse=True),
        }
        self.dates, self.seqs = keys[2], keys[1]
        self.items = ItemCache(self.size, cache_postings, arrays)
        value_bits["year"] = {y: bits_from(d, self.size) for y, d in years.items()}
        self.counter = FacetCounter(value_bits)
        self.known = {name: set(values) for name, values in value_bits.items()}
        self._corrector: Any = None
        self._corrector_loaded = False

    def corrector(self) -> Any:
        """The spelling corrector over this index's vocabulary (``None`` when unavailable)."""
        if not self._corrector_loaded:
            self._corrector_loaded = True
            try:
                from kennisbank.spelling import SpellingCorrector

                self._corrector = SpellingCorrector(self.vocabulary)
            except Exception:  # noqa: BLE001 - no corrector: no "Bedoelde u"
                self._corrector = None
        return self._corrector


def _column(reader: Any, name: str, default: Any) -> list[Any]:
    """Every document's value of column ``name``, by docnum; ``default`` for the documents
    of a segment without that column.

    Read segment by segment: Whoosh's multi-segment column reader leaves such a segment
    out, which would shift every later document's value.
    """
    values: list[Any] = []
    for leaf, _offset in reader.leaf_readers():
        if leaf.has_column(name):
            values.extend(leaf.column_reader(name))
        else:
            values.extend([default] * leaf.doc_count_all())
    return values


def _load_thesaurus() -> Any:
    try:
        from kennisbank.thesaurus import Thesaurus

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
    :mod:`kennisbank.termscore` (the same scores; for tests and measurements).
    Raises :class:`~kennisbank.errors.IndexMissing` when the folder holds no index.
    """

    def __init__(
        self,
        index_dir: Path,
        *,
        thesaurus: Any = None,
        cache_postings: int = CACHE_POSTINGS,
        array_scoring: bool = True,
    ) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stamp = self._read_stamp()
        self._options: dict[str, Any] = {
            "cache_postings": cache_postings,
            "array_scoring": array_scoring,
        }
        self._index = _Index(self._resolved(), **self._options)
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

    def _current(self) -> _Index:
        """The index of the current build: reopened when a new build was swapped in; the
        open one keeps serving while the new one cannot be read (e.g. mid-swap)."""
        stamp = self._read_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._index = _Index(self._resolved(), **self._options)
                        self._stamp = stamp
                    except Exception:  # noqa: BLE001 - retried on the next request
                        log.warning("zoekindex %s nog niet leesbaar", self.index_dir)
        return self._index

    def _searcher(self, idx: _Index) -> Searcher:
        """This thread's searcher for ``idx``, refreshed."""
        held = getattr(self._local, "held", None)
        if held is None or held[0] is not idx:
            searcher = idx.ix.searcher()
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
        sort: str = "relevance",
        limit: int = 10,
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
            text = query[:500] if isinstance(query, str) else ""
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
        if searcher.reader().generation() != idx.generation:  # changed in place: reopen
            with self._lock:
                self._index = _Index(self._resolved(), **self._options)
                self._stamp = self._read_stamp()
            idx, searcher = self._index, self._searcher(self._index)
        notes: list[str] = []
        page = (_clamp(limit, 1, MAX_LIMIT, 10), _clamp(offset, 0, MAX_OFFSET, 0))
        sort_key = _SORTS.get(str(sort).lower())
        if sort_key is None:
            notes.append(f"Onbekende sortering '{sort}'; er is op relevantie gesorteerd.")
            sort_key = "relevance"

        def run(text: str) -> tuple[ParsedQuery, Selection, _Run]:
            parsed = parse_query(text)
            sel = Selection.build(
                idx.catalog,
                idx.known,
                parsed.filters,
                filters,
                years,
                (parsed.year_from, parsed.year_to),
            )
            if sel.extra_words:
                parsed = parsed.with_words(sel.extra_words)
            return (
                parsed,
                sel,
                self._run(idx, searcher, parsed, sel, sort_key, page, facets, snippets),
            )

        parsed, selection, result = run(query)
        typed = parsed
        suggestion = corrected = None
        if idx.corrector() is not None and _wants_correction(idx, parsed, result.total):
            fixed = _correct(idx, parsed)
            if fixed is not None and fixed[1]:
                parsed2, sel2, result2 = run(fixed[0])
                if result2.total > result.total:
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
        )

    def _run(
        self,
        idx: _Index,
        searcher: Searcher,
        parsed: ParsedQuery,
        sel: Selection,
        sort: str,
        page: tuple[int, int],
        facets: bool,
        snippets: bool,
    ) -> _Run:
        """Match (hit bitset from scored items), count facets on bitsets, rank the page.

        Only as many hits are ranked as the page and the coverage rerank need
        (:mod:`kennisbank.matching`); only the page's hits are read and highlighted.
        """
        compiler = QueryCompiler(idx.analyzer, searcher.reader(), self._thesaurus, idx.cache)
        q = compiler.compile(parsed)
        out = _Run(notes=compiler.notes)
        if q is None and parsed.root is not None:
            out.notes.append(
                "De zoekvraag bevat alleen veelvoorkomende woorden; er is niets om op te zoeken."
            )
            return out
        matched = None if q is None else match(searcher, q, idx.items, idx.all_bits)
        base = (idx.all_bits if matched is None else matched.bits) & ~sel.exclusion(idx.counter)
        masks = sel.masks(idx.counter, idx.known["year"])
        if facets:
            result, out.counts = idx.counter.count(base, masks)
        else:
            result = base
            for mask in masks.values():
                result &= mask
        out.total = result.bit_count()
        limit, offset = page
        if offset >= out.total:
            return out
        if matched is None:  # browsing: passages in document order, or newest first
            docs = in_order(idx.orders[sort], result, offset + limit)
            chosen: list[tuple[Any, int]] = [(0.0, d) for d in docs[offset:]]
        elif sort == "date":
            docs = date_page(
                matched, result, idx.orders["date"], (idx.dates, idx.seqs), offset + limit
            )
            chosen = [(0.0, d) for d in docs[offset:]]
        else:
            ranked = top_k(matched, max(RERANK_WINDOW, offset + limit), result)
            if len(compiler.items) > 1:
                coverage = [
                    query_bits(searcher, i, idx.items, idx.all_bits) for i in compiler.items
                ]
                ranked = rerank(ranked, coverage)
            chosen = ranked[offset : offset + limit]
        spans = (
            term_spans(searcher, [d for _, d in chosen], compiler.highlight_terms)
            if snippets
            else {}
        )
        out.hits = [
            self._hit(
                idx,
                searcher.stored_fields(docnum),
                score,
                compiler,
                spans.get(docnum, []) if snippets else None,
            )
            for score, docnum in chosen
        ]
        return out

    def _hit(
        self,
        idx: _Index,
        stored: dict[str, Any],
        score: Any,
        compiler: QueryCompiler,
        spans: list[tuple[int, int]] | None,
    ) -> Hit:
        text = stored.get("text", "")
        snippet = (
            snippet_html(text, spans, compiler.ref_ids)
            if spans is not None
            else html.escape(text[:SNIPPET_CHARS])
        )
        return Hit(
            passage_id=stored.get("passage_id", ""),
            document_id=stored.get("document_id", ""),
            document_title=stored.get("title", ""),
            section_path=list(stored.get("section_path") or []),
            kind=stored.get("kind", ""),
            score=round(float(score), 4) if isinstance(score, (int, float)) else 0.0,
            text=text,
            snippet_html=snippet,
            entities=[idx.catalog.entity(e) for e in stored.get("entities") or []],
            citation=stored.get("citation"),
            identifier=stored.get("identifier") or None,
            year=stored.get("year"),
            cites=[c for c in stored.get("cites", "").split(",") if c],
        )


class _Run:
    """The outcome of one executed query."""

    def __init__(self, notes: list[str]) -> None:
        self.total = 0
        self.hits: list[Hit] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.notes = notes


def _wants_correction(idx: _Index, parsed: ParsedQuery, total: int) -> bool:
    words = parsed.words()
    unknown = any(
        len(w.text) > 2 and w.text.isalpha() and fold_word(w.text) not in idx.vocabulary
        for w in words
    )
    return bool(words) and (unknown or total < FEW_HITS)


def _correct(idx: _Index, parsed: ParsedQuery) -> tuple[str, bool] | None:
    """The query text with corrected words, and whether every correction is confident."""
    original = " ".join(w.text for w in parsed.words())
    try:
        corrected, corrections = idx.corrector().correct_query(original)
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
