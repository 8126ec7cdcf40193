"""The search engine: the one module that queries Whoosh; it returns our own dataclasses.

:class:`SearchEngine` opens a search index folder (built by
:func:`kennisbank.searchindex.build_search_index`), keeps one Whoosh searcher per thread,
refreshes it per request and reopens everything when a new build is swapped in.
:meth:`SearchEngine.search` parses the query (:mod:`kennisbank.query`), compiles it to
Whoosh (BM25F over text and headings, the title only adding score; adjacent words OR-ed,
passages matching more of them ranked higher; thesaurus synonyms at a lower weight;
passages citing a typed Kamerstuk first), matches once, counts facets over the whole
result set on preloaded bitsets (:mod:`kennisbank.facets`), corrects typos
(:mod:`kennisbank.spelling`) and reads and highlights only the page's hits.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet, ScoreFacet

from kennisbank.errors import IndexMissing
from kennisbank.facets import (
    FACET_FIELDS,
    Catalog,
    FacetCounter,
    Hit,
    SearchResult,
    Selection,
    bits_from,
    docnums_of,
    facet_values,
)
from kennisbank.query import And, Group, Node, Not, Or, ParsedQuery, Phrase, Word, parse_query
from kennisbank.refs import KamerstukRef
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

log = logging.getLogger(__name__)

#: Largest page size and offset a request may ask for.
MAX_LIMIT = 100
MAX_OFFSET = 10_000
#: Fewer hits than this make the engine try a spelling correction.
FEW_HITS = 3
#: Weight of thesaurus expansions, of compound parts, and the coordination bonus scale.
SYNONYM_BOOST, MAX_SYNONYMS = 0.5, 10
PART_BOOST = 0.6
GROUP_SCALE = 0.9
#: Hits reranked by the share of query items they match, and the bonus for matching all.
RERANK_WINDOW, COVERAGE_BONUS = 100, 0.25
#: Constant scores that put passages citing a typed Kamerstuk first.
OWN_SCORE, CITES_SCORE, KST_SCORE, DOSSIER_SCORE = 3000.0, 1000.0, 500.0, 5.0
_SORTS = {"relevance": "relevance", "relevantie": "relevance", "date": "date", "datum": "date"}
_INTERNAL_ERROR = "Er ging iets mis bij het zoeken. Probeer een eenvoudiger zoekvraag."


class QueryCompiler:
    """Turns a :class:`ParsedQuery` into a Whoosh query and collects what to highlight."""

    def __init__(
        self,
        analyzer: Any,
        reader: Any,
        thesaurus: Any = None,
        cache: dict[str, list[tuple[int, str, int, int]]] | None = None,
    ) -> None:
        self.analyzer, self.reader, self.thesaurus = analyzer, reader, thesaurus
        self.cache = {} if cache is None else cache
        self.highlight_terms: set[str] = set()
        self.items: list[wq.Query] = []  # the top-level group's items, for the coverage bonus
        self.ref_ids: set[str] = set()
        self.notes: list[str] = []

    def compile(self, parsed: ParsedQuery) -> wq.Query | None:
        """The Whoosh query, or ``None`` when nothing searchable is left."""
        parts = [self._node(parsed.root, True)] if parsed.root is not None else []
        parts += [self._ref(ref) for ref in parsed.refs]
        parts += [
            wq.ConstantScoreQuery(wq.Term("dossier", d), DOSSIER_SCORE)
            for d in parsed.dossiers
            if self.reader.doc_frequency("dossier", d)
        ]
        return _either([p for p in parts if p is not None])

    def _node(self, node: Node, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase):
            return _either(
                [self._phrase(node.text, positive), *self._synonyms(node.text, positive)]
            )
        if isinstance(node, Not):
            inner = self._node(node.child, False)
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        pos = [
            q
            for c in node.children
            if not isinstance(c, Not)
            if (q := self._node(c, positive)) is not None
        ]
        neg = [
            q
            for c in node.children
            if isinstance(c, Not)
            if (q := self._node(c.child, False)) is not None
        ]
        if isinstance(node, Group) and positive:
            if not self.items:
                self.items = list(pos)
            pos += self._multiword_synonyms(node)
        if isinstance(node, And):
            core = wq.And(pos) if len(pos) > 1 else (pos[0] if pos else None)
        elif isinstance(node, Or):
            core = _either(pos)
        else:
            core = self._group(pos)
        if neg:
            return wq.AndNot(core if core is not None else wq.Every(), _either(neg))
        return core

    @staticmethod
    def _group(items: list[wq.Query]) -> wq.Query | None:
        """Any item may match; the more items a passage matches, the higher it ranks
        (Whoosh's coordination bonus, as ``OrGroup.factory(GROUP_SCALE)``).  An explicit
        extra ``And`` of all items ranked no better on the dev queries and doubled the
        matching cost, so there is none."""
        if len(items) < 2:
            return items[0] if items else None
        return wq.Or(items, scale=GROUP_SCALE)

    def _analyze(self, text: str) -> list[tuple[int, str, int, int]]:
        """Query-mode tokens of ``text``, cached per index (the analyzer is not cheap)."""
        found = self.cache.get(text)
        if found is None:
            found = analyze(self.analyzer, text)
            if len(self.cache) < 50_000:
                self.cache[text] = found
        return found

    def _term(self, term: str, title: bool = True) -> wq.Query:
        """A term in the passage text or its headings; the document title only adds score
        (every passage shares it, so it must not make every passage match)."""
        matched = wq.Or([wq.Term("text", term), wq.Term("headings", term)])
        return wq.AndMaybe(matched, wq.Term("title", term)) if title else matched

    def _tokens(
        self, tokens: list[tuple[int, str, int, int]], positive: bool, title: bool = True
    ) -> wq.Query | None:
        """One query for the tokens of one word: positions AND-ed; at one position the
        first token is the word, later ones (compound parts) an alternative."""
        by_pos: dict[int, list[str]] = {}
        for pos, term, _, _ in tokens:
            by_pos.setdefault(pos, []).append(term)
        per_pos = []
        for terms in by_pos.values():
            query = self._term(terms[0], title)
            if len(terms) > 1:
                parts = [self._term(t, title) for t in dict.fromkeys(terms[1:])]
                alt = parts[0] if len(parts) == 1 else wq.And(parts)
                query = wq.Or([query, alt.with_boost(PART_BOOST)])
            per_pos.append(query)
            if positive:
                self.highlight_terms.update(terms)
        if not per_pos:
            return None
        return per_pos[0] if len(per_pos) == 1 else wq.And(per_pos)

    def _word(self, word: Word, positive: bool) -> wq.Query | None:
        if word.prefix:
            prefix = fold_word(word.text)
            if positive:
                expanded = self.reader.expand_prefix("text", prefix)
                self.highlight_terms.update(t for _, t in zip(range(64), expanded, strict=False))
            return wq.Or([wq.Prefix(f, prefix) for f in ("text", "headings")])
        query = self._tokens(self._analyze(word.text), positive)
        return _either([q for q in [query, *self._synonyms(word.text, positive)] if q])

    def _phrase(self, text: str, positive: bool) -> wq.Query | None:
        firsts: dict[int, str] = {}
        for pos, term, _, _ in self._analyze(text):
            firsts.setdefault(pos, term)
        words = list(firsts.values())
        if positive:
            self.highlight_terms.update(words)
        if len(words) < 2:
            return self._term(words[0]) if words else None
        return wq.Or([wq.Phrase(f, words, slop=1) for f in ("text", "headings")])

    def _synonyms(
        self, text: str, positive: bool, expansions: Iterable[Any] | None = None
    ) -> list[wq.Query]:
        """Thesaurus expansions of ``text`` (distinct after analysis), each boosted by
        :data:`SYNONYM_BOOST` × the thesaurus weight."""
        if self.thesaurus is None:
            return []
        try:
            items = list(self.thesaurus.expand(text) if expansions is None else expansions)
        except Exception:  # noqa: BLE001 - a thesaurus problem only loses synonyms
            return []
        seen = {tuple(t[1] for t in self._analyze(text))}
        found = []
        for item in items:
            term, weight = item if isinstance(item, tuple) else (item, 1.0)
            tokens = self._analyze(term) if isinstance(term, str) else []
            key = tuple(t[1] for t in tokens)
            if not key or key in seen or len(found) >= MAX_SYNONYMS:
                continue
            seen.add(key)
            if len({t[0] for t in tokens}) > 1:
                query = self._phrase(term, positive)
            else:
                query = self._tokens(tokens, positive, title=False)
            if query is not None:
                found.append(query.with_boost(SYNONYM_BOOST * max(0.0, min(1.0, float(weight)))))
        return found

    def _multiword_synonyms(self, group: Group) -> list[wq.Query]:
        """Expansions of thesaurus terms of several words typed without quotes."""
        words = [c.text for c in group.children if isinstance(c, Word) and not c.prefix]
        if self.thesaurus is None or len(words) < 2 or not hasattr(self.thesaurus, "find"):
            return []
        try:
            matches = [m for m in self.thesaurus.find(" ".join(words)) if m.end - m.start > 1]
        except Exception:  # noqa: BLE001 - a thesaurus problem only loses synonyms
            return []
        return [q for m in matches for q in self._synonyms(m.text, True, m.expansions)]

    def _ref(self, ref: KamerstukRef) -> wq.Query:
        ident = ref.identifier
        self.ref_ids.add(ident)
        if self.reader.doc_frequency("kst", ident):
            self.notes.append(
                f"Gezocht naar {ref.citation} ({ident}); passages die dit "
                "Kamerstuk aanhalen staan bovenaan."
            )
            return wq.Or(
                [
                    wq.ConstantScoreQuery(wq.Term(name, ident), score)
                    for name, score in (
                        ("identifier", OWN_SCORE),
                        ("cites", CITES_SCORE),
                        ("kst", KST_SCORE),
                    )
                ]
            )
        self.notes.append(
            f"{ref.citation} ({ident}) wordt in de kennisbank niet aangehaald; "
            f"gezocht naar andere stukken uit dossier {ref.dossier}."
        )
        return wq.ConstantScoreQuery(wq.Term("dossier", ref.dossier), DOSSIER_SCORE)


def _either(queries: list[wq.Query | None]) -> wq.Query | None:
    kept = [q for q in queries if q is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)


class _Index:
    """One opened index build with catalog, vocabulary and facet bitsets (read-only)."""

    def __init__(self, index_dir: Path) -> None:
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
            for docnum, year in enumerate(reader.column_reader("year")):
                if year:  # the column holds 0 for a document without a year
                    years.setdefault(str(year), []).append(docnum)
            keys = [list(reader.column_reader(name)) for name in ("document_id", "seq", "date")]
        # Browsing (no query): passages in document order, or newest document first.
        in_order = sorted(range(self.size), key=lambda d: (keys[0][d], keys[1][d]))
        self.orders = {
            "relevance": in_order,
            "date": sorted(in_order, key=lambda d: keys[2][d], reverse=True),
        }
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
    Raises :class:`~kennisbank.errors.IndexMissing` when the folder holds no index.
    """

    def __init__(self, index_dir: Path, *, thesaurus: Any = None) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stamp = self._read_stamp()
        self._index = _Index(self._resolved())
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
                        self._index, self._stamp = _Index(self._resolved()), stamp
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
                self._index, self._stamp = _Index(self._resolved()), self._read_stamp()
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
        """Match once (all matching passages, ranked), count facets on bitsets, cut the page.

        Matching and scoring every passage in one pass costs less than a separate
        counting pass plus a top-N pass; only the page's hits are read and highlighted.
        """
        compiler = QueryCompiler(idx.analyzer, searcher.reader(), self._thesaurus, idx.cache)
        q = compiler.compile(parsed)
        out = _Run(notes=compiler.notes)
        if q is None and parsed.root is not None:
            out.notes.append(
                "De zoekvraag bevat alleen veelvoorkomende woorden; er is niets om op te zoeken."
            )
            return out
        sortedby = None
        if sort == "date":
            sortedby = [FieldFacet("date", reverse=True), ScoreFacet(), FieldFacet("seq")]
        ranked: list[tuple[Any, int]] = []
        if q is None:
            base = idx.all_bits
        else:
            ranked = searcher.search(q, limit=None, sortedby=sortedby).top_n
            base = bits_from((docnum for _, docnum in ranked), idx.size)
        matched = base = base & ~sel.exclusion(idx.counter)
        masks = sel.masks(idx.counter, idx.known["year"])
        if facets:
            matched, out.counts = idx.counter.count(base, masks)
        else:
            for mask in masks.values():
                matched &= mask
        out.total = matched.bit_count()
        limit, offset = page
        if offset >= out.total:
            return out
        if q is None:  # browsing: passages in document order, or newest first
            ranked = [(0.0, docnum) for docnum in idx.orders[sort]]
        if q is None or masks or sel.excluded:
            allowed = set(docnums_of(matched))
            ranked = [item for item in ranked if item[1] in allowed]
        if sort == "relevance" and len(compiler.items) > 1:
            ranked = _rerank(searcher, ranked, compiler.items)
        chosen = ranked[offset : offset + limit]
        spans = (
            _term_spans(searcher, [d for _, d in chosen], compiler.highlight_terms)
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


def _term_spans(
    searcher: Searcher, docnums: list[int], terms: Iterable[str]
) -> dict[int, list[tuple[int, int]]]:
    """Character spans of ``terms`` in the text of each of ``docnums``, from the postings
    (the index stores characters), so a page is highlighted without re-analysing it."""
    found: dict[int, list[tuple[int, int]]] = {}
    wanted = sorted(set(docnums))
    for term in terms:
        try:
            matcher = searcher.postings("text", term)
        except Exception:  # noqa: BLE001 - a term that is not in the index has no spans
            continue
        for docnum in wanted:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                spans = matcher.value_as("characters")
                found.setdefault(docnum, []).extend((s, e) for _, s, e in spans)
    return found


def _rerank(
    searcher: Searcher, ranked: list[tuple[Any, int]], items: list[wq.Query]
) -> list[tuple[Any, int]]:
    """Raise the top :data:`RERANK_WINDOW` hits by the share of the query's items (words,
    phrases) each matches: all words are preferred, none is required.  (Whoosh's own
    coordination bonus hardly counts once every word is searched in several fields.)"""
    head = ranked[:RERANK_WINDOW]
    wanted = sorted(docnum for _, docnum in head)
    covered: Counter[int] = Counter()
    for item in items:
        for leaf, offset in searcher.leaf_searchers():
            size = leaf.doc_count_all()
            local = [d - offset for d in wanted if offset <= d < offset + size]
            matcher = item.matcher(leaf) if local else None
            for docnum in local:
                if matcher is None or not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    covered[docnum + offset] += 1
    factor = {d: 1 + COVERAGE_BONUS * max(0, covered[d] - 1) / (len(items) - 1) for d in wanted}
    head = [(score * factor[d], d) for score, d in head]
    head.sort(key=lambda item: (-item[0], item[1]))
    return head + ranked[RERANK_WINDOW:]


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
