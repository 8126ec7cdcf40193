"""Plain-text renderings of the library's results, for a terminal (``kennisbank`` commands).

Each function takes the plain data a library function returns (the ``to_dict()`` of a
search result, an entity card, a document …) and gives the Dutch lines to print, so
that the command line only parses options and prints.  The web app renders the same
data as HTML in its templates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "document_lines",
    "documents_lines",
    "entity_card_lines",
    "entity_list_lines",
    "plain_snippet",
    "ref_lines",
    "search_lines",
]

_MARK = re.compile(r"<mark>(.*?)</mark>")
_TAG = re.compile(r"<[^>]+>")


def plain_snippet(snippet_html: str) -> str:
    """A highlighted HTML snippet as plain text, the highlights between «guillemets»."""
    return html.unescape(_TAG.sub("", _MARK.sub(r"«\1»", snippet_html)))


def search_lines(data: dict[str, Any], query: str, offset: int = 0) -> list[str]:
    """A search result (``SearchResult.to_dict()``): notes, suggestion, hits and top facets.

    Hits are numbered from ``offset + 1``.
    """
    lines = [f"Let op: {note}" for note in data["notes"]]
    if data.get("suggestion"):
        lines.append(f"Bedoelde u: {data['suggestion']}?")
    lines.append(f"{data['total']} passages gevonden voor: {data['parsed'] or query}")
    for n, hit in enumerate(data["hits"], start=offset + 1):
        where = " › ".join(hit["section_path"])
        lines.append(f"\n{n}. {hit['document_title']} ({hit.get('year') or '?'}) — {where}")
        lines.append(f"   {plain_snippet(hit['snippet_html'])}")
        lines.append(f"   /document/{hit['document_id']}#p-{hit['passage_id']}")
    for field_name, values in data["facets"].items():
        top = ", ".join(f"{v['label']} ({v['count']})" for v in values[:5])
        if top:
            lines.append(f"[{field_name}] {top}")
    return lines


def documents_lines(documents: Sequence[dict[str, Any]]) -> list[str]:
    """The document list (``Store.documents()``): one line each, then its section outline."""
    lines = []
    for doc in documents:
        lines.append(
            f"{doc['id']}  {doc['title']}  [{doc['type']}, {doc['year'] or '?'}]"
            f"  {doc['passages']} passages"
        )
        for section in doc["sections"]:
            lines.append(f"{'  ' * section['level']}- {section['title']}")
    return lines


def document_lines(document: dict[str, Any]) -> list[str]:
    """One document with its passages (``Store.document_with_passages()``)."""
    lines = [f"{document['title']} ({document['type']}, {document['year'] or 'jaar onbekend'})"]
    for p in document["passages"]:
        where = " › ".join(p["section_path"])
        lines.append(f"\n[{p['id']}] {p['kind']} — {where}\n{p['text']}")
    return lines


def ref_lines(refs: Sequence[dict[str, Any]]) -> list[str]:
    """Found Kamerstuk references (``KamerstukRef.to_dict()``), or the line that none were."""
    if not refs:
        return ["Geen Kamerstukverwijzing gevonden."]
    return [
        f"{r['citation']}\n  id: {r['identifier']}  dossier: {r['dossier']}  "
        f'nr: {r["ondernummer"]}\n  {r["url"]}\n  gevonden: "{r["text"]}"'
        for r in refs
    ]


def entity_list_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The entity list (``graph.list_entities()``): name, type, counts and a few aliases."""
    if not rows:
        return ["Geen entiteiten gevonden."]
    lines = []
    for row in rows:
        aliases = ", ".join(a["text"] if isinstance(a, dict) else a for a in row["aliases"][:4])
        lines.append(
            f"{row['id']}  {row['name']}  [{row['type']}]  {row['mentions']} vermeldingen"
            f" in {row['documents']} documenten" + (f"  (ook: {aliases})" if aliases else "")
        )
    return lines


def entity_card_lines(card: dict[str, Any]) -> list[str]:
    """An entity card (``graph.entity_card()``): facts, sources, links, passages, commitments."""
    lines = [
        f"{card['name']}  [{card['type']}]  {card['id']}",
        f"{card['mentions']} vermeldingen in {card['documents']} documenten",
    ]
    lines += [f"  {key}: {value}" for key, value in card["attributes"].items()]
    for source in card["sources"][:5]:
        where = source.get("document") or source.get("source") or ""
        lines.append(
            f"  bron ({source.get('fact', '')}): {where} {source.get('where', '')}".rstrip()
        )
    for label, items in card["links"].items():
        lines.append(f"{label}:")
        for item in items:
            lines.append(
                f"  - {item['name']} ({item['id']}) bewijs: {', '.join(item['evidence'][:3])}"
            )
            if item["quote"]:
                lines.append(f'      "{item["quote"]}"')
    if card["passages"]:
        lines.append("Passages:")
        lines += [f"  [{p['document_id']}#p-{p['id']}] {p['text'][:160]}" for p in card["passages"]]
    if card["commitments"]:
        lines.append("Toezeggingen:")
        lines += [f"  - {c['text'][:200]} ({', '.join(c['refs'])})" for c in card["commitments"]]
    return lines
