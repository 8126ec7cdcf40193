"""Snippets: the best window of a passage, escaped, with ``<mark>`` around matches; and the
passage's answering sentence (:func:`answer_sentence`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from kennisbank.refs import find_refs
from kennisbank.search.results import Answer

#: Characters of passage text a snippet shows at most.
SNIPPET_CHARS = 320
#: A sentence ends at ``.``, ``!`` or ``?`` followed by white space and a capital,
#: a quote or a bracket (``nr. 5`` and ``o.a. de`` do not end one), or at a line break.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[A-Z\u00c0-\u00de\"\u2018\u201c'(\[])|\n+"
)


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


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, surrounding white space left out."""
    found = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        if m is not None and text[m.start()] in '"\u201d\u2019)':
            end += 1  # a closing quote or bracket belongs to the sentence
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            found.append((s, e))
        start = m.end() if m is not None else len(text)
    return found


def answer_sentence(
    text: str, hits: Iterable[tuple[int, int, str]], weights: Mapping[str, float]
) -> Answer | None:
    """The sentence of ``text`` that best covers the query: the most weight (see
    :func:`~kennisbank.search.whoosh_backend.highlight.term_weights`) of distinct query
    terms (``hits``: ``(start, end, term)`` spans, expansions included) inside it, ties
    to the shorter sentence; ``None`` when no sentence holds a query term."""
    spans = sorted(hits)
    best: tuple[float, int, int, int] | None = None
    for start, end in sentences(text):
        terms = {term for s, e, term in spans if s >= start and e <= end}
        if not terms:
            continue
        score = sum(weights.get(t, 1.0) for t in terms)
        key = (-score, end - start, start, end)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    _, _, start, end = best
    return Answer(text=text[start:end], start=start, end=end)


__all__ = ["SNIPPET_CHARS", "answer_sentence", "sentences", "snippet_html"]
