"""Safe HTML from text: links around spans, highlight snippets, entity URLs.

Everything a document says is escaped; the only markup on a page is ours
(``<a>`` around a span, ``<mark>`` around a search term).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from web.entity_types import CARD_TYPES

#: Any ``<`` that does not open or close a bare ``<mark>`` element.
_NOT_MARK = re.compile(r"<(?!/?mark>)")


def entity_url(entity_id: str) -> str | None:
    """The card URL of an entity id ``<type>/<slug>``, or None for a type without cards."""
    entity_type, _, slug = entity_id.partition("/")
    if entity_type not in CARD_TYPES or not slug or "/" in slug:
        return None
    return url_for("views.entity", entity_type=entity_type, slug=slug)


def safe_snippet(snippet_html: str) -> Markup:
    """A search snippet as markup in which ``<mark>``/``</mark>`` are the only tags.

    The engine already escapes the text; this is a second line of defence: any
    other ``<`` is escaped, so no element or attribute of a document survives.
    """
    return Markup(_NOT_MARK.sub("&lt;", snippet_html or ""))


def linkify(text: str, spans: Iterable[Mapping[str, Any]]) -> Markup:
    """``text`` escaped, with ``<a>`` around each span ``{start, end, href, title?, cls?}``.

    Spans are taken in order of start (longest first); a span that overlaps one
    already taken, or lies outside the text, is skipped.
    """
    parts: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end, href = span["start"], span["end"], span.get("href")
        if not href or start < pos or end > len(text) or start >= end:
            continue
        parts.append(str(escape(text[pos:start])))
        title = span.get("title")
        title_attr = f' title="{escape(title)}"' if title else ""
        cls = escape(span.get("cls") or "mention")
        parts.append(
            f'<a class="{cls}" href="{escape(href)}"{title_attr}>{escape(text[start:end])}</a>'
        )
        pos = end
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))


def _spans(
    mentions: Iterable[Mapping[str, Any]], refs: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Link spans for a passage: references to their Kamerstuk page, mentions to their card."""
    spans: list[dict[str, Any]] = []
    for ref in refs:
        if ref.get("passage_start") is not None:
            spans.append(
                {
                    "start": ref["passage_start"],
                    "end": ref["passage_end"],
                    "cls": "ref",
                    "href": url_for("views.kamerstuk", ref=ref["identifier"]),
                    "title": ref.get("citation"),
                }
            )
    for mention in mentions:
        spans.append(
            {
                "start": mention["start"],
                "end": mention["end"],
                "cls": "mention",
                "href": entity_url(mention["entity_id"]),
                "title": f"{mention.get('type', '')}: {mention.get('name', '')}",
            }
        )
    return spans


def passage_html(
    text: str, mentions: Iterable[Mapping[str, Any]] = (), refs: Iterable[Mapping[str, Any]] = ()
) -> Markup:
    """A passage's text, escaped, with its references and entity mentions linked."""
    return linkify(text, _spans(mentions, refs))


def passage_lines(
    text: str,
    mentions: Iterable[Mapping[str, Any]] = (),
    refs: Iterable[Mapping[str, Any]] = (),
    bullet: str = "• ",
) -> list[Markup]:
    """Like :func:`passage_html`, one item per line (for lists), without the bullet."""
    spans = _spans(mentions, refs)
    lines: list[Markup] = []
    pos = 0
    for line in text.split("\n"):
        skip = len(bullet) if bullet and line.startswith(bullet) else 0
        start, end = pos + skip, pos + len(line)
        inner = [
            {**s, "start": s["start"] - start, "end": s["end"] - start}
            for s in spans
            if start <= s["start"] and s["end"] <= end
        ]
        lines.append(linkify(text[start:end], inner))
        pos = end + 1
    return lines


def aantal(n: Any, enkelvoud: str, meervoud: str) -> str:
    """``n`` with the singular or the plural noun: ``1 passage``, ``4 passages``, ``0
    passages`` (the template filter ``{{ n | aantal("passage", "passages") }}``)."""
    count = int(n or 0)
    return f"{count} {enkelvoud if count == 1 else meervoud}"


_NUMBER_SPACE = re.compile(r"(?<=\d)(?: / | )(?=\d{3}\b)|(?<=nr\.) (?=\d)")


def nobreak(text: Any) -> str:
    """``text`` with the spaces inside dossier numbers ("30 995") and after "nr." made
    non-breaking, so a number is never split across lines (template filter ``nobreak``)."""
    return _NUMBER_SPACE.sub(lambda m: m.group().replace(" ", "\u00a0"), str(text))
