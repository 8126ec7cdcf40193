"""Reading a Whoosh index: the one module that opens indexes and runs searchers.

:class:`OpenIndex` opens one index build (a folder written by :mod:`.build` or
:mod:`.update`), preloads what every query needs (facet bitsets, browse orders, the
scored-item cache of :mod:`.matching`, the BM25 arrays of :mod:`.termscore`) and runs a
parsed query (:meth:`OpenIndex.run`): compile (:mod:`.compiler`), match, count facets on
bitsets, rank the page, read and highlight only the page's hits.  It returns our own
:class:`~kennisbank.search.results.Hit` objects, never Whoosh objects.

Segment files are read through the memory map without a copy (:class:`ViewFile`,
installed into Whoosh by :func:`install_view_files` when an index is opened).  Nothing
here imports the writing side (build, update, writer, codec).
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.searching import Searcher

from kennisbank.errors import IndexMissing
from kennisbank.search.facets import Catalog, FacetCounter, Selection, bits_from
from kennisbank.search.fields import FACET_FIELDS
from kennisbank.search.meta import SEARCH_SCHEMA_VERSION, read_meta
from kennisbank.search.prior import (
    apply_prior,
    document_priors,
    domain_bits,
    fragment_factors,
)
from kennisbank.search.query import ParsedQuery, parse_query
from kennisbank.search.results import Hit
from kennisbank.search.snippets import SNIPPET_CHARS, answer_sentence, snippet_html
from kennisbank.search.spelling import SpellingCorrector
from kennisbank.search.vocabulary import load_vocabulary
from kennisbank.search.whoosh_backend.compiler import QueryCompiler
from kennisbank.search.whoosh_backend.evidence import AnswerEvidence
from kennisbank.search.whoosh_backend.highlight import term_hits, term_weights
from kennisbank.search.whoosh_backend.matching import (
    CACHE_POSTINGS,
    RERANK_WINDOW,
    ItemCache,
    coverage_counts,
    date_page,
    in_order,
    match,
    query_bits,
    rerank,
    top_k,
)
from kennisbank.search.whoosh_backend.schema import analyze
from kennisbank.search.whoosh_backend.termscore import IndexArrays, field_lengths

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


def install_view_files() -> None:
    """Make Whoosh open the parts of a memory-mapped compound file as :class:`ViewFile`
    (idempotent; called whenever an index is opened for searching)."""
    compound.BufferFile = ViewFile


class OpenIndex:
    """One opened index build with catalog, vocabulary, facet bitsets and the cache of
    scored query items (:class:`~.matching.ItemCache`).

    Opening installs :class:`ViewFile` (:func:`install_view_files`).  Raises
    :class:`~kennisbank.errors.IndexMissing` when ``index_dir`` holds no index, or one
    of another :data:`~kennisbank.search.meta.SEARCH_SCHEMA_VERSION`.
    """

    def __init__(
        self,
        index_dir: Path,
        cache_postings: int = CACHE_POSTINGS,
        array_scoring: bool = True,
        rerank_window: int = RERANK_WINDOW,
    ) -> None:
        install_view_files()
        #: How many top hits the coverage rerank and the priors reorder.
        self.rerank_window = max(1, int(rerank_window))
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
            lengths = arrays["text"] if arrays is not None else field_lengths(searcher, "text")
        # Browsing (no query): passages in document order, or newest document first.
        in_order = sorted(range(self.size), key=lambda d: (keys[0][d], keys[1][d]))
        self.orders = {
            "relevance": in_order,
            "date": sorted(in_order, key=lambda d: keys[2][d], reverse=True),
        }
        self.dates, self.seqs = keys[2], keys[1]
        self.priors = document_priors(keys[0], domain_bits(value_bits)) * fragment_factors(lengths)
        self.items = ItemCache(self.size, cache_postings, arrays)
        self.evidence = AnswerEvidence()
        value_bits["year"] = {y: bits_from(d, self.size) for y, d in years.items()}
        self.counter = FacetCounter(value_bits)
        self.known = {name: set(values) for name, values in value_bits.items()}
        self._corrector: Any = None
        self._corrector_loaded = False

    def prepare(
        self,
        text: str,
        filters: Any = None,
        years: tuple[Any, Any] = (None, None),
    ) -> tuple[ParsedQuery, Selection]:
        """The parsed query and the facet selection of a search, as every search (and its
        explanation) prepares them: field filters typed in the query joined with the
        ``filters`` and ``years`` given, unknown filter values searched as words."""
        parsed = parse_query(text)
        sel = Selection.build(
            self.catalog,
            self.known,
            parsed.filters,
            filters,
            years,
            (parsed.year_from, parsed.year_to),
        )
        if sel.extra_words:
            parsed = parsed.with_words(sel.extra_words)
        return parsed, sel

    def corrector(self) -> Any:
        """The spelling corrector over this index's vocabulary (``None`` when unavailable)."""
        if not self._corrector_loaded:
            self._corrector_loaded = True
            try:
                self._corrector = SpellingCorrector(self.vocabulary)
            except Exception:  # noqa: BLE001 - no corrector: no "Bedoelde u"
                self._corrector = None
        return self._corrector

    def searcher(self) -> Searcher:
        """A new Whoosh searcher of this build (the caller closes or refreshes it)."""
        return self.ix.searcher()

    def changed(self, searcher: Searcher) -> bool:
        """True when ``searcher`` sees another generation than this build was opened at
        (the folder was changed in place)."""
        return bool(searcher.reader().generation() != self.generation)

    def run(
        self,
        searcher: Searcher,
        parsed: ParsedQuery,
        sel: Selection,
        sort: str,
        page: tuple[int, int],
        *,
        facets: bool = True,
        snippets: bool = True,
        thesaurus: Any = None,
    ) -> Run:
        """Match (hit bitset from scored items), count facets on bitsets, rank the page.

        Only as many hits are ranked as the page and the coverage rerank need
        (:mod:`.matching`); only the page's hits are read and highlighted.  ``facets``:
        count facets; ``snippets``: highlight; ``thesaurus``: for synonyms (or ``None``).
        """
        compiler = QueryCompiler(self.analyzer, searcher.reader(), thesaurus, self.cache)
        q = compiler.compile(parsed)
        out = Run(notes=compiler.notes)
        if q is None and parsed.root is not None:
            out.notes.append(
                "De zoekvraag bevat alleen veelvoorkomende woorden; er is niets om op te zoeken."
            )
            return out
        matched = None if q is None else match(searcher, q, self.items, self.all_bits)
        base = (self.all_bits if matched is None else matched.bits) & ~sel.exclusion(self.counter)
        masks = sel.masks(self.counter, self.known["year"])
        if facets:
            result, out.counts = self.counter.count(base, masks)
        else:
            result = base
            for mask in masks.values():
                result &= mask
        out.total = result.bit_count()
        limit, offset = page
        if offset >= out.total:
            return out
        if matched is None:  # browsing: passages in document order, or newest first
            docs = in_order(self.orders[sort], result, offset + limit)
            chosen: list[tuple[Any, int]] = [(0.0, d) for d in docs[offset:]]
        elif sort == "date":
            docs = date_page(
                matched, result, self.orders["date"], (self.dates, self.seqs), offset + limit
            )
            chosen = [(0.0, d) for d in docs[offset:]]
        else:
            ranked = top_k(matched, max(self.rerank_window, offset + limit), result)
            answers = (
                self.evidence.holds(searcher, parsed.answer_type) if parsed.answer_type else None
            )
            coverage = []
            if len(compiler.items) > 1 or answers is not None:
                coverage = [
                    query_bits(searcher, i, self.items, self.all_bits) for i in compiler.items
                ]
                ranked = rerank(
                    ranked, coverage, answers, self.rerank_window, compiler.item_weights
                )
            if not (parsed.refs or parsed.dossiers):  # citations rank by constant scores
                ranked = apply_prior(ranked, self.priors, self.rerank_window)
            if len(coverage) > 1 and ranked:
                best = int(coverage_counts(coverage, [d for _, d in ranked[:10]]).max())
                out.coverage = (best, len(coverage))
            chosen = ranked[offset : offset + limit]
            out.ranked = chosen
        hits = (
            term_hits(searcher, [d for _, d in chosen], compiler.highlight_terms)
            if snippets
            else {}
        )
        weights = term_weights(searcher, compiler.highlight_terms) if snippets else {}
        out.hits = [
            _hit(
                self.catalog,
                searcher.stored_fields(docnum),
                score,
                compiler,
                hits.get(docnum, []) if snippets else None,
                weights,
            )
            for score, docnum in chosen
        ]
        return out


def _hit(
    catalog: Catalog,
    stored: dict[str, Any],
    score: Any,
    compiler: QueryCompiler,
    hits: list[tuple[int, int, str]] | None,
    weights: dict[str, float],
) -> Hit:
    text = stored.get("text", "")
    snippet = (
        snippet_html(text, [(s, e) for s, e, _ in hits], compiler.ref_ids)
        if hits is not None
        else html.escape(text[:SNIPPET_CHARS])
    )
    answer = answer_sentence(text, hits, weights) if hits else None
    return Hit(
        passage_id=stored.get("passage_id", ""),
        document_id=stored.get("document_id", ""),
        document_title=stored.get("title", ""),
        section_path=list(stored.get("section_path") or []),
        kind=stored.get("kind", ""),
        score=round(float(score), 4) if isinstance(score, (int, float)) else 0.0,
        text=text,
        snippet_html=snippet,
        entities=[catalog.entity(e) for e in stored.get("entities") or []],
        citation=stored.get("citation"),
        identifier=stored.get("identifier") or None,
        year=stored.get("year"),
        cites=[c for c in stored.get("cites", "").split(",") if c],
        answer=answer,
    )


class Run:
    """The outcome of one executed query: total, the page's hits, facet counts, notes."""

    def __init__(self, notes: list[str]) -> None:
        self.total = 0
        self.hits: list[Hit] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.notes = notes
        #: The relevance page's ``(score, docnum)``, unrounded (what ``explain`` splits up).
        self.ranked: list[tuple[float, int]] = []
        #: Of the query's items (words, phrases), how many the best-covering of the top
        #: 10 hits matches, and how many there are (``None`` for one-item queries).
        self.coverage: tuple[int, int] | None = None


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


def doc_count(folder: Path) -> int:
    """Documents in the Whoosh index in ``folder``; raises on a missing or broken index."""
    ix = whoosh_index.open_dir(str(folder), readonly=True)
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


__all__ = ["OpenIndex", "Run", "ViewFile", "doc_count", "install_view_files"]
