"""Incremental re-indexing of the bundled corpus: one changed file against a full build.

The corpus is a writable copy (:func:`copy_corpus`), indexed in full with
:func:`~indexer.pipeline.run_index` (what ``kennisbank index`` runs; the suite reuses the
full builds of the search benchmark).  Then, per run:

* an *unchanged* re-index (nothing changed: no file is parsed again, nothing is published);
* a *one-file* re-index after one sentence was appended to the first text file of the
  copy (that file is parsed again and a new generation is published).

Every index run is its own subprocess (:mod:`benchmarks.build`), timed in-process (wall
and CPU seconds; interpreter start-up and imports not counted), with its peak RSS.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.build import reindex_subprocess, run_index_subprocess
from benchmarks.stats import Spread

#: Appended to the changed file in run ``n`` (a new sentence each run, so each run changes it).
SENTENCE = "\n\nDe wijkaanpak werd in meetronde {n} opnieuw beoordeeld door de gemeente.\n"
#: File name suffixes of corpus documents that can take an appended sentence.
TEXT_SUFFIXES = (".txt", ".md")


@dataclass
class IncrementalFigures:
    """Full build against re-indexing with nothing or one file changed (median, min–max)."""

    files: int
    passages: int
    changed_file: str
    full_seconds: Spread
    full_cpu_seconds: Spread
    unchanged_seconds: Spread
    one_file_seconds: Spread
    one_file_cpu_seconds: Spread
    one_file_parsed: int
    unchanged_parsed: int
    rss_full_mb: Spread
    rss_one_file_mb: Spread
    unchanged_cpu_seconds: Spread = field(default_factory=lambda: Spread.of([]))

    @property
    def speedup(self) -> float:
        """Median full build time over median one-file re-index time."""
        return self.full_seconds.median / self.one_file_seconds.median


def copy_corpus(corpus: Path, target: Path) -> Path:
    """A writable copy of ``corpus`` at ``target`` (replaced when it exists)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(corpus, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


def changed_file(corpus: Path) -> Path:
    """The file that gets a sentence appended: the first text file in name order."""
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            return path
    raise FileNotFoundError(f"geen .txt- of .md-bestand in {corpus}")


def bench_incremental(
    corpus: Path,
    data_dir: Path,
    *,
    runs: int,
    progress: Callable[[str], None],
    full: Sequence[dict[str, Any]] = (),
) -> IncrementalFigures:
    """Measure unchanged and one-file index runs of the writable ``corpus`` into
    ``data_dir``, against ``full`` (worker results of full builds of the same corpus into
    ``data_dir``; when empty, ``runs`` full builds are made here first).

    The changed file keeps its appended sentences: ``corpus`` must be a copy.
    """
    target = changed_file(corpus)
    full = list(full)
    if not full:
        for run in range(max(1, runs)):
            progress(f"incrementeel: volledige index, run {run + 1}/{runs}")
            full.append(run_index_subprocess(corpus, data_dir))
    unchanged: list[dict[str, Any]] = []
    one_file: list[dict[str, Any]] = []
    for run in range(max(1, runs)):
        progress(f"incrementeel: niets gewijzigd en één bestand gewijzigd, run {run + 1}/{runs}")
        unchanged.append(reindex_subprocess(corpus, data_dir))
        with target.open("a", encoding="utf-8") as handle:
            handle.write(SENTENCE.format(n=run + 1))
        one_file.append(reindex_subprocess(corpus, data_dir))
    return IncrementalFigures(
        files=int(full[-1].get("parsed", 0)),
        passages=int(one_file[-1]["passages"]),
        changed_file=target.name,
        full_seconds=Spread.of([b["seconds"] for b in full]),
        full_cpu_seconds=Spread.of([b["cpu_seconds"] for b in full]),
        unchanged_seconds=Spread.of([b["seconds"] for b in unchanged]),
        one_file_seconds=Spread.of([b["seconds"] for b in one_file]),
        one_file_cpu_seconds=Spread.of([b["cpu_seconds"] for b in one_file]),
        one_file_parsed=max(int(b.get("parsed", 0)) for b in one_file),
        unchanged_parsed=max(int(b.get("parsed", 0)) for b in unchanged),
        rss_full_mb=Spread.of([b["rss_main_mb"] for b in full]),
        rss_one_file_mb=Spread.of([b["rss_main_mb"] for b in one_file]),
        unchanged_cpu_seconds=Spread.of([b["cpu_seconds"] for b in unchanged]),
    )


def render_incremental(figures: IncrementalFigures) -> list[str]:
    """The incremental-rebuild table as Markdown lines."""
    f = figures
    return [
        "### Incremental re-index (bundled corpus, `run_index` = `kennisbank index`)",
        "",
        "| run | files parsed | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        f"| full build ({f.files} files, {f.passages:,} passages) | {f.files} "
        f"| {f.full_seconds.fmt(2)} | {f.full_cpu_seconds.fmt(2)} | {f.rss_full_mb.fmt(0)} |",
        f"| nothing changed | {f.unchanged_parsed} | {f.unchanged_seconds.fmt(2)} "
        f"| {f.unchanged_cpu_seconds.fmt(2)} | – |",
        f"| one file changed (`{f.changed_file}`, one sentence appended) | {f.one_file_parsed} "
        f"| {f.one_file_seconds.fmt(2)} | {f.one_file_cpu_seconds.fmt(2)} "
        f"| {f.rss_one_file_mb.fmt(0)} |",
        "",
        f"- One-file re-index: {f.speedup:.1f}× faster than the full build (medians).",
        "",
    ]
