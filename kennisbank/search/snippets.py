"""Snippets: the best window of a passage, escaped, with ``<mark>`` around matches."""

from __future__ import annotations

import html
from collections.abc import Iterable

from kennisbank.refs import find_refs

#: Characters of passage text a snippet shows at most.
SNIPPET_CHARS = 320


def snippet_html(
    text: str,
    spans: Iterable[tuple[int, int]],
    ref_ids: Iterable[str] = (),
    max_chars: int = SNIPPET_CHARS,
) -> str:
    """Safe HTML of the best window of ``text``: everything escaped, and only ``<mark>``
    around the character ``spans`` (matched words, read from the index, so stems and
    compound parts count) and around references to one of ``ref_ids``."""
    marks = [(s, e) for s, e in spans if 0 <= s < e <= len(text)]
    wanted = set(ref_ids)
    if wanted:
        marks += [(r.start, r.end) for r in find_refs(text) if r.identifier in wanted]
    merged: list[list[int]] = []
    for s, e in sorted(marks):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    start, end = _window(text, merged, max_chars)
    out = ["… " if start > 0 else ""]
    pos = start
    for s, e in merged:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    out.append(" …" if end < len(text) else "")
    return "".join(out)


def _window(text: str, spans: list[list[int]], max_chars: int) -> tuple[int, int]:
    """The ``max_chars`` window with the most marked spans, cut at spaces."""
    if len(text) <= max_chars:
        return 0, len(text)
    best, start = -1, 0
    for s, _ in spans:
        candidate = max(0, s - max_chars // 6)
        inside = sum(1 for a, b in spans if a >= candidate and b <= candidate + max_chars)
        if inside > best:
            best, start = inside, candidate
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", end - 40, end)
        end = space if space > start else end
    return start, end


__all__ = ["SNIPPET_CHARS", "snippet_html"]
