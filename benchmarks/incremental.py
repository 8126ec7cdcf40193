"""Incremental re-indexing: one changed file against a full build, on the bundled corpus
and on corpus folders of real laws-md files at scale.

The corpus is a writable copy (:func:`copy_corpus`; at scale
:func:`benchmarks.scale.write_law_corpus`, see :func:`bench_incremental_scale`), indexed in
full with :func:`~indexer.pipeline.run_index` (what ``kennisbank index`` runs: parsing,
entity extraction, knowledge graph and search index; for the bundled corpus the suite
reuses the full builds of the search benchmark).  Then, per run:

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
from benchmarks.figures import text_bytes
from benchmarks.scale import scale_label, write_law_corpus
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
    label: str = "bundled"
    documents: int = 0
    #: Passage text (UTF-8 bytes) of the full build, for MB/s; 0 when not measured.
    text_bytes: int = 0
    full_documents_per_s: Spread = field(default_factory=lambda: Spread.of([]))
    full_passages_per_s: Spread = field(default_factory=lambda: Spread.of([]))
    full_mb_per_s: Spread = field(default_factory=lambda: Spread.of([]))
    rss_full_children_mb: Spread = field(default_factory=lambda: Spread.of([]))

    @property
    def speedup(self) -> float:
        """Median full build time over median one-file re-index time."""
        return self.full_seconds.median / self.one_file_seconds.median

    @property
    def one_file_share(self) -> float:
        """Median one-file re-index wall time as a fraction of the median full build."""
        return self.one_file_seconds.median / self.full_seconds.median


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
    label: str = "bundled",
    passage_bytes: int = 0,
) -> IncrementalFigures:
    """Measure unchanged and one-file index runs of the writable ``corpus`` into
    ``data_dir``, against ``full`` (worker results of full builds of the same corpus into
    ``data_dir``; when empty, ``runs`` full builds are made here first).  ``passage_bytes``
    (the passage text of the full build) gives the full build's MB/s.

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
    per_s = [b for b in full if b.get("seconds")]
    return IncrementalFigures(
        label=label,
        documents=int(full[-1].get("documents", 0)),
        text_bytes=passage_bytes,
        full_documents_per_s=Spread.of([b["documents"] / b["seconds"] for b in per_s]),
        full_passages_per_s=Spread.of([b["passages"] / b["seconds"] for b in per_s]),
        full_mb_per_s=Spread.of(
            [passage_bytes / 1e6 / b["seconds"] for b in per_s] if passage_bytes else []
        ),
        rss_full_children_mb=Spread.of(
            [b["rss_children_mb"] for b in full if b.get("rss_children_mb")]
        ),
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


def bench_incremental_scale(
    passages: int,
    shared: Path,
    workdir: Path,
    *,
    runs: int,
    progress: Callable[[str], None],
) -> IncrementalFigures:
    """The incremental re-index on a corpus folder of whole laws-md files holding at least
    ``passages`` passages (:func:`~benchmarks.scale.write_law_corpus`): one full
    ``run_index``, then :func:`bench_incremental` with ``runs`` runs.  The corpus folder
    and data folder are made in ``workdir`` and removed afterwards.

    Raises :class:`~benchmarks.scale.SharedDataMissing` when laws-md is absent.
    """
    label = scale_label(passages)
    folder, data_dir = workdir / f"laws-{label}", workdir / f"data-laws-{label}"
    try:
        progress(f"incrementeel {label}: laws-md-bestanden kopiëren tot {passages:,} passages")
        corpus = write_law_corpus(folder, shared, passages)
        progress(
            f"incrementeel {label}: {corpus.files:,} bestanden ({corpus.passages:,} passages) "
            f"in {corpus.seconds:.0f} s gekopieerd; volledige index (run_index)"
        )
        full = run_index_subprocess(folder, data_dir)
        return bench_incremental(
            folder,
            data_dir,
            runs=runs,
            progress=progress,
            full=[full],
            label=label,
            passage_bytes=text_bytes(Path(full["store_path"])),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def render_incremental(figures: IncrementalFigures) -> list[str]:
    """The incremental-rebuild table as Markdown lines."""
    f = figures
    what = "bundled corpus" if f.label == "bundled" else f"laws-md corpus of {f.label} passages"
    out = [
        f"### Incremental re-index ({what}, `run_index` = `kennisbank index`)",
        "",
        "| run | files parsed | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        f"| full build ({f.files:,} files, {f.passages:,} passages) | {f.files:,} "
        f"| {f.full_seconds.fmt(2)} | {f.full_cpu_seconds.fmt(2)} | {f.rss_full_mb.fmt(0)} |",
        f"| nothing changed | {f.unchanged_parsed} | {f.unchanged_seconds.fmt(2)} "
        f"| {f.unchanged_cpu_seconds.fmt(2)} | – |",
        f"| one file changed (`{f.changed_file}`, one sentence appended) | {f.one_file_parsed} "
        f"| {f.one_file_seconds.fmt(2)} | {f.one_file_cpu_seconds.fmt(2)} "
        f"| {f.rss_one_file_mb.fmt(0)} |",
        "",
        f"- One-file re-index: {f.speedup:.1f}× faster than the full build "
        f"({100 * f.one_file_share:.0f} % of its wall time, "
        f"{100 * f.one_file_cpu_seconds.median / f.full_cpu_seconds.median:.0f} % of its CPU "
        "time; medians).",
    ]
    if f.label != "bundled":
        out.append(
            f"- Full build, whole pipeline (parse, entity extraction, knowledge graph, search "
            f"index; one run): {f.full_documents_per_s.fmt(1)} documents/s, "
            f"{f.full_passages_per_s.fmt(0)} passages/s, {f.full_mb_per_s.fmt(2)} MB/s of "
            f"passage text, peak RSS {f.rss_full_mb.fmt(0)} MB (index writer processes: "
            f"{f.rss_full_children_mb.fmt(0)} MB)."
        )
    return [*out, ""]
