"""Server-side SVG pictures: bar charts of facet values, a timeline, a relation graph.

The SVG is inline in the page, built from escaped text only; colours come from
classes in ``static/style.css`` (the CSP allows no inline styles).  Every chart
has a ``<title>`` and ``<desc>``: ``role="img"`` for a picture, ``role="group"`` for a chart
whose bars or nodes are links (an image cannot hold links for assistive technology; each
link is named by its own text, the label and the count).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

#: Longest label (characters) drawn next to a bar or a graph node.
LABEL_CHARS = 26


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(
    ident: str, title: str, desc: str, width: int, height: int, cls: str, links: bool = False
) -> str:
    role = "group" if links else "img"
    return (
        f'<svg class="chart {cls}" role="{role}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )


def bar_chart(ident: str, title: str, values: Sequence[Mapping[str, Any]], top: int = 8) -> Markup:
    """Horizontal bars for the ``top`` values ``{label, count, url|toggle_url, selected?}``."""
    values = sorted(values, key=lambda v: -int(v.get("count") or 0))[:top]
    if not values:
        return Markup("")
    label_w, bar_w, row_h = 200, 150, 20
    width, height = label_w + bar_w + 50, row_h * len(values) + 6
    peak = max(int(v.get("count") or 0) for v in values) or 1
    desc = "; ".join(f"{v['label']}: {v.get('count', 0)}" for v in values)
    links = any(v.get("url") or v.get("toggle_url") for v in values)
    parts = [_open(ident, title, desc, width, height, "bars", links)]
    for i, value in enumerate(values):
        y = 3 + i * row_h
        count = int(value.get("count") or 0)
        length = max(1, round(bar_w * count / peak)) if count else 0
        cls = "bar selected" if value.get("selected") else "bar"
        row = (
            f'<text class="label" x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(_short(value['label']))}</text>"
            f'<rect class="{cls}" x="{label_w}" y="{y + 3}" width="{length}" height="{row_h - 6}"/>'
            f'<text class="count" x="{label_w + length + 4}" y="{y + 14}">{count}</text>'
        )
        url = value.get("url") or value.get("toggle_url")
        if url:
            row = f'<a href="{escape(url)}">{row}</a>'
        parts.append(f"<g>{row}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline(ident: str, title: str, points: Sequence[Mapping[str, Any]]) -> Markup:
    """Vertical bars per year for ``{year, count}`` points (missing years drawn as zero)."""
    counts = {int(p["year"]): int(p["count"]) for p in points}
    if not counts:
        return Markup("")
    years = list(range(min(counts), max(counts) + 1))
    col_w, plot_h = 36, 90
    width, height = max(len(years) * col_w + 10, 120), plot_h + 40
    peak = max(counts.values()) or 1
    desc = "; ".join(f"{y}: {counts.get(y, 0)} passages" for y in years)
    parts = [_open(ident, title, desc, width, height, "timeline")]
    parts.append(f'<line class="axis" x1="0" y1="{plot_h + 15}" x2="{width}" y2="{plot_h + 15}"/>')
    for i, year in enumerate(years):
        count = counts.get(year, 0)
        bar_h = round(plot_h * count / peak)
        x = 5 + i * col_w
        parts.append(
            f'<g><rect class="bar" x="{x + 4}" y="{plot_h + 15 - bar_h}" width="{col_w - 8}" '
            f'height="{bar_h}"/><text class="count" x="{x + col_w / 2}" '
            f'y="{plot_h + 11 - bar_h}" text-anchor="middle">{count or ""}</text>'
            f'<text class="label" x="{x + col_w / 2}" y="{plot_h + 32}" text-anchor="middle">'
            f"{year}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def relation_graph(
    ident: str, graph: Mapping[str, Any], url_for_entity: Callable[[str], str | None]
) -> Markup:
    """The entity in the centre, its linked entities on a circle, edges named by the link."""
    center, nodes = graph["center"], list(graph["nodes"])
    if not nodes:
        return Markup("")
    width, height = 640, 300 if len(nodes) <= 4 else 420
    cx, cy, rx, ry = width / 2, height / 2, 230, height / 2 - 30
    desc = "; ".join(f"{center['name']} — {n['label']} — {n['name']}" for n in nodes)
    links = any(url_for_entity(n["id"]) for n in (center, *nodes))
    title = f"Relaties van {center['name']}"
    parts = [_open(ident, title, desc, width, height, "graph", links)]
    points = []
    for i in range(len(nodes)):
        angle = -math.pi / 2 + 2 * math.pi * i / len(nodes)
        points.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))
    for node, (x, y) in zip(nodes, points, strict=True):
        mx, my = cx + (x - cx) * 0.55, cy + (y - cy) * 0.55
        parts.append(
            f'<line class="edge" x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}">'
            f"<title>{escape(node['label'])}</title></line>"
            f'<text class="edge-label" x="{mx:.0f}" y="{my - 4:.0f}" text-anchor="middle">'
            f"{escape(_short(node['label'], 22))}</text>"
        )
    parts.append(_node(center, cx, cy, url_for_entity, "node center"))
    for node, (x, y) in zip(nodes, points, strict=True):
        parts.append(_node(node, x, y, url_for_entity, f"node type-{escape(node['type'])}"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _node(
    node: Mapping[str, Any],
    x: float,
    y: float,
    url_for_entity: Callable[[str], str | None],
    cls: str,
) -> str:
    name = _short(node["name"], 24)
    half = 4 + 3.6 * len(name)
    body = (
        f'<rect class="{cls}" x="{x - half:.0f}" y="{y - 13:.0f}" width="{2 * half:.0f}" '
        f'height="26" rx="6"/>'
        f'<text class="node-label" x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle">'
        f"{escape(name)}</text>"
    )
    url = url_for_entity(node["id"])
    if url:
        return f'<a href="{escape(url)}"><title>{escape(node["name"])}</title>{body}</a>'
    return f"<g>{body}</g>"
