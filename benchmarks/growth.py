"""How cost grows with the corpus: a table and a hand-written SVG line chart.

The points are the scale corpora of one run (10k / 100k / 500k passages by default): the
Whoosh build time and the p95 latency of the generated queries, each next to FTS5 on
the same passages.  The chart has two panels with logarithmic axes (passages against
p95 ms, passages against build seconds); every line is a ``<g class="series"
data-series="…">``, so tests and readers can find them.

``python -m benchmarks.growth --from-json results.json [more.json] --svg benchmarks/cost.svg``
redraws the table and the chart from saved ``--json`` reports.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

#: ``(series id, legend label, colour, dash)`` per panel.
LATENCY_SERIES = (
    ("whoosh-p95", "Whoosh p95 (facets + snippets)", "#1f5fa8", ""),
    ("fts5-p95", "FTS5 p95 (snippets)", "#d9730d", "6 4"),
)
BUILD_SERIES = (
    ("whoosh-build", "Whoosh build_search_index", "#1f5fa8", ""),
    ("fts5-build", "FTS5 build", "#d9730d", "6 4"),
)
PANEL_W, PANEL_H, MARGIN = 380, 300, (20, 20, 55, 62)  # top, right, bottom, left


@dataclass(frozen=True)
class GrowthPoint:
    """One scale corpus: its size, build and p95 latency, Whoosh and FTS5."""

    label: str
    passages: int
    build_seconds: float
    build_cpu_seconds: float
    passages_per_s: float
    index_mb: float
    whoosh_p50: float
    whoosh_p95: float
    fts5_p95: float
    fts5_build_seconds: float


def _median(spread: Any) -> float:
    if spread is None:
        return math.nan
    if isinstance(spread, dict):
        return float(spread.get("median", math.nan))
    return float(spread.median)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def growth_points(corpora: Sequence[Any]) -> list[GrowthPoint]:
    """Points of the measured scale corpora (``CorpusResult`` objects or their JSON dicts),
    smallest first; latency from the ``generated`` query set."""
    points = []
    for c in corpora:
        build, latency = _get(c, "build"), _get(c, "latency") or []
        if _get(c, "skipped") or not _get(c, "scale") or build is None or not latency:
            continue
        chosen = next((ls for ls in latency if _get(ls, "name") == "generated"), latency[-1])
        whoosh, fts5 = _get(chosen, "whoosh"), _get(chosen, "fts5")
        points.append(
            GrowthPoint(
                label=str(_get(c, "label")),
                passages=int(_get(c, "passages")),
                build_seconds=_median(_get(build, "seconds")),
                build_cpu_seconds=_median(_get(build, "cpu_seconds")),
                passages_per_s=_median(_get(build, "passages_per_s")),
                index_mb=float(_get(build, "index_mb")),
                whoosh_p50=_median(whoosh["p50"]),
                whoosh_p95=_median(whoosh["p95"]),
                fts5_p95=_median(fts5["p95"]),
                fts5_build_seconds=_median(_get(build, "fts5_seconds")),
            )
        )
    return sorted(points, key=lambda p: p.passages)


def _times(new: float, old: float | None) -> str:
    return f" (×{new / old:.1f})" if old else ""


def render_growth(points: Sequence[GrowthPoint], svg_name: str | None = None) -> list[str]:
    """The cost-growth table (with the growth factor to the previous size in brackets)."""
    out = [
        "### How cost grows (scale corpora; Whoosh next to FTS5, generated queries)",
        "",
    ]
    if not points:
        return out + ["No scale corpus was measured in this run.", ""]
    out += [
        "| passages | build s | passages/s | build CPU s | index MB | Whoosh p50 ms "
        "| Whoosh p95 ms | FTS5 p95 ms | ×FTS5 p95 | FTS5 build s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    prev: GrowthPoint | None = None
    for p in points:
        build = f"{p.build_seconds:,.1f}{_times(p.build_seconds, prev and prev.build_seconds)}"
        whoosh = f"{p.whoosh_p95:,.1f}{_times(p.whoosh_p95, prev and prev.whoosh_p95)}"
        fts5 = f"{p.fts5_p95:,.1f}{_times(p.fts5_p95, prev and prev.fts5_p95)}"
        cpu_growth = _times(p.build_cpu_seconds, prev and prev.build_cpu_seconds)
        cpu = f"{p.build_cpu_seconds:,.1f}{cpu_growth}"
        size = f"{p.index_mb:,.1f}{_times(p.index_mb, prev and prev.index_mb)}"
        out.append(
            f"| {p.passages:,} | {build} | {p.passages_per_s:,.0f} | {cpu} "
            f"| {size} | {p.whoosh_p50:,.1f} | {whoosh} | {fts5} "
            f"| {p.whoosh_p95 / p.fts5_p95:,.1f} | {p.fts5_build_seconds:,.2f} |"
        )
        prev = p
    out += ["", "- (×n): growth against the previous row."]
    if svg_name:
        out += ["", f"![Cost against corpus size]({svg_name})"]
    return out + [""]


# -- the chart -------------------------------------------------------------------------------


def _decades(values: Sequence[float]) -> tuple[int, int]:
    clean = [v for v in values if v > 0 and math.isfinite(v)]
    if not clean:
        return 0, 1
    low, high = math.floor(math.log10(min(clean))), math.ceil(math.log10(max(clean)))
    return low, max(high, low + 1)


def _tick_label(exponent: int, unit: str = "") -> str:
    value = 10.0**exponent
    if unit == "passages":
        return (
            f"{value / 1e6:g}M"
            if value >= 1e6
            else f"{value / 1e3:g}k"
            if value >= 1e3
            else f"{value:g}"
        )
    return f"{value:g}"


def _panel(
    x0: float,
    title: str,
    y_label: str,
    passages: Sequence[int],
    series: Sequence[tuple[str, str, str, str, Sequence[float]]],
) -> list[str]:
    top, right, bottom, left = MARGIN
    plot_w, plot_h = PANEL_W - left - right, PANEL_H - top - bottom
    px0, py0 = x0 + left, top + 20
    xd, yd = _decades(passages), _decades([v for *_, vs in series for v in vs])

    def sx(v: float) -> float:
        return px0 + (math.log10(v) - xd[0]) / (xd[1] - xd[0]) * plot_w

    def sy(v: float) -> float:
        return py0 + plot_h - (math.log10(v) - yd[0]) / (yd[1] - yd[0]) * plot_h

    out = [
        f'<g class="panel" data-panel="{escape(y_label)}">',
        f'<text x="{x0 + PANEL_W / 2:.1f}" y="16" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<rect x="{px0:.1f}" y="{py0:.1f}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#888"/>',
    ]
    for e in range(xd[0], xd[1] + 1):
        x = sx(10.0**e)
        out += [
            f'<line x1="{x:.1f}" y1="{py0:.1f}" x2="{x:.1f}" y2="{py0 + plot_h:.1f}" '
            'stroke="#ddd"/>',
            f'<text x="{x:.1f}" y="{py0 + plot_h + 16:.1f}" text-anchor="middle">'
            f"{_tick_label(e, 'passages')}</text>",
        ]
    for e in range(yd[0], yd[1] + 1):
        y = sy(10.0**e)
        out += [
            f'<line x1="{px0:.1f}" y1="{y:.1f}" x2="{px0 + plot_w:.1f}" y2="{y:.1f}" '
            'stroke="#ddd"/>',
            f'<text x="{px0 - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{_tick_label(e)}</text>',
        ]
    out += [
        f'<text class="axis-label" x="{px0 + plot_w / 2:.1f}" y="{py0 + plot_h + 36:.1f}" '
        'text-anchor="middle">passages (log scale)</text>',
        f'<text class="axis-label" x="{x0 + 14:.1f}" y="{py0 + plot_h / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 {x0 + 14:.1f} {py0 + plot_h / 2:.1f})">'
        f"{escape(y_label)} (log scale)</text>",
    ]
    for i, (sid, label, colour, dash, values) in enumerate(series):
        pts = [(sx(p), sy(v)) for p, v in zip(passages, values, strict=True) if v > 0]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="series" data-series="{sid}">')
        if len(pts) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            )
        for (x, y), p, v in zip(pts, passages, values, strict=False):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(label)}: {p:,} passages, {v:,.1f}</title></circle>"
            )
        ly = py0 + 10 + 16 * i
        out += [
            f'<line x1="{px0 + 8:.1f}" y1="{ly:.1f}" x2="{px0 + 30:.1f}" y2="{ly:.1f}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>',
            f'<text class="legend" x="{px0 + 35:.1f}" y="{ly + 4:.1f}">{escape(label)}</text>',
            "</g>",
        ]
    out.append("</g>")
    return out


def render_svg(points: Sequence[GrowthPoint], caption: str | Sequence[str] = ()) -> str:
    """A two-panel SVG line chart (log–log) of p95 latency and build time against passages,
    with ``caption`` (one line per string) below."""
    lines = [caption] if isinstance(caption, str) else list(caption)
    width, height = 2 * PANEL_W, PANEL_H + 26 + 14 * len(lines)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>Kennisbank: cost against corpus size</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    if not points:
        body = [
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">'
            "Geen schaalcorpora gemeten.</text>"
        ]
    else:
        passages = [p.passages for p in points]
        latency = [
            (*LATENCY_SERIES[0], [p.whoosh_p95 for p in points]),
            (*LATENCY_SERIES[1], [p.fts5_p95 for p in points]),
        ]
        build = [
            (*BUILD_SERIES[0], [p.build_seconds for p in points]),
            (*BUILD_SERIES[1], [p.fts5_build_seconds for p in points]),
        ]
        body = _panel(0, "Query latency p95", "ms", passages, latency)
        body += _panel(PANEL_W, "Index build time", "seconds", passages, build)
    for i, line in enumerate(lines):
        body.append(
            f'<text x="{width / 2}" y="{PANEL_H + 30 + 14 * i}" text-anchor="middle" '
            f'fill="#555">{escape(line)}</text>'
        )
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Redraw the growth table and chart from saved ``--json`` reports (several reports are
    merged, e.g. the small scales from one run and 500k from another)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=__doc__)
    parser.add_argument(
        "--from-json", type=Path, nargs="+", required=True, help="rapport(en) van --json"
    )
    parser.add_argument("--svg", type=Path, default=None, help="SVG-grafiek naar dit bestand")
    args = parser.parse_args(argv)
    corpora: list[Any] = []
    captions: list[str] = []
    for path in args.from_json:
        data = json.loads(path.read_text(encoding="utf-8"))
        report = data.get("search", data)
        corpora += report.get("corpora", [])
        captions.append(f"{report.get('started', '')[:10]}: {report.get('command', '')}")
    points = growth_points(corpora)
    if args.svg:
        args.svg.write_text(render_svg(points, captions), encoding="utf-8")
    print("\n".join(render_growth(points, args.svg.name if args.svg else None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
