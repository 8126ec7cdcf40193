"""Where the search time goes: latency with parts switched off, and a brief cProfile.

* :func:`variant_latency` times the same queries with facets and snippets on, facets off,
  snippets off and both off (interleaved per query), so the cost of facet counting and of
  snippets shows without profiler overhead;
* :func:`profile_search` runs the queries under :mod:`cProfile` and reports the time per
  query inside named stages of :class:`~kennisbank.search.SearchEngine` (cumulative, so a
  stage includes what it calls; profiler overhead inflates Python-heavy stages) and the
  functions with the most own time;
* :func:`matching_alternatives` times, for the same compiled Whoosh queries, Whoosh
  scoring every hit (``limit=None``) against the engine's own item scoring + top-k, both
  from a cold cache — read-only use of the engine's internals;
* :func:`profile_build` profiles one single-process
  :func:`~kennisbank.search.indexing.build_search_index` (run it in a worker process).
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.queries import BenchQuery
from benchmarks.stats import latency_percentiles
from kennisbank.search.indexing import build_search_index
from kennisbank.search.query import parse_query
from kennisbank.search.whoosh_backend.compiler import QueryCompiler
from kennisbank.search.whoosh_backend.matching import RERANK_WINDOW, match, top_k
from kennisbank.store import Store

#: ``(label, file suffix, function name)`` of the stages reported by :func:`profile_search`.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("whole search (SearchEngine.search)", "kennisbank/search/engine.py", "search"),
    ("query parse (parse_query)", "kennisbank/search/query.py", "parse_query"),
    (
        "query compile (QueryCompiler.compile)",
        "kennisbank/search/whoosh_backend/compiler.py",
        "compile",
    ),
    (
        "match: items scored + hit set (match)",
        "kennisbank/search/whoosh_backend/matching.py",
        "match",
    ),
    (
        "item scoring, numpy BM25F (TermScorer.score)",
        "kennisbank/search/whoosh_backend/termscore.py",
        "score",
    ),
    ("item scoring, Whoosh (Searcher.search)", "whoosh/searching.py", "search"),
    ("top k (top_k)", "kennisbank/search/whoosh_backend/matching.py", "top_k"),
    ("facet counting (FacetCounter.count)", "kennisbank/search/facets.py", "count"),
    ("facet labels + sort (facet_values)", "kennisbank/search/facets.py", "facet_values"),
    ("coverage bitsets (query_bits)", "kennisbank/search/whoosh_backend/matching.py", "query_bits"),
    ("coverage rerank (rerank)", "kennisbank/search/whoosh_backend/matching.py", "rerank"),
    (
        "highlight spans from postings (term_hits)",
        "kennisbank/search/whoosh_backend/highlight.py",
        "term_hits",
    ),
    ("hits: stored fields + snippet (_hit)", "kennisbank/search/whoosh_backend/reader.py", "_hit"),
    ("snippet HTML (snippet_html)", "kennisbank/search/snippets.py", "snippet_html"),
    ("stored fields (whoosh stored_fields)", "whoosh/searching.py", "stored_fields"),
    ("spelling correction (_correct)", "kennisbank/search/engine.py", "_correct"),
    ("searcher refresh (_searcher)", "kennisbank/search/engine.py", "_searcher"),
)


VARIANTS: tuple[tuple[str, bool, bool], ...] = (
    ("facets+snippets", True, True),
    ("no facets", False, True),
    ("no snippets", True, False),
    ("neither", False, False),
)


def variant_latency(engine: Any, queries: Sequence[BenchQuery]) -> dict[str, dict[str, float]]:
    """p50/p95/p99/mean (ms) per variant of :data:`VARIANTS` over one pass of ``queries``."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in VARIANTS}
    for i, q in enumerate(queries):
        order = VARIANTS if i % 2 == 0 else tuple(reversed(VARIANTS))
        for name, facets, snippets in order:
            started = time.perf_counter()
            engine.search(q.text, filters=q.filters, facets=facets, snippets=snippets)
            times[name].append(time.perf_counter() - started)
    return {name: latency_percentiles(values) for name, values in times.items()}


def profile_search(engine: Any, queries: Sequence[BenchQuery], top: int = 12) -> dict[str, Any]:
    """cProfile one pass of ``queries`` (facets and snippets on).

    Returns ``stages`` (label → ms per query, cumulative), ``top`` (the ``top`` functions
    by own time: ``function``, ``own_ms``, ``cum_ms`` per query, ``calls`` per query) and
    ``queries``.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for q in queries:
        engine.search(q.text, filters=q.filters)
    profiler.disable()
    table: dict[tuple[str, int, str], Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    scale = 1000.0 / max(1, len(queries))
    return {
        "queries": len(queries),
        "stages": _stage_times(table, STAGES, scale),
        "top": _top(table, top, scale),
    }


def _stage_times(
    table: dict[tuple[str, int, str], Any], stages: Sequence[tuple[str, str, str]], scale: float
) -> dict[str, float]:
    """Cumulative time × ``scale`` per stage; for a function name that occurs nested in one
    file (an analyzer chain of ``__call__``), the outermost (largest) entry counts."""
    found: dict[str, float] = {}
    for label, suffix, name in stages:
        cums = [
            v[3]
            for (file, _, func), v in table.items()
            if func == name and file.replace("\\", "/").endswith(suffix)
        ]
        if cums:
            found[label] = round((max(cums) if name == "__call__" else sum(cums)) * scale, 3)
    return found


def _top(table: dict[tuple[str, int, str], Any], top: int, scale: float) -> list[dict[str, Any]]:
    ranked = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return [
        {
            "function": _where(key),
            "own_ms": round(v[2] * scale, 3),
            "cum_ms": round(v[3] * scale, 3),
            "calls": round(v[1] * scale / 1000, 1),
        }
        for key, v in ranked
    ]


def matching_alternatives(
    engine: Any, queries: Sequence[BenchQuery]
) -> dict[str, dict[str, float]]:
    """p50/p95/mean (ms) of matching strategies for the engine's own compiled queries
    (typed filters and UI filters left out), each from a cold item cache: ``Whoosh, score
    every hit`` is ``searcher.search(q, limit=None)`` (what the engine did before it scored
    items itself); ``engine: match + top-k`` is
    :func:`kennisbank.search.whoosh_backend.matching.match` plus
    :func:`~kennisbank.search.whoosh_backend.matching.top_k` for ``RERANK_WINDOW`` hits
    (numpy BM25F for word items, hit bitset for the facets).  ``{}`` when the engine's
    internals have changed."""
    try:
        idx = engine._current()
        searcher = engine._searcher(idx)
        labels = ("Whoosh, score every hit (limit=None)", "engine: match + top-k (cold cache)")
        times: dict[str, list[float]] = {label: [] for label in labels}
        for q in queries:
            compiler = QueryCompiler(idx.analyzer, searcher.reader(), engine._thesaurus, idx.cache)
            compiled = compiler.compile(parse_query(q.text))
            if compiled is None:
                continue
            started = time.perf_counter()
            searcher.search(compiled, limit=None)
            times[labels[0]].append(time.perf_counter() - started)
            idx.items.clear()
            started = time.perf_counter()
            found = match(searcher, compiled, idx.items, idx.all_bits)
            top_k(found, RERANK_WINDOW, found.bits)
            times[labels[1]].append(time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - an informative extra must not stop the benchmark
        return {}
    return {name: latency_percentiles(values) for name, values in times.items() if values}


#: ``(label, file suffix, function name)`` of the stages reported by :func:`profile_build`.
BUILD_STAGES: tuple[tuple[str, str, str], ...] = (
    (
        "whole build (build_search_index)",
        "kennisbank/search/whoosh_backend/build.py",
        "build_search_index",
    ),
    ("read store: passages", "kennisbank/store.py", "all_passages"),
    ("read store: documents", "kennisbank/store.py", "documents"),
    ("registry + graph entities (_entities)", "kennisbank/search/records.py", "_entities"),
    (
        "analyzer warm-up: lexicons (analyze)",
        "kennisbank/search/whoosh_backend/analysis.py",
        "analyze",
    ),
    ("field records (_record)", "kennisbank/search/records.py", "_record"),
    ("vocabulary words (surface_words)", "kennisbank/search/vocabulary.py", "surface_words"),
    ("writer.add_document (analysis + buffering)", "whoosh/writing.py", "add_document"),
    (
        "Dutch analyzer chain (outermost filter)",
        "kennisbank/search/whoosh_backend/analysis.py",
        "__call__",
    ),
    ("variants (variants)", "kennisbank/search/language.py", "variants"),
    ("decompounding (Decompounder.split)", "kennisbank/search/decompound.py", "split"),
    ("lemma + stem (stem)", "kennisbank/search/language.py", "stem"),
    ("commit (flush segment, merge)", "whoosh/writing.py", "commit"),
    ("commit: write postings (add_postings)", "whoosh/codec/base.py", "add_postings"),
    ("field length lookups while writing (doc_field_length)", "whoosh3.py", "doc_field_length"),
    ("os.stat calls (file_exists)", "whoosh/filedb/filestore.py", "file_exists"),
    ("catalog (_catalog)", "kennisbank/search/records.py", "catalog"),
)


def profile_build(store_path: Any, target: Any, top: int = 15) -> dict[str, Any]:
    """cProfile one ``build_search_index`` of the store at ``store_path`` into ``target``
    with a single writer process (so all work is in the profile).

    Returns ``seconds`` (wall, under the profiler), ``passages``, ``stages`` (label →
    seconds, cumulative) and ``top`` (functions by own time: ``own_ms``/``cum_ms`` in
    milliseconds for the whole build, ``calls`` in total).
    """
    profiler = cProfile.Profile()
    with Store(store_path) as store:
        started = time.perf_counter()
        profiler.enable()
        counts = build_search_index(store, target, writer_options={"procs": 1, "limitmb": 128})
        profiler.disable()
        seconds = time.perf_counter() - started
    table: dict[tuple[str, int, str], Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return {
        "seconds": round(seconds, 2),
        "passages": counts["passages"],
        "stages": _stage_times(table, BUILD_STAGES, 1.0),
        "top": _top(table, top, 1000.0),
    }


def _where(key: tuple[str, int, str]) -> str:
    file, line, func = key
    if file == "~":
        return func
    parts = file.replace("\\", "/").split("/")
    short = "/".join(parts[-2:]) if len(parts) > 1 else file
    return f"{func} ({short}:{line})"
