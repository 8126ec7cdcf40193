"""Index builds measured in a fresh subprocess, so each build's peak RSS is its own.

The worker (``python -m benchmarks.build search-index STORE TARGET`` or
``python -m benchmarks.build run-index CORPUS DATA_DIR``; ``profile-build STORE TARGET``
runs :func:`benchmarks.profiling.profile_build` instead) times the build in-process with
``time.perf_counter`` (interpreter start-up and imports are not counted) and prints one
JSON line: the build's counts, ``seconds`` (wall), ``cpu_seconds`` (user + system time of
the worker and its writer sub-processes during the build: unlike wall time hardly affected
by other load on the machine) and peak RSS from ``resource.getrusage``: ``rss_main_mb``
of the worker itself and ``rss_children_mb``, the largest of its finished children
(Whoosh's writer sub-processes).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from benchmarks.profiling import profile_build
from kennisbank import generations
from kennisbank.config import load_settings
from kennisbank.search.indexing import build_search_index
from kennisbank.store import Store

#: The interpreter running the benchmark (the worker uses the same one).
PYTHON = sys.executable


def _rss_mb(who: int) -> float:
    """Peak RSS in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children so far."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def dir_size(path: Path) -> int:
    """Bytes of all files below ``path``."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def build_search_index_here(store_path: Path, target: Path) -> dict[str, Any]:
    """Build the search index of the store at ``store_path`` into ``target`` (this process)."""
    with Store(store_path) as store:
        cpu, started = cpu_seconds(), time.perf_counter()
        counts = build_search_index(store, target)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        **counts,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "index_bytes": dir_size(target),
    }


def run_index_here(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """The full indexing pipeline (parse, graph, search index) of ``corpus`` into
    ``data_dir`` (this process)."""
    # A search-index worker must not load the indexer: its peak RSS is reported.
    from indexer.pipeline import run_index  # noqa: PLC0415 - worker RSS, see above

    settings = load_settings(corpus_dir=corpus, data_dir=data_dir, env={})
    cpu, started = cpu_seconds(), time.perf_counter()
    report = run_index(settings)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    index_dir = live_index_dir(data_dir)
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "passages": report.totals.get("passages", 0),
        "documents": report.totals.get("documents", 0),
        "skipped": len(report.skipped),
        "parsed": len(report.parsed),
        "unchanged": len(report.unchanged),
        "published": report.published,
        "search_seconds": report.search.get("seconds"),
        "index_dir": str(index_dir) if index_dir else "",
        "index_bytes": dir_size(index_dir) if index_dir else 0,
        "store_path": str(settings.db_path),
    }


def live_index_dir(data_dir: Path) -> Path | None:
    """The Whoosh index folder of the live build in ``data_dir``: the ``search`` folder of
    the live generation, or the generation folder itself (older layout)."""
    live = generations.current_dir(data_dir)
    if live is None:
        return None
    search_dir = getattr(generations, "search_dir", None)
    candidates = ([search_dir(live)] if search_dir else []) + [live]
    return next((c for c in candidates if c.is_dir() and whoosh_index.exists_in(str(c))), None)


def run_worker(args: list[str], *, timeout: float | None = None) -> dict[str, Any]:
    """Run ``python -m benchmarks.build ARGS`` and return its JSON result.

    Raises :class:`RuntimeError` with the worker's stderr when it fails.
    """
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [PYTHON, "-m", "benchmarks.build", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=root,
        check=False,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bouwproces mislukt ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def build_search_index_subprocess(store_path: Path, target: Path) -> dict[str, Any]:
    """:func:`build_search_index_here` in a fresh subprocess (``target`` is replaced)."""
    if Path(target).exists():
        shutil.rmtree(target)
    return run_worker(["search-index", str(store_path), str(target)])


def run_index_subprocess(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """:func:`run_index_here` in a fresh subprocess (``data_dir`` is replaced)."""
    if Path(data_dir).exists():
        shutil.rmtree(data_dir)
    return run_worker(["run-index", str(corpus), str(data_dir)])


def reindex_subprocess(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """:func:`run_index_here` in a fresh subprocess over an existing ``data_dir``: an
    incremental run (unchanged files are not parsed again)."""
    return run_worker(["run-index", str(corpus), str(data_dir)])


def profile_build_subprocess(store_path: Path, target: Path) -> dict[str, Any]:
    """:func:`benchmarks.profiling.profile_build` in a fresh subprocess (``target`` is
    removed afterwards)."""
    if Path(target).exists():
        shutil.rmtree(target)
    try:
        return run_worker(["profile-build", str(store_path), str(target)])
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Worker entry point; prints one JSON line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3 or args[0] not in ("search-index", "run-index", "profile-build"):
        print(
            "gebruik: python -m benchmarks.build search-index STORE DOEL | "
            "run-index CORPUS DATAMAP | profile-build STORE DOEL",
            file=sys.stderr,
        )
        return 2
    if args[0] == "search-index":
        result = build_search_index_here(Path(args[1]), Path(args[2]))
    elif args[0] == "run-index":
        result = run_index_here(Path(args[1]), Path(args[2]))
    else:
        result = profile_build(Path(args[1]), Path(args[2]))
    result["rss_main_mb"] = _rss_mb(resource.RUSAGE_SELF)
    result["rss_children_mb"] = _rss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
