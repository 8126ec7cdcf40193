"""In-process query latency: Whoosh next to the FTS5 baseline, query by query."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.queries import BenchQuery
from benchmarks.results import PERCENTILES, FacetCost, LatencySet
from benchmarks.stats import Spread, latency_percentiles, percentile, ratios

#: Notes of a search that failed inside the engine start with this.
_INTERNAL_ERROR_PREFIX = "Er ging iets mis bij het zoeken"


def measure_latency(
    engine: Any,
    baseline: Any,
    queries: Sequence[BenchQuery],
    runs: int,
    name: str,
    *,
    warmup: bool = True,
) -> LatencySet:
    """Time every query on both engines, alternating which goes first, ``runs`` times.

    Each Whoosh query runs *cold*: the engine's cache of scored query items is cleared
    (untimed) before it, so neither the warm-up pass nor an earlier run of the same query
    makes it faster.  What stays is what depends on the index alone: the postings of the
    most frequent terms preloaded when the engine opened, and the operating system's file
    cache (both engines alike).
    """
    clear = getattr(engine, "clear_cache", None)
    if warmup:
        for q in queries:
            engine.search(q.text, filters=q.filters)
            baseline.search_with_snippets(q.text, k=10)
    per_run: dict[str, list[dict[str, float]]] = {"whoosh": [], "fts5": []}
    per_query: dict[str, list[list[float]]] = {"whoosh": [], "fts5": []}
    totals: list[int] = []
    errors = 0
    for run in range(runs):
        times: dict[str, list[float]] = {"whoosh": [], "fts5": []}
        for i, q in enumerate(queries):
            for side in ("whoosh", "fts5") if i % 2 == 0 else ("fts5", "whoosh"):
                if side == "whoosh" and clear is not None:
                    clear()
                started = time.perf_counter()
                if side == "whoosh":
                    result = engine.search(
                        q.text, filters=q.filters, facets=True, snippets=True, limit=10
                    )
                else:
                    baseline.search_with_snippets(q.text, k=10)
                times[side].append(time.perf_counter() - started)
                if side == "whoosh" and run == 0:
                    totals.append(result.total)
                    errors += any(n.startswith(_INTERNAL_ERROR_PREFIX) for n in result.notes)
        for side, values in times.items():
            per_run[side].append(latency_percentiles(values))
            per_query[side].append(values)
    whoosh = {p: Spread.of([r[p] for r in per_run["whoosh"]]) for p in PERCENTILES}
    fts5 = {p: Spread.of([r[p] for r in per_run["fts5"]]) for p in PERCENTILES}
    ratio = {
        p: ratios([r[p] for r in per_run["whoosh"]], [r[p] for r in per_run["fts5"]])
        for p in PERCENTILES
    }
    kinds: dict[str, int] = {}
    for q in queries:
        kinds[q.kind] = kinds.get(q.kind, 0) + 1
    return LatencySet(
        name=name,
        queries=len(queries),
        runs=runs,
        whoosh=whoosh,
        fts5=fts5,
        ratio=ratio,
        mean_total_hits=sum(totals) / len(totals) if totals else 0.0,
        zero_hit_queries=sum(1 for t in totals if t == 0),
        errors=errors,
        kinds=kinds,
        groups=latency_groups(queries, totals, per_query),
    )


#: Upper bounds of the hit-count groups of :func:`latency_groups`.
HIT_BUCKETS: tuple[tuple[int, str], ...] = (
    (100, "< 100 hits"),
    (1_000, "100–999 hits"),
    (10_000, "1,000–9,999 hits"),
    (10**12, "≥ 10,000 hits"),
)


def latency_groups(
    queries: Sequence[BenchQuery], totals: Sequence[int], per_query: dict[str, list[list[float]]]
) -> dict[str, dict[str, float]]:
    """Per query kind and per Whoosh hit-count group: ``n`` and p50/p95 (ms) of each
    query's median time over the runs, for Whoosh and FTS5."""
    medians = {
        side: [statistics.median(times) for times in zip(*runs, strict=True)]
        for side, runs in per_query.items()
        if runs
    }
    members: dict[str, list[int]] = {}
    for i, q in enumerate(queries):
        members.setdefault(f"kind: {q.kind}", []).append(i)
        hits = totals[i] if i < len(totals) else 0
        label = next(label for bound, label in HIT_BUCKETS if hits < bound)
        members.setdefault(f"hits: {label}", []).append(i)
    groups: dict[str, dict[str, float]] = {}
    for key in sorted(members, key=lambda k: (not k.startswith("kind"), _bucket_order(k), k)):
        idx = members[key]
        row: dict[str, float] = {"n": len(idx)}
        for side, values in medians.items():
            chosen = [values[i] * 1000 for i in idx]
            row[f"{side}_p50"] = percentile(chosen, 50)
            row[f"{side}_p95"] = percentile(chosen, 95)
        groups[key] = row
    return groups


def _bucket_order(key: str) -> int:
    labels = [label for _, label in HIT_BUCKETS]
    name = key.removeprefix("hits: ")
    return labels.index(name) if name in labels else 0


def facet_cost(engine: Any, queries: Sequence[BenchQuery], runs: int) -> FacetCost:
    """What facet counting costs: every query with ``facets=True`` and ``facets=False``
    (snippets on, 10 hits), alternating which goes first, ``runs`` times (the engine is
    warm: :func:`measure_latency` ran before).  Ratios are taken per run."""
    per_run: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    extra: list[float] = []
    for _ in range(max(1, runs)):
        times: dict[bool, list[float]] = {True: [], False: []}
        for i, q in enumerate(queries):
            for facets in (True, False) if i % 2 == 0 else (False, True):
                started = time.perf_counter()
                engine.search(q.text, filters=q.filters, facets=facets, snippets=True, limit=10)
                times[facets].append(time.perf_counter() - started)
        for facets, values in times.items():
            per_run[facets].append(latency_percentiles(values))
        extra.append(per_run[True][-1]["mean"] - per_run[False][-1]["mean"])
    on, off = per_run[True], per_run[False]
    return FacetCost(
        queries=len(queries),
        runs=len(on),
        with_facets={p: Spread.of([r[p] for r in on]) for p in ("p50", "p95")},
        without_facets={p: Spread.of([r[p] for r in off]) for p in ("p50", "p95")},
        ratio={p: ratios([r[p] for r in on], [r[p] for r in off]) for p in ("p50", "p95")},
        mean_extra_ms=Spread.of(extra),
    )
