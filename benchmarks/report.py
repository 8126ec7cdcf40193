"""The Markdown report of :mod:`benchmarks.search_bench`: targets, tables, profiles."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import whoosh

from benchmarks.profiling import VARIANTS
from benchmarks.results import PERCENTILES, BenchReport, CorpusResult, LatencySet, Target

#: Targets from the issue.
TARGET_BUNDLED_P95_MS = 20.0
TARGET_SCALE_P95_MS = 50.0
TARGET_SCALE_PASSAGES = 100_000
TARGET_FTS5_RATIO = 3.0
TARGET_BUILD_PER_S = 3000.0


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
        "| corpus | passages | documents | text MB | build | build s | documents/s | passages/s "
        "| MB/s "
        "| CPU s | passages/CPU-s | index MB | peak RSS MB (main / writer proc) "
        "| FTS5 build passages/s | FTS5 index MB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in measured:
        b = c.build
        if b is None:
            continue
        out.append(
            f"| {c.label} | {c.passages:,} | {c.documents:,} | {c.text_bytes / 1e6:.1f} "
            f"| {b.method} | {b.seconds.fmt(1)} | {b.documents_per_s.fmt(1)} "
            f"| {b.passages_per_s.fmt(0)} "
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
    out += render_facet_cost(measured)
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


def render_facet_cost(corpora: Sequence[CorpusResult]) -> list[str]:
    """The facet-count overhead table: generated queries with and without facet counts."""
    rows = [c for c in corpora if c.facet_cost is not None]
    if not rows:
        return []
    out = [
        "",
        "### Facet-count overhead (ms; Whoosh, snippets on, 10 hits; generated queries)",
        "",
        "| corpus | n | p50 with facets | p50 without | p95 with facets | p95 without "
        "| ×p50 | ×p95 | mean extra ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in rows:
        f = c.facet_cost
        assert f is not None
        out.append(
            f"| {c.label} | {f.queries} | {f.with_facets['p50'].fmt(1)} "
            f"| {f.without_facets['p50'].fmt(1)} | {f.with_facets['p95'].fmt(1)} "
            f"| {f.without_facets['p95'].fmt(1)} | {f.ratio['p50'].fmt(2)} "
            f"| {f.ratio['p95'].fmt(2)} | {f.mean_extra_ms.fmt(2)} |"
        )
    return out


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
