"""The whole benchmark suite behind ``kennisbank bench``: one command, one report.

1. :func:`benchmarks.search_bench.run_benchmark` — per corpus (``0`` = the bundled corpus,
   other sizes = scale corpora from ``../shared/data``, skipped with a message when
   absent): index build
   (documents/s, passages/s, MB/s, CPU, peak RSS of the indexer, index size) and
   in-process latency p50/p95/p99, each next to the SQLite FTS5 baseline on the same
   passages with ratios, plus the facet-count overhead;
2. :func:`benchmarks.http_latency.bench_http` — the same queries over HTTP against a real
   ``kennisbank serve``, with the server's peak RSS: on the built bundled index and on
   every scale corpus (published as a generation before it is removed,
   :func:`benchmarks.scale_suite.serve_scale`);
3. :func:`benchmarks.incremental.bench_incremental` — the bundled corpus re-indexed with
   nothing and with one file changed, against a full build; the same on corpus folders of
   laws-md files at the scales of ``incremental_scales``
   (:func:`~benchmarks.incremental.bench_incremental_scale`; the full pipeline, slow);
4. :mod:`benchmarks.growth` — the cost-growth table over the scale corpora and an SVG chart.

Every figure is the median of ``runs`` runs with the lowest and highest run (the full
pipeline build of an incremental scale corpus runs once).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.growth import GrowthPoint, growth_points, render_growth, render_svg
from benchmarks.http_latency import HttpFigures, bench_http, render_http
from benchmarks.incremental import (
    IncrementalFigures,
    bench_incremental,
    bench_incremental_scale,
    copy_corpus,
    render_incremental,
)
from benchmarks.queries import BenchQuery, load_dev_queries
from benchmarks.results import BenchReport, CorpusResult
from benchmarks.scale import SharedDataMissing
from benchmarks.scale_suite import serve_scale
from benchmarks.search_bench import (
    BUNDLED_CORPUS,
    DEFAULT_DEV_QUERIES,
    DEFAULT_SHARED,
    AfterBuild,
    query_sets,
    render_markdown,
    run_benchmark,
)
from benchmarks.stats import Spread
from kennisbank import generations

#: The full suite: the bundled corpus and three scale corpora.
DEFAULT_SCALES = (0, 10_000, 100_000, 500_000)
#: ``--quick``: small enough for a test (scale corpora of 500 and 1,500 passages).
QUICK_SCALES = (0, 500, 1_500)
QUICK_RUNS, QUICK_QUERIES = 1, 20
#: ``--quick``: the incremental re-index at scale on a laws-md folder of ≥ 500 passages.
QUICK_INCREMENTAL_SCALES = (500,)
#: By default the incremental re-index at scale runs on the run's scales up to this size
#: (the full pipeline at 500,000 passages takes many minutes and gigabytes).
INCREMENTAL_DEFAULT_MAX = 100_000

Progress = Callable[[str], None]


@dataclass
class SuiteOptions:
    """What to run (see ``kennisbank bench --help``)."""

    scales: Sequence[int] = DEFAULT_SCALES
    runs: int = 3
    queries: int = 300
    http: bool = True
    shared: Path = DEFAULT_SHARED
    dev_queries: Path | None = DEFAULT_DEV_QUERIES
    profile: int = 0
    corpus: Path = BUNDLED_CORPUS
    plot: Path | None = None
    workdir: Path | None = None
    command: str = "kennisbank bench"
    #: Sizes for the incremental re-index at scale; None = the run's scale corpora up to
    #: :data:`INCREMENTAL_DEFAULT_MAX`; empty = none.
    incremental_scales: Sequence[int] | None = None

    def incremental_sizes(self) -> list[int]:
        """The sizes (passages) that get the incremental re-index at scale."""
        if self.incremental_scales is not None:
            return [s for s in self.incremental_scales if s > 0]
        return [s for s in self.scales if 0 < s <= INCREMENTAL_DEFAULT_MAX]


@dataclass
class SuiteReport:
    """A whole suite run."""

    search: BenchReport
    incremental: IncrementalFigures | None = None
    http: list[HttpFigures] = field(default_factory=list)
    scale_incremental: list[IncrementalFigures] = field(default_factory=list)
    growth: list[GrowthPoint] = field(default_factory=list)
    plot: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        data = asdict(self)
        data["search"] = self.search.to_dict()
        return json.loads(json.dumps(data, default=str))


def quick_options(**overrides: Any) -> SuiteOptions:
    """The ``--quick`` settings (overrides win)."""
    values: dict[str, Any] = {
        "scales": QUICK_SCALES,
        "runs": QUICK_RUNS,
        "queries": QUICK_QUERIES,
        "profile": 0,
        "incremental_scales": QUICK_INCREMENTAL_SCALES,
    }
    return SuiteOptions(**{**values, **overrides})


def _in_process(report: BenchReport) -> dict[str, dict[str, Spread]]:
    return {
        f"{c.label} / {ls.name}": ls.whoosh
        for c in report.corpora
        if not c.skipped
        for ls in c.latency
    }


def _dev_queries(options: SuiteOptions) -> list[BenchQuery]:
    path = options.dev_queries
    return load_dev_queries(Path(path)) if path is not None and Path(path).is_file() else []


def _bundled_store(data_dir: Path) -> Path | None:
    live = generations.current_dir(data_dir)
    return generations.db_file(live) if live else None


def _http(
    options: SuiteOptions, corpus: Path, data_dir: Path, work: Path, progress: Progress
) -> list[HttpFigures]:
    store = _bundled_store(data_dir) if data_dir.is_dir() else None
    if store is None:
        progress("HTTP: geen gebouwde index van het gebundelde corpus; overgeslagen")
        return []
    sets = query_sets(store, options.queries, _dev_queries(options))
    return bench_http(data_dir, corpus, sets, options.runs, work, progress)


def _bundled_extras(
    options: SuiteOptions, search: BenchReport, corpus: Path, work: Path, progress: Progress
) -> tuple[IncrementalFigures | None, list[HttpFigures]]:
    """HTTP latency on the built bundled index, then the incremental re-index of it (which
    appends to one file of the corpus copy, so it comes last)."""
    data_dir = work / "search" / "data-bundled"
    bundled = next((c for c in search.corpora if c.scale == 0 and c.build), None)
    if bundled is None or bundled.build is None:
        return None, []
    http = _http(options, corpus, data_dir, work, progress) if options.http else []
    full = bundled.build.extra.get("runs") or []
    incremental = bench_incremental(
        corpus, data_dir, runs=options.runs, progress=progress, full=full
    )
    return incremental, http


def _serve_scales(
    options: SuiteOptions, into: list[HttpFigures], work: Path, progress: Progress
) -> AfterBuild | None:
    """The ``after_build`` call of the search benchmark that measures HTTP on each scale
    corpus (appended to ``into``), or ``None`` without ``options.http``."""
    if not options.http:
        return None
    dev = _dev_queries(options)

    def serve(result: CorpusResult, store_path: Path, index_dir: Path) -> None:
        into.extend(
            serve_scale(
                result.label,
                store_path,
                index_dir,
                work,
                runs=options.runs,
                n_queries=options.queries,
                dev_queries=dev,
                progress=progress,
            )
        )

    return serve


def _scale_incremental(
    options: SuiteOptions, report: SuiteReport, work: Path, progress: Progress
) -> None:
    """The incremental re-index on laws-md corpus folders of the chosen sizes."""
    for passages in options.incremental_sizes():
        try:
            figures = bench_incremental_scale(
                passages, Path(options.shared), work, runs=options.runs, progress=progress
            )
        except SharedDataMissing as exc:
            report.notes.append(f"{exc} Incremental re-index at {passages:,} skipped.")
            progress(report.notes[-1])
            continue
        if figures.passages < passages:
            report.notes.append(
                f"laws-md holds only {figures.passages:,} passages: the incremental corpus "
                f"for {passages:,} is smaller."
            )
        report.scale_incremental.append(figures)


def run_suite(options: SuiteOptions, progress: Progress) -> SuiteReport:
    """Run every part of the suite (see the module docstring)."""
    started = time.perf_counter()
    own = options.workdir is None
    work = Path(tempfile.mkdtemp(prefix="kb-suite-")) if own else Path(options.workdir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        bundled = 0 in options.scales
        corpus = copy_corpus(options.corpus, work / "corpus") if bundled else options.corpus
        scale_http: list[HttpFigures] = []
        search = run_benchmark(
            options.scales,
            runs=options.runs,
            n_queries=options.queries,
            shared=options.shared,
            dev_queries_path=options.dev_queries,
            profile_queries=options.profile,
            workdir=work / "search",
            corpus_dir=corpus,
            command=options.command,
            progress=progress,
            after_build=_serve_scales(options, scale_http, work / "search", progress),
        )
        report = SuiteReport(search=search)
        if bundled:
            report.incremental, report.http = _bundled_extras(
                options, search, corpus, work, progress
            )
        else:
            report.notes.append(
                "The bundled corpus (scale 0) was not in this run: no bundled build, "
                "incremental re-index or HTTP figures."
            )
        report.http += scale_http
        _scale_incremental(options, report, work / "incremental", progress)
        report.growth = growth_points(search.corpora)
        if options.plot is not None:
            caption = f"{search.started[:10]}: {options.command}"
            Path(options.plot).write_text(render_svg(report.growth, caption), encoding="utf-8")
            report.plot = str(options.plot)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    report.seconds = round(time.perf_counter() - started, 1)
    try:
        report.search.machine["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return report


def render_suite(report: SuiteReport) -> str:
    """The suite report as Markdown: the search benchmark, then incremental, HTTP, growth."""
    out = [render_markdown(report.search).rstrip(), ""]
    out.append(f"- Whole suite took {report.seconds / 60:.1f} min.")
    out += [f"- {note}" for note in report.notes]
    out.append("")
    for figures in ([report.incremental] if report.incremental else []) + list(
        report.scale_incremental
    ):
        out += render_incremental(figures)
    if report.http:
        out += render_http(report.http, _in_process(report.search))
    plot = Path(report.plot).name if report.plot else None
    out += render_growth(report.growth, plot)
    return "\n".join(out).rstrip() + "\n"
