"""HTTP on a scale corpus: its store and index served by a real ``kennisbank serve``.

:func:`benchmarks.search_bench.bench_scale` calls back (``after_build``) before it removes
a scale corpus's store and index: :func:`serve_scale` publishes them as a generation of a
data folder (:func:`benchmarks.publish.publish_generation`) and measures the HTTP latency
and the server's peak RSS (:func:`benchmarks.http_latency.bench_http`, the same query
sets as in-process).  The server gets an empty corpus folder; it would
only index when the generation failed its manifest check, which :func:`serve_scale`
rules out by checking that the published generation is still the live one afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.http_latency import HttpFigures, bench_http
from benchmarks.publish import publish_generation
from benchmarks.queries import BenchQuery
from benchmarks.search_bench import query_sets
from kennisbank import generations

Progress = Callable[[str], None]


def serve_scale(
    label: str,
    store_path: Path,
    index_dir: Path,
    workdir: Path,
    *,
    runs: int,
    n_queries: int,
    dev_queries: Sequence[BenchQuery],
    progress: Progress,
) -> list[HttpFigures]:
    """Publish ``store_path`` + ``index_dir`` into ``workdir/data-<label>`` and measure
    HTTP latency on it; raises :class:`RuntimeError` when the server built its own index."""
    data_dir, corpus = workdir / f"data-{label}", workdir / f"corpus-{label}"
    corpus.mkdir(parents=True, exist_ok=True)
    try:
        progress(f"HTTP {label}: store en index publiceren als generatie in {data_dir}")
        generation = publish_generation(store_path, index_dir, data_dir, corpus_dir=corpus)
        sets = query_sets(store_path, n_queries, dev_queries)
        rows = bench_http(data_dir, corpus, sets, runs, workdir, progress, label=label)
        if generations.pointer_name(data_dir) != generation.name:
            raise RuntimeError(
                f"kennisbank serve heeft voor {label} een eigen index gebouwd in plaats van de "
                f"gepubliceerde generatie {generation.name} te openen"
            )
        return rows
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
