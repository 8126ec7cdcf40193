"""The search benchmark: build time, index size, peak RSS and query latency, Whoosh
next to the FTS5 baseline, on the bundled corpus and on scale corpora of real Dutch text.

Usage::

    python -m benchmarks.search_bench [--scale 0,10000,100000] [--runs 3] [--queries 300]
        [--shared ../shared/data] [--profile 100] [--out -] [--json FILE]

``--scale`` lists corpus sizes in passages; ``0`` is the bundled corpus (``corpus/``,
indexed with the full pipeline :func:`~indexer.pipeline.run_index`); other sizes are
scale corpora from ``--shared`` (:mod:`benchmarks.scale`), indexed with
:func:`~kennisbank.search.indexing.build_search_index`.  Every build runs ``--runs`` times in a
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
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.build import (
    build_search_index_subprocess,
    profile_build_subprocess,
    run_index_subprocess,
)
from benchmarks.figures import build_figures, fts5_builds, text_bytes
from benchmarks.latency import facet_cost, measure_latency
from benchmarks.paths import (
    BUNDLED_CORPUS,
    DEFAULT_DEV_QUERIES,
    DEFAULT_DEV_QUESTIONS,
    DEFAULT_SHARED,
)
from benchmarks.profiling import matching_alternatives, profile_search, variant_latency
from benchmarks.queries import BenchQuery, generate_queries, load_dev_queries, samples_from_store
from benchmarks.report import evaluate_targets, machine_info, render_markdown
from benchmarks.results import PERCENTILES, BenchReport, CorpusResult
from benchmarks.scale import SharedDataMissing, scale_label, write_scale_store
from benchmarks.stats import Spread
from kennisbank.search import SearchEngine
from kennisbank.store import Store

__all__ = [
    "BUNDLED_CORPUS",
    "DEFAULT_DEV_QUERIES",
    "DEFAULT_SHARED",
    "PERCENTILES",
    "BenchReport",
    "CorpusResult",
    "bench_bundled",
    "bench_scale",
    "bench_store",
    "evaluate_targets",
    "machine_info",
    "main",
    "render_markdown",
    "run_benchmark",
]


Progress = Callable[[str], None]
#: Figures of each ``run_index`` worker kept in the bundled corpus's ``build.extra["runs"]``.
_RUN_KEYS = ("seconds", "cpu_seconds", "rss_main_mb", "parsed", "passages", "documents")


def _stderr(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def query_sets(
    store_path: Path, n_queries: int, dev_queries: Sequence[BenchQuery]
) -> list[tuple[str, list[BenchQuery]]]:
    """The named query sets of a corpus: ``dev`` (when given), ``questions`` (the judged
    questions in everyday words of ``../shared/eval/dev-questions.jsonl``, when present)
    and ``generated`` (seeded from the store's passages, so the same store gives the same
    queries)."""
    with Store(store_path) as store:
        samples = samples_from_store(store)
    sets: list[tuple[str, list[BenchQuery]]] = []
    if dev_queries:
        sets.append(("dev", list(dev_queries)))
    if DEFAULT_DEV_QUESTIONS.is_file():
        sets.append(("questions", load_dev_queries(DEFAULT_DEV_QUESTIONS)))
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
    started = time.perf_counter()
    engine = SearchEngine(index_dir)
    result.open_seconds = round(time.perf_counter() - started, 3)
    baseline = fts5[0] if fts5 else fts5_builds(store_path, 1)[0]
    try:
        sets = query_sets(store_path, n_queries, dev_queries)
        for name, queries in sets:
            progress(f"{result.label}: latentie, {len(queries)} {name}-zoekvragen × {runs}")
            result.latency.append(measure_latency(engine, baseline, queries, runs, name))
        if sets:
            queries = sets[-1][1]
            progress(f"{result.label}: facetkosten, {len(queries)} zoekvragen × {runs}")
            result.facet_cost = facet_cost(engine, queries, runs)
        if profile_queries > 0 and sets:
            subset = sets[-1][1][:profile_queries]
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
        result.text_bytes = text_bytes(store_path)
    progress(f"{label}: FTS5-basislijn bouwen × {runs}")
    result.build, fts5 = build_figures(
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
    result.text_bytes = text_bytes(store_path)
    result.sources = {"corpus/": result.passages}
    result.build, fts5 = build_figures(
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
            ).to_dict(),
            "runs": [{k: b.get(k) for k in _RUN_KEYS} for b in builds],
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


#: Called with a scale corpus's result, store and built index before they are removed.
AfterBuild = Callable[[CorpusResult, Path, Path], None]


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
    after_build: AfterBuild | None = None,
) -> CorpusResult:
    """A scale corpus of ``scale`` passages from ``shared`` (skipped when it is absent);
    ``after_build(result, store_path, index_dir)`` runs before the store and index are
    removed (the suite serves them over HTTP)."""
    label = scale_label(scale)
    result = CorpusResult(label=label, scale=scale)
    if not Path(shared).is_dir():
        result.skipped = f"{shared} ontbreekt: schaal {scale:,} overgeslagen"
        progress(result.skipped)
        return result
    store_dir, index_dir = workdir / f"store-{label}", workdir / f"index-{label}"
    progress(f"{label}: schaalcorpus schrijven uit {shared}")
    try:
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
        if after_build is not None:
            if not index_dir.is_dir():
                raise RuntimeError(f"de zoekindex van {label} staat niet in {index_dir}")
            after_build(result, Path(corpus.store_path), index_dir)
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)
        shutil.rmtree(index_dir, ignore_errors=True)
    return result


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
    after_build: AfterBuild | None = None,
) -> BenchReport:
    """Run the benchmark for every scale (``0`` = the bundled corpus); ``after_build``
    as in :func:`bench_scale`."""
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
            corpus = bench_scale(
                scale,
                shared,
                work,
                profile_build=not build_profiled,
                after_build=after_build,
                **common,
            )
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
