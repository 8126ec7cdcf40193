"""Index build figures over runs, with the SQLite FTS5 baseline built on the same passages."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from benchmarks.results import BuildFigures
from benchmarks.stats import Spread
from kennisbank.baseline import Fts5Baseline
from kennisbank.store import Store


def fts5_builds(store_path: Path, runs: int) -> tuple[Any, list[float], list[float], int]:
    """Build the in-memory FTS5 baseline ``runs`` times; keep the last one."""
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
    path = workdir / "fts5-size.sqlite"
    path.unlink(missing_ok=True)
    with Store(store_path) as store, Fts5Baseline.from_store(store, path):
        pass
    size = path.stat().st_size
    path.unlink(missing_ok=True)
    return round(size / 1e6, 1)


def text_bytes(store_path: Path) -> int:
    """Bytes of passage text (UTF-8) in the store at ``store_path``."""
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM passages").fetchone()
    finally:
        conn.close()
    return int(row[0] or 0)


def build_figures(
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
    fts5 = fts5_builds(store_path, runs)
    figures = BuildFigures(
        method=method,
        passages_per_s=Spread.of([b["passages"] / b["seconds"] for b in builds]),
        documents_per_s=Spread.of([b["documents"] / b["seconds"] for b in builds]),
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
