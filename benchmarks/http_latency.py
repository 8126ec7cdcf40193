"""Query latency over HTTP against a real ``kennisbank serve``, and the server's peak RSS.

:func:`serving` starts ``python -m cli serve`` on 127.0.0.1 and a free port over an
already built data folder (the bundled corpus's, or a scale corpus published as a
generation by :mod:`benchmarks.publish`; the server does not index at start), waits until it
answers and stops it afterwards.  :func:`measure_http` sends the query set sequentially
over one keep-alive connection as ``GET /api/search?q=…&limit=10`` (facet filters as
``f.<name>=…`` where the web interface has that facet): one untimed warm-up pass, then
``runs`` timed passes; the time per request includes reading the whole JSON answer.
The server's peak RSS is ``VmHWM`` from ``/proc/<pid>/status`` after the last pass.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.load import HOST, serving
from benchmarks.queries import BenchQuery
from benchmarks.results import PERCENTILES
from benchmarks.stats import Spread, latency_percentiles
from web.params import ENGINE_FIELDS

#: Bound on a server start over a built index (seconds).
START_TIMEOUT = 120.0
#: Per-request timeout (seconds).
REQUEST_TIMEOUT = 60.0


@dataclass
class HttpFigures:
    """HTTP latency of one query set on one corpus, with the server's memory."""

    label: str
    queries: int
    runs: int
    latency: dict[str, Spread]
    statuses: dict[int, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    rss_mb: float = 0.0
    start_seconds: float = 0.0


def read_status_kb(pid: int, key: str) -> int | None:
    """A ``kB`` figure (``VmHWM``, ``VmRSS``) from ``/proc/<pid>/status``; None when the
    process or the field is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def search_path(query: BenchQuery, url_names: dict[str, str]) -> str:
    """``/api/search?…`` for ``query`` (filters the web interface lacks are left out)."""
    params: list[tuple[str, str]] = [("q", query.text), ("limit", "10")]
    for name, values in (query.filters or {}).items():
        if name in url_names:
            params += [(f"f.{url_names[name]}", str(v)) for v in values]
    return "/api/search?" + urlencode(params)


def _url_names() -> dict[str, str]:
    return {engine: url for url, engine in ENGINE_FIELDS.items()}


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def measure_http(
    label: str, port: int, pid: int, queries: Sequence[BenchQuery], runs: int
) -> HttpFigures:
    """Time every query over HTTP (one warm-up pass, then ``runs`` passes)."""
    names = _url_names()
    paths = [search_path(q, names) for q in queries]
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    per_run: list[dict[str, float]] = []
    statuses: dict[int, int] = {}
    try:
        for path in paths:
            _get(conn, path)
        for _ in range(max(1, runs)):
            times: list[float] = []
            for path in paths:
                started = time.perf_counter()
                status = _get(conn, path)
                times.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
            per_run.append(latency_percentiles(times))
    finally:
        conn.close()
    return HttpFigures(
        label=label,
        queries=len(paths),
        runs=len(per_run),
        latency={p: Spread.of([r[p] for r in per_run]) for p in PERCENTILES},
        statuses=statuses,
        peak_rss_mb=round((read_status_kb(pid, "VmHWM") or 0) / 1024, 1),
        rss_mb=round((read_status_kb(pid, "VmRSS") or 0) / 1024, 1),
    )


def bench_http(
    data_dir: Path,
    corpus: Path,
    query_sets: Sequence[tuple[str, Sequence[BenchQuery]]],
    runs: int,
    workdir: Path,
    progress: Callable[[str], None],
    label: str = "bundled",
) -> list[HttpFigures]:
    """Start one server over ``data_dir`` and measure :func:`measure_http` for each named
    query set (labelled ``<label> / <name>``); the server's peak RSS is read after each.
    The server's output goes to ``workdir/serve-<label>.log``."""
    started = time.perf_counter()
    rows = []
    with serving(data_dir, corpus, workdir / f"serve-{label}.log") as server:
        start_seconds = round(time.perf_counter() - started, 2)
        for name, queries in query_sets:
            progress(
                f"HTTP {label}: {len(queries)} {name}-zoekvragen × {runs} via kennisbank serve"
            )
            figures = measure_http(f"{label} / {name}", server.port, server.proc.pid, queries, runs)
            figures.start_seconds = start_seconds
            rows.append(figures)
    return rows


def render_http(rows: Sequence[HttpFigures], in_process: dict[str, dict[str, Spread]]) -> list[str]:
    """The HTTP latency table; ``in_process`` maps a corpus label to its in-process
    Whoosh percentiles of the same query set (for the ×in-process columns)."""
    out = [
        "### Query latency over HTTP (ms; `GET /api/search?q=…&limit=10`, sequential, "
        "one keep-alive connection) and server memory",
        "",
        "| corpus | n | HTTP p50 | HTTP p95 | HTTP p99 | ×in-process p50 | ×in-process p95 "
        "| status codes | server start s | server peak RSS MB (VmHWM) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for f in rows:
        own = in_process.get(f.label, {})
        ratio = {
            p: f"{f.latency[p].median / own[p].median:.1f}"
            if p in own and own[p].median > 0
            else "–"
            for p in ("p50", "p95")
        }
        codes = ", ".join(f"{c}: {n}" for c, n in sorted(f.statuses.items())) or "–"
        out.append(
            f"| {f.label} | {f.queries} | {f.latency['p50'].fmt(1)} | {f.latency['p95'].fmt(1)} "
            f"| {f.latency['p99'].fmt(1)} | {ratio['p50']} | {ratio['p95']} | {codes} "
            f"| {f.start_seconds:.1f} | {f.peak_rss_mb:,.0f} |"
        )
    out += [
        "",
        "- ×in-process: HTTP median over the in-process Whoosh median of the same queries "
        "(measured in separate passes of the same run; the API also builds the JSON context).",
        "- Server start: until the first answer, including the manifest check (checksums of "
        "the store and the index) that `kennisbank serve` does before it opens a generation; "
        "scale corpora are served from a published generation (`benchmarks/publish.py`) and "
        "the server indexes nothing.",
        "",
    ]
    return out
