"""The search benchmark: build time, index size, peak RSS and query latency, Whoosh
next to the FTS5 baseline, on the bundled corpus and on scale corpora of real Dutch text.

Usage::

    python -m benchmarks.search_bench [--scale 0,10000,100000] [--runs 3] [--queries 300]
        [--shared ../shared/data] [--profile 100] [--out -] [--json FILE]

``--scale`` lists corpus sizes in passages; ``0`` is the bundled corpus (``corpus/``,
indexed with the full pipeline :func:`~indexer.pipeline.run_index`); other sizes are
scale corpora from ``--shared`` (:mod:`benchmarks.scale`), indexed with
:func:`~kennisbank.searchindex.build_search_index`.  Every build runs ``--runs`` times in a
fresh subprocess (:mod:`benchmarks.build`).  Latency is measured in this process with
``time.perf_counter`` around :meth:`SearchEngine.search` (facets and snippets on, 10 hits)
and :meth:`Fts5Baseline.search_with_snippets` (10 hits) over the same passages, query by
query alternately, after one untimed warm-up pass; every figure is the median of the
runs with the lowest and highest run, and ratios are taken per run, so load from other
processes on the machine affects both sides of a ratio alike.

The Markdown report goes to ``--out`` (stdout by default), progress to stderr.  This is a
benchmark that prints figures, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.build import (
    build_search_index_subprocess,
    profile_build_subprocess,
    run_index_subprocess,
)
from benchmarks.profiling import (
    VARIANTS,
    matching_alternatives,
    profile_search,
    variant_latency,
)
from benchmarks.queries import BenchQuery, generate_queries, load_dev_queries, samples_from_store
from benchmarks.scale import SharedDataMissing, write_scale_store
from benchmarks.stats import Spread, latency_percentiles, percentile, ratios

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO_ROOT / "corpus"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_DEV_QUERIES = REPO_ROOT.parent / "shared" / "eval" / "dev-queries.jsonl"

#: Targets from the issue.
TARGET_BUNDLED_P95_MS = 20.0
TARGET_SCALE_P95_MS = 50.0
TARGET_SCALE_PASSAGES = 100_000
TARGET_FTS5_RATIO = 3.0
TARGET_BUILD_PER_S = 3000.0

PERCENTILES = ("p50", "p95", "p99")
_INTERNAL_ERROR_PREFIX = "Er ging iets mis bij het zoeken"

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- results -----------------------------------------------------------------------------------


@dataclass
class LatencySet:
    """Latency of one query set on one corpus: Whoosh and FTS5 per percentile, ratios."""

    name: str
    queries: int
    runs: int
    whoosh: dict[str, Spread]
    fts5: dict[str, Spread]
    ratio: dict[str, Spread]
    mean_total_hits: float
    zero_hit_queries: int
    errors: int
    kinds: dict[str, int] = field(default_factory=dict)
    groups: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class BuildFigures:
    """Index build figures over the runs."""

    method: str
    passages_per_s: Spread
    mb_per_s: Spread
    seconds: Spread
    cpu_seconds: Spread
    passages_per_cpu_s: Spread
    index_mb: float
    rss_main_mb: Spread
    rss_children_mb: Spread
    fts5_passages_per_s: Spread
    fts5_seconds: Spread
    fts5_index_mb: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CorpusResult:
    """Everything measured on one corpus (``skipped`` says why a corpus was not measured)."""

    label: str
    scale: int
    passages: int = 0
    documents: int = 0
    text_bytes: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    prepare_seconds: float = 0.0
    build: BuildFigures | None = None
    open_seconds: float = 0.0
    latency: list[LatencySet] = field(default_factory=list)
    variants: dict[str, dict[str, float]] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict)
    build_profile: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None


@dataclass
class Target:
    """One target of the issue with the measured figure."""

    name: str
    limit: str
    measured: str
    met: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        """``met`` / ``MISSED`` / ``not measured``."""
        return {True: "met", False: "**MISSED**", None: "not measured"}[self.met]


@dataclass
class BenchReport:
    """A whole benchmark run."""

    command: str
    started: str
    machine: dict[str, Any]
    runs: int
    queries: int
    corpora: list[CorpusResult]
    seconds: float = 0.0
    targets: list[Target] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json`` (spreads as dicts)."""
        return json.loads(json.dumps(asdict(self), default=str))


# -- measuring ---------------------------------------------------------------------------------


def measure_latency(
    engine: Any,
    baseline: Any,
    queries: Sequence[BenchQuery],
    runs: int,
    name: str,
    *,
    warmup: bool = True,
) -> LatencySet:
    """Time every query on both engines, alternating which goes first, ``runs`` times."""
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


def _fts5_builds(store_path: Path, runs: int) -> tuple[Any, list[float], list[float], int]:
    """Build the in-memory FTS5 baseline ``runs`` times; keep the last one."""
    from kennisbank.baseline import Fts5Baseline
    from kennisbank.store import Store

    seconds: list[float] = []
    baseline = None
    with Store(store_path) as store:
        for _ in range(max(1, runs)):
            if baseline is not None:
                baseline.close()
            started = time.perf_counter()
            baseline = Fts5Baseline.from_store(store)
            seconds.append(time.perf_counter() - started)
    assert baseline is not None
    size = len(baseline)
    return baseline, seconds, [size / s for s in seconds], size


def _fts5_file_mb(store_path: Path, workdir: Path) -> float:
    """Size in MB of the same FTS5 baseline written to a file (the benchmark queries the
    in-memory one)."""
    from kennisbank.baseline import Fts5Baseline
    from kennisbank.store import Store

    path = workdir / "fts5-size.sqlite"
    path.unlink(missing_ok=True)
    with Store(store_path) as store, Fts5Baseline.from_store(store, path):
        pass
    size = path.stat().st_size
    path.unlink(missing_ok=True)
    return round(size / 1e6, 1)


def _query_sets(
    store_path: Path, n_queries: int, dev_queries: Sequence[BenchQuery]
) -> list[tuple[str, list[BenchQuery]]]:
    from kennisbank.store import Store

    with Store(store_path) as store:
        samples = samples_from_store(store)
    sets: list[tuple[str, list[BenchQuery]]] = []
    if dev_queries:
        sets.append(("dev", list(dev_queries)))
    generated = generate_queries(samples, n_queries)
    if generated:
        sets.append(("generated", generated))
    return sets


def measure_search(
    result: CorpusResult,
    index_dir: Path,
    store_path: Path,
    *,
    runs: int,
    n_queries: int,
    dev_queries: Sequence[BenchQuery],
    profile_queries: int,
    progress: Progress,
    fts5: tuple[Any, list[float], list[float], int] | None = None,
) -> None:
    """Open the engine and the FTS5 baseline over the same passages and fill in
    ``result.latency``, ``result.variants`` and ``result.profile``."""
    from kennisbank.search import SearchEngine

    started = time.perf_counter()
    engine = SearchEngine(index_dir)
    result.open_seconds = round(time.perf_counter() - started, 3)
    baseline = fts5[0] if fts5 else _fts5_builds(store_path, 1)[0]
    try:
        query_sets = _query_sets(store_path, n_queries, dev_queries)
        for name, queries in query_sets:
            progress(f"{result.label}: latentie, {len(queries)} {name}-zoekvragen × {runs}")
            result.latency.append(measure_latency(engine, baseline, queries, runs, name))
        if profile_queries > 0 and query_sets:
            subset = query_sets[-1][1][:profile_queries]
            progress(f"{result.label}: varianten en cProfile over {len(subset)} zoekvragen")
            result.variants = variant_latency(engine, subset)
            result.profile = profile_search(engine, subset)
            result.alternatives = matching_alternatives(engine, subset)
    finally:
        engine.close()
        baseline.close()


def bench_store(
    label: str,
    scale: int,
    store_path: Path,
    workdir: Path,
    *,
    runs: int,
    n_queries: int,
    dev_queries: Sequence[BenchQuery],
    profile_queries: int,
    progress: Progress = _stderr,
    result: CorpusResult | None = None,
    profile_build: bool = False,
) -> CorpusResult:
    """Build the search index of an existing store ``runs`` times (subprocess each) and
    measure search on the last build; with ``profile_build`` also cProfile one
    single-process build."""
    result = result or CorpusResult(label=label, scale=scale)
    index_dir = workdir / f"index-{label}"
    builds = []
    for run in range(runs):
        progress(f"{label}: build_search_index, run {run + 1}/{runs}")
        builds.append(build_search_index_subprocess(store_path, index_dir))
    first = builds[-1]
    result.passages = result.passages or int(first["passages"])
    result.documents = result.documents or int(first["documents"])
    if not result.text_bytes:
        result.text_bytes = _text_bytes(store_path)
    progress(f"{label}: FTS5-basislijn bouwen × {runs}")
    result.build, fts5 = _build_figures(
        "build_search_index",
        builds,
        first,
        result.text_bytes,
        store_path,
        workdir,
        runs,
        extra={
            "writer": first.get("writer"),
            "analyzer": first.get("analyzer"),
            "vocabulary": first.get("vocabulary"),
        },
    )
    measure_search(
        result,
        index_dir,
        store_path,
        runs=runs,
        n_queries=n_queries,
        dev_queries=dev_queries,
        profile_queries=profile_queries,
        progress=progress,
        fts5=fts5,
    )
    if profile_build:
        progress(f"{label}: cProfile van één build (één schrijfproces)")
        result.build_profile = profile_build_subprocess(store_path, workdir / f"profile-{label}")
    return result


def bench_bundled(
    corpus_dir: Path,
    workdir: Path,
    *,
    runs: int,
    n_queries: int,
    dev_queries: Sequence[BenchQuery],
    profile_queries: int,
    progress: Progress = _stderr,
) -> CorpusResult:
    """The bundled corpus: ``run_index`` (parse, graph, search index) ``runs`` times in a
    subprocess each, then search on the last build."""
    result = CorpusResult(label="bundled", scale=0)
    data_dir = workdir / "data-bundled"
    builds = []
    for run in range(runs):
        progress(f"bundled: run_index, run {run + 1}/{runs}")
        builds.append(run_index_subprocess(corpus_dir, data_dir))
    last = builds[-1]
    store_path = Path(last["store_path"])
    result.passages, result.documents = int(last["passages"]), int(last["documents"])
    result.text_bytes = _text_bytes(store_path)
    result.sources = {"corpus/": result.passages}
    result.build, fts5 = _build_figures(
        "run_index (parse + graph + search index)",
        builds,
        last,
        result.text_bytes,
        store_path,
        workdir,
        runs,
        extra={
            "search_index_seconds": Spread.of(
                [float(b["search_seconds"]) for b in builds if b.get("search_seconds")]
            ).to_dict()
        },
    )
    measure_search(
        result,
        Path(last["index_dir"]),
        store_path,
        runs=runs,
        n_queries=n_queries,
        dev_queries=dev_queries,
        profile_queries=profile_queries,
        progress=progress,
        fts5=fts5,
    )
    return result


def bench_scale(
    scale: int,
    shared: Path,
    workdir: Path,
    *,
    runs: int,
    n_queries: int,
    dev_queries: Sequence[BenchQuery],
    profile_queries: int,
    progress: Progress = _stderr,
    profile_build: bool = False,
) -> CorpusResult:
    """A scale corpus of ``scale`` passages from ``shared`` (skipped when it is absent)."""
    label = _scale_label(scale)
    result = CorpusResult(label=label, scale=scale)
    if not Path(shared).is_dir():
        result.skipped = f"{shared} ontbreekt: schaal {scale:,} overgeslagen"
        progress(result.skipped)
        return result
    store_dir = workdir / f"store-{label}"
    progress(f"{label}: schaalcorpus schrijven uit {shared}")
    try:
        corpus = write_scale_store(store_dir, shared, scale)
    except SharedDataMissing as exc:
        result.skipped = f"{exc} Schaal {scale:,} overgeslagen."
        progress(result.skipped)
        return result
    result.passages, result.documents = corpus.passages, corpus.documents
    result.text_bytes, result.sources = corpus.text_bytes, corpus.by_source
    result.prepare_seconds = corpus.seconds
    if corpus.passages < scale:
        progress(f"{label}: de bronnen leveren maar {corpus.passages:,} passages")
    bench_store(
        label,
        scale,
        Path(corpus.store_path),
        workdir,
        runs=runs,
        n_queries=n_queries,
        dev_queries=dev_queries,
        profile_queries=profile_queries,
        progress=progress,
        result=result,
        profile_build=profile_build,
    )
    shutil.rmtree(store_dir, ignore_errors=True)
    shutil.rmtree(workdir / f"index-{label}", ignore_errors=True)
    return result


def _scale_label(scale: int) -> str:
    return "bundled" if scale == 0 else (f"{scale // 1000}k" if scale % 1000 == 0 else str(scale))


def _text_bytes(store_path: Path) -> int:
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM passages").fetchone()
    finally:
        conn.close()
    return int(row[0] or 0)


# -- targets and report ------------------------------------------------------------------------


def evaluate_targets(corpora: Sequence[CorpusResult]) -> list[Target]:
    """The issue's targets against the measured medians."""
    by_scale = {c.scale: c for c in corpora if not c.skipped}
    targets: list[Target] = []

    def p95_target(scale: int, limit: float, title: str) -> None:
        corpus = by_scale.get(scale)
        sets = corpus.latency if corpus else []
        if not sets:
            targets.append(Target(title, f"p95 ≤ {limit:g} ms", "–", None))
        for ls in sets:
            p95 = ls.whoosh["p95"]
            targets.append(
                Target(
                    f"{title}, {ls.name} queries",
                    f"p95 ≤ {limit:g} ms",
                    f"{p95.fmt()} ms",
                    p95.median <= limit,
                )
            )

    p95_target(0, TARGET_BUNDLED_P95_MS, "Search latency, bundled corpus (facets + snippets)")
    title = f"Search latency, {TARGET_SCALE_PASSAGES:,} passages (facets + snippets)"
    p95_target(TARGET_SCALE_PASSAGES, TARGET_SCALE_P95_MS, title)
    corpus = by_scale.get(TARGET_SCALE_PASSAGES)
    for ls in corpus.latency if corpus else []:
        ratio = ls.ratio["p95"]
        targets.append(
            Target(
                f"p95 relative to FTS5 with snippets, {TARGET_SCALE_PASSAGES:,} passages, "
                f"{ls.name} queries",
                f"≈ ≤ {TARGET_FTS5_RATIO:g}× FTS5 p95",
                f"{ratio.fmt(1)}× (FTS5 p95 {ls.fts5['p95'].fmt()} ms)",
                ratio.median <= TARGET_FTS5_RATIO,
            )
        )
    build = corpus.build if corpus else None
    if build is None:
        targets.append(
            Target(
                f"Build speed, {TARGET_SCALE_PASSAGES:,} passages",
                f"≥ {TARGET_BUILD_PER_S:,.0f} passages/s",
                "–",
                None,
            )
        )
    else:
        targets.append(
            Target(
                f"Build speed, {TARGET_SCALE_PASSAGES:,} passages (2 cores)",
                f"≥ {TARGET_BUILD_PER_S:,.0f} passages/s",
                f"{build.passages_per_s.fmt(0)} passages/s",
                build.passages_per_s.median >= TARGET_BUILD_PER_S,
            )
        )
    return targets


def machine_info() -> dict[str, Any]:
    """Cores, memory, load, Python, Whoosh and SQLite versions."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import whoosh

        info["whoosh"] = ".".join(map(str, whoosh.__version__))
    except Exception:  # noqa: BLE001 - the version is informative only
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        cpu = [
            x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name")
        ]
        if cpu:
            info["cpu"] = cpu[0].split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        info["load_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def _cell(spread: Spread | None, digits: int = 1) -> str:
    return spread.fmt(digits) if spread is not None else "–"


def render_markdown(report: BenchReport) -> str:
    """The report as a Markdown section (tables of build, latency, targets, profiles)."""
    m = report.machine
    out = [
        "## Results",
        "",
        f"- Command: `{report.command}`",
        f"- Date: {report.started} (took {report.seconds / 60:.1f} min)",
        f"- Machine: {m.get('cores')} cores ({m.get('cpu', '?')}), "
        f"{m.get('memory_gib', '?')} GiB RAM, {m.get('platform')}; Python {m.get('python')}, "
        f"Whoosh {m.get('whoosh', '?')}, SQLite {m.get('sqlite')}; load average at start "
        f"{m.get('load_at_start', '?')}, at end {m.get('load_at_end', '?')} (shared machine)",
        f"- Every figure: median of {report.runs} runs (lowest–highest run in brackets).",
        "",
    ]
    skipped = [c for c in report.corpora if c.skipped]
    for c in skipped:
        out.append(f"- **Skipped:** {c.skipped}")
    if skipped:
        out.append("")
    measured = [c for c in report.corpora if not c.skipped]
    out += [
        "### Corpora and index build",
        "",
        "| corpus | passages | documents | text MB | build | build s | passages/s | MB/s "
        "| CPU s | passages/CPU-s | index MB | peak RSS MB (main / writer proc) "
        "| FTS5 build passages/s | FTS5 index MB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in measured:
        b = c.build
        if b is None:
            continue
        out.append(
            f"| {c.label} | {c.passages:,} | {c.documents:,} | {c.text_bytes / 1e6:.1f} "
            f"| {b.method} | {b.seconds.fmt(1)} | {b.passages_per_s.fmt(0)} "
            f"| {b.mb_per_s.fmt(2)} | {b.cpu_seconds.fmt(1)} | {b.passages_per_cpu_s.fmt(0)} "
            f"| {b.index_mb:,.1f} | {b.rss_main_mb.fmt(0)} / "
            f"{b.rss_children_mb.fmt(0)} | {b.fts5_passages_per_s.fmt(0)} "
            f"| {b.fts5_index_mb:,.1f} |"
        )
    out.append("")
    for c in measured:
        src = ", ".join(f"{k} {v:,}" for k, v in c.sources.items())
        extra = ""
        if c.build and c.build.extra.get("search_index_seconds"):
            s = c.build.extra["search_index_seconds"]
            extra = (
                f"; of which build_search_index {s['median']:.1f} s "
                f"({c.passages / s['median']:,.0f} passages/s)"
                if s.get("median")
                else ""
            )
        out.append(
            f"- {c.label}: passages from {src}; engine open {c.open_seconds:.2f} s"
            + (f"; corpus preparation {c.prepare_seconds:.1f} s" if c.prepare_seconds else "")
            + extra
        )
    out += [
        "",
        "### Query latency (ms; Whoosh with facets + snippets, 10 hits; FTS5 "
        "`search_with_snippets`, 10 hits)",
        "",
        "| corpus | queries | n | Whoosh p50 | Whoosh p95 | Whoosh p99 | FTS5 p50 | FTS5 p95 "
        "| FTS5 p99 | ×FTS5 p50 | ×FTS5 p95 | ×FTS5 p99 | mean hits |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in measured:
        for ls in c.latency:
            cells = [ls.whoosh[p].fmt(1) for p in PERCENTILES]
            cells += [ls.fts5[p].fmt(2) for p in PERCENTILES]
            cells += [ls.ratio[p].fmt(1) for p in PERCENTILES]
            out.append(
                f"| {c.label} | {ls.name} | {ls.queries} | "
                + " | ".join(cells)
                + f" | {ls.mean_total_hits:,.0f} |"
            )
    out.append("")
    for c in measured:
        for ls in c.latency:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(ls.kinds.items()))
            out.append(
                f"- {c.label} / {ls.name}: {kinds}; {ls.zero_hit_queries} without hits"
                + (f"; **{ls.errors} internal errors**" if ls.errors else "")
            )
    for c in measured:
        for ls in c.latency:
            if ls.queries >= 50 and ls.groups:
                out += render_groups(c.label, ls)
    out += [
        "",
        "### Targets",
        "",
        "| target | limit | measured (median, range) | verdict |",
        "|---|---|---|---|",
    ]
    out += [f"| {t.name} | {t.limit} | {t.measured} | {t.verdict} |" for t in report.targets]
    out.append("")
    for c in measured:
        if c.variants or c.profile:
            out += render_profile(c)
    return "\n".join(out).rstrip() + "\n"


def render_groups(label: str, ls: LatencySet) -> list[str]:
    """Latency by query kind and by number of hits (per-query medians over the runs)."""
    out = [
        "",
        f"{label} / {ls.name} queries by kind and by number of Whoosh hits "
        "(each query's median over the runs; ms):",
        "",
        "| group | n | Whoosh p50 | Whoosh p95 | FTS5 p50 | FTS5 p95 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, row in ls.groups.items():
        out.append(
            f"| {key} | {row['n']:.0f} | {row.get('whoosh_p50', math.nan):.1f} "
            f"| {row.get('whoosh_p95', math.nan):.1f} | {row.get('fts5_p50', math.nan):.2f} "
            f"| {row.get('fts5_p95', math.nan):.2f} |"
        )
    return out


def render_profile(c: CorpusResult) -> list[str]:
    """The "where the time goes" part of one corpus."""
    n = c.profile.get("queries", 0)
    out = [f"### Where the time goes: {c.label} ({n} generated queries, one pass)", ""]
    if c.variants:
        out += ["| variant | p50 ms | p95 ms | p99 ms | mean ms |", "|---|---:|---:|---:|---:|"]
        for name, _, _ in VARIANTS:
            v = c.variants.get(name)
            if v:
                out.append(
                    f"| {name} | {v['p50']:.1f} | {v['p95']:.1f} | {v['p99']:.1f} "
                    f"| {v['mean']:.1f} |"
                )
        out.append("")
    stages = c.profile.get("stages") or {}
    if stages:
        out += [
            "cProfile, cumulative ms per query (a stage includes what it calls; the "
            "profiler inflates Python-heavy stages):",
            "",
            "| stage | ms/query |",
            "|---|---:|",
        ]
        out += [f"| {k} | {v:.2f} |" for k, v in stages.items()]
        out.append("")
    if c.alternatives:
        out += [
            "Matching strategies for the same compiled queries (no filters; ms):",
            "",
            "| strategy | p50 | p95 | p99 | mean |",
            "|---|---:|---:|---:|---:|",
        ]
        out += [
            f"| {name} | {v['p50']:.1f} | {v['p95']:.1f} | {v['p99']:.1f} | {v['mean']:.1f} |"
            for name, v in c.alternatives.items()
        ]
        out.append("")
    top = c.profile.get("top") or []
    if top:
        out += [
            "Top functions by own time (ms per query):",
            "",
            "| function | own ms | cum ms | calls/query |",
            "|---|---:|---:|---:|",
        ]
        out += [
            f"| `{t['function']}` | {t['own_ms']:.2f} | {t['cum_ms']:.2f} | {t['calls']} |"
            for t in top
        ]
        out.append("")
    if c.build_profile:
        out += render_build_profile(c)
    return out


def render_build_profile(c: CorpusResult) -> list[str]:
    """The cProfile of one single-process build of a corpus."""
    bp = c.build_profile
    whole = bp.get("stages", {}).get("whole build (build_search_index)") or bp.get("seconds", 0)
    out = [
        f"### Where the build time goes: {c.label} ({bp.get('passages', 0):,} passages, one "
        f"writer process, under cProfile: {bp.get('seconds', 0):.1f} s)",
        "",
        "| stage (cumulative; nested stages overlap) | s | share |",
        "|---|---:|---:|",
    ]
    for label, seconds in (bp.get("stages") or {}).items():
        share = f"{100 * seconds / whole:.0f} %" if whole else "–"
        out.append(f"| {label} | {seconds:.2f} | {share} |")
    out += [
        "",
        "Top functions by own time (whole build):",
        "",
        "| function | own s | cum s | calls |",
        "|---|---:|---:|---:|",
    ]
    out += [
        f"| `{t['function']}` | {t['own_ms'] / 1000:.2f} | {t['cum_ms'] / 1000:.2f} "
        f"| {t['calls']:,.0f} |"
        for t in bp.get("top") or []
    ]
    out.append("")
    return out


# -- command line ------------------------------------------------------------------------------


def run_benchmark(
    scales: Sequence[int],
    *,
    runs: int = 3,
    n_queries: int = 300,
    shared: Path = DEFAULT_SHARED,
    dev_queries_path: Path | None = DEFAULT_DEV_QUERIES,
    profile_queries: int = 100,
    workdir: Path | None = None,
    corpus_dir: Path = BUNDLED_CORPUS,
    command: str = "",
    progress: Progress = _stderr,
) -> BenchReport:
    """Run the benchmark for every scale (``0`` = the bundled corpus)."""
    started = time.perf_counter()
    report = BenchReport(
        command=command or "python -m benchmarks.search_bench",
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine_info(),
        runs=runs,
        queries=n_queries,
        corpora=[],
    )
    dev: list[BenchQuery] = []
    if dev_queries_path is not None and Path(dev_queries_path).is_file():
        dev = load_dev_queries(Path(dev_queries_path))
    elif dev_queries_path is not None:
        progress(f"{dev_queries_path} ontbreekt: geen dev-zoekvragen")
    own_dir = workdir is None
    work = Path(tempfile.mkdtemp(prefix="kb-bench-")) if own_dir else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    common = {
        "runs": runs,
        "n_queries": n_queries,
        "dev_queries": dev,
        "profile_queries": profile_queries,
        "progress": progress,
    }
    build_profiled = profile_queries <= 0  # one build profile: on the first scale corpus
    try:
        for scale in scales:
            if scale == 0:
                report.corpora.append(bench_bundled(corpus_dir, work, **common))
                continue
            corpus = bench_scale(scale, shared, work, profile_build=not build_profiled, **common)
            build_profiled = build_profiled or bool(corpus.build_profile)
            report.corpora.append(corpus)
    finally:
        if own_dir:
            shutil.rmtree(work, ignore_errors=True)
    report.targets = evaluate_targets(report.corpora)
    report.seconds = round(time.perf_counter() - started, 1)
    try:
        report.machine["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return report


def _scales(text: str) -> list[int]:
    try:
        values = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"geen lijst van gehele getallen: {text}") from exc
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"geen lijst van aantallen ≥ 0: {text}")
    return values


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search_bench",
        description="Zoekbenchmark: bouwtijd, indexgrootte, piek-RSS en latentie naast FTS5.",
    )
    parser.add_argument(
        "--scale",
        type=_scales,
        default=[0, 10_000, 100_000],
        help="corpusgroottes in passages, 0 = gebundeld corpus (standaard 0,10000,100000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="herhalingen per meting (3)")
    parser.add_argument(
        "--queries", type=int, default=300, help="aantal gegenereerde zoekvragen per corpus (300)"
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="map met laws-md en sgd-ocr (../shared/data)",
    )
    parser.add_argument(
        "--dev-queries",
        type=Path,
        default=DEFAULT_DEV_QUERIES,
        help="dev-queries.jsonl (../shared/eval/dev-queries.jsonl)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=100,
        metavar="N",
        help="zoekvragen voor varianten en cProfile per corpus (100; 0 = uit)",
    )
    parser.add_argument("--out", default="-", help="Markdown-sectie naar dit bestand (- = stdout)")
    parser.add_argument("--json", type=Path, default=None, help="ruwe cijfers als JSON")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="werkmap (standaard een tijdelijke map die wordt opgeruimd)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.queries < 0:
        parser.error("--runs ≥ 1 en --queries ≥ 0")
    command = "python -m benchmarks.search_bench " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    report = run_benchmark(
        args.scale,
        runs=args.runs,
        n_queries=args.queries,
        shared=args.shared,
        dev_queries_path=args.dev_queries,
        profile_queries=args.profile,
        workdir=args.workdir,
        command=command.strip(),
    )
    text = render_markdown(report)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        _stderr(f"rapport geschreven naar {args.out}")
    if args.json:
        args.json.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    missed = [t for t in report.targets if t.met is False]
    for t in missed:
        _stderr(f"doel gemist: {t.name}: {t.measured} (grens {t.limit})")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _build_figures(
    method: str,
    builds: list[dict[str, Any]],
    reference: dict[str, Any],
    text_bytes: int,
    store_path: Path,
    workdir: Path,
    runs: int,
    *,
    extra: dict[str, Any],
) -> tuple[BuildFigures, Any]:
    """Build figures over ``builds`` (one dict per run) with the FTS5 baseline beside them.

    Also returns the FTS5 builds (``_fts5_builds``), which the latency measurement reuses.
    """
    fts5 = _fts5_builds(store_path, runs)
    figures = BuildFigures(
        method=method,
        passages_per_s=Spread.of([b["passages"] / b["seconds"] for b in builds]),
        mb_per_s=Spread.of([text_bytes / 1e6 / b["seconds"] for b in builds]),
        seconds=Spread.of([b["seconds"] for b in builds]),
        cpu_seconds=Spread.of([b["cpu_seconds"] for b in builds]),
        passages_per_cpu_s=Spread.of([b["passages"] / b["cpu_seconds"] for b in builds]),
        index_mb=round(reference["index_bytes"] / 1e6, 1),
        rss_main_mb=Spread.of([b["rss_main_mb"] for b in builds]),
        rss_children_mb=Spread.of([b["rss_children_mb"] for b in builds]),
        fts5_passages_per_s=Spread.of(fts5[2]),
        fts5_seconds=Spread.of(fts5[1]),
        fts5_index_mb=_fts5_file_mb(store_path, workdir),
        extra=extra,
    )
    return figures, fts5
