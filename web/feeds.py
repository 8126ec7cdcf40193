"""Atom 1.0 feeds: what is new for a search and for an entity.

* ``/feed?q=…&f.<facet>=…&jaar_van=…&jaar_tot=…`` — a search with the parameters of the
  search page (:func:`web.params.search_params`; ``limit`` sets the number of entries,
  default :data:`FEED_LIMIT`): its published Vraagbaak answers and passages, newest first
  (the documents' date, else their year; an answer's date of publication).
* ``/feed/<type>/<slug>`` — an entity (the types with a card): the passages that mention
  it (newest documents first), its commitments and the published Vraagbaak answers linked
  to it. A short slug that names one entity redirects (302) as the cards do.

Every entry has a stable id (the passage's or answer's permalink; ``tag:`` for a
commitment), a plain-text title and summary, its date and a link. The XML is written with
:mod:`xml.etree.ElementTree` (which escapes text and attributes); characters XML 1.0 does
not allow are dropped first.
"""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, request, url_for

from kennisbank.graph import (
    EntityNotFound,
    commitments_for,
    entity_exists,
    entity_names,
    slug_matches,
)
from kennisbank.toezeggingen import subject
from kennisbank.vraagbaak import PublishedQA
from kennisbank.vraagbaak.search import DOCTYPE_LABEL
from web.context import citation_documents, open_store, published_index
from web.entity_types import CARD_TYPES
from web.params import DEFAULT_SORT, SearchParams, search_params
from web.searching import engine, passage_filters, plain, qa_hits

bp = Blueprint("feeds", __name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
#: The media type of an Atom feed.
ATOM_MIMETYPE = "application/atom+xml"
#: The engine's sort order of a feed: newest documents first.
NEWEST_FIRST = "date"
#: Entries of a feed when ``limit`` asks for none.
FEED_LIMIT = 50
#: Characters of an entry's summary (cut at a word, with "…").
SUMMARY_CHARS = 400
#: The author of every feed.
AUTHOR = "Kennisbank Wijkenaanpak"
#: Longest slug looked up (as the entity cards).
MAX_SLUG_CHARS = 200
#: The date of an entry whose document has neither date nor year.
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)
#: The year in the ``tag:`` ids of commitments (RFC 4151 wants a date the host was held).
TAG_YEAR = 2008

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Entry:
    """One Atom entry."""

    id: str
    title: str
    updated: datetime
    link: str
    summary: str
    category: str = ""
    author: str = ""


def _text(value: Any) -> str:
    """Text that XML 1.0 can hold (ElementTree escapes ``<``, ``&`` …; this drops the rest)."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def excerpt(text: str, chars: int = SUMMARY_CHARS) -> str:
    """Plain text of at most ``chars`` characters, cut at a word with "…"."""
    flat = " ".join((text or "").split())
    if len(flat) <= chars:
        return flat
    cut = flat[:chars].rsplit(" ", 1)[0] or flat[:chars]
    return cut.rstrip(" ,;:") + " …"


def document_date(date: Any, year: Any) -> datetime:
    """The date of a document (``2010-05-01``, ``2010-05``, ``2010``) or of its year."""
    match = _DATE.match(str(date or "")) or _DATE.match(str(year or ""))
    if not match:
        return NO_DATE
    y, m, d = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
    try:
        return datetime(y, m, d, tzinfo=UTC)
    except ValueError:
        return datetime(y, 1, 1, tzinfo=UTC)


def _stamp(value: str | None) -> datetime:
    """A Vraagbaak timestamp (ISO 8601) as an aware datetime."""
    try:
        found = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return document_date(value, None)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(*, feed_id: str, title: str, self_url: str, alternate: str, entries: list[Entry]) -> bytes:
    """An Atom 1.0 document; the feed's ``updated`` is its newest entry's (or now)."""
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "nl"})
    ET.SubElement(root, "id").text = _text(feed_id)
    ET.SubElement(root, "title", {"type": "text"}).text = _text(title)
    newest = max((e.updated for e in entries), default=datetime.now(UTC))
    ET.SubElement(root, "updated").text = _rfc3339(newest)
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = AUTHOR
    ET.SubElement(root, "link", {"rel": "self", "type": ATOM_MIMETYPE, "href": _text(self_url)})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": alternate})
    ET.SubElement(root, "generator").text = AUTHOR
    for entry in entries:
        node = ET.SubElement(root, "entry")
        ET.SubElement(node, "id").text = _text(entry.id)
        ET.SubElement(node, "title", {"type": "text"}).text = _text(entry.title)
        ET.SubElement(node, "updated").text = _rfc3339(entry.updated)
        ET.SubElement(
            node, "link", {"rel": "alternate", "type": "text/html", "href": _text(entry.link)}
        )
        if entry.author:
            ET.SubElement(ET.SubElement(node, "author"), "name").text = _text(entry.author)
        if entry.category:
            ET.SubElement(node, "category", {"term": _text(entry.category)})
        ET.SubElement(node, "summary", {"type": "text"}).text = _text(entry.summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _response(body: bytes) -> Response:
    return Response(body, mimetype=ATOM_MIMETYPE)


def _passage_title(section_path: list[str], document_title: str) -> str:
    return f"{section_path[-1]} — {document_title}" if section_path else document_title


def _passage_entry(data: dict[str, Any], doc: dict[str, Any] | None) -> Entry:
    url = url_for("views.document", doc_id=data["document_id"], _external=True)
    link = f"{url}#p-{data['passage_id']}"
    title = data.get("document_title") or (doc or {}).get("title") or data["document_id"]
    return Entry(
        id=link,
        title=_passage_title(list(data.get("section_path") or []), title),
        updated=document_date((doc or {}).get("date"), (doc or {}).get("year") or data.get("year")),
        link=link,
        summary=excerpt(data.get("text") or ""),
        category="passage",
    )


def _answer_entry(qa: PublishedQA) -> Entry:
    link = url_for("vraagbaak.published", vraag_id=qa.id, _external=True)
    return Entry(
        id=link,
        title=f"{DOCTYPE_LABEL}: {qa.vraag}",
        updated=_stamp(qa.bijgewerkt or qa.gepubliceerd),
        link=link,
        summary=excerpt(qa.antwoord),
        category="vraag-en-antwoord",
        author=qa.centrum_naam or "",
    )


def _newest(entries: list[Entry], limit: int) -> list[Entry]:
    return sorted(entries, key=lambda e: e.updated, reverse=True)[:limit]


# -- the search's feed --------------------------------------------------------------------------


def _search_title(params: SearchParams) -> str:
    if params.q:
        return f"{AUTHOR}: nieuw voor “{params.q}”"
    if params.has_filters:
        return f"{AUTHOR}: nieuw met de gekozen filters"
    return f"{AUTHOR}: nieuwste passages en antwoorden"


def search_entries(params: SearchParams) -> list[Entry]:
    """The newest published answers and passages the search finds (at most ``limit``)."""
    entries = [_answer_entry(hit.qa) for hit in qa_hits(params)]
    filters = passage_filters(params)
    if filters is not None:
        result = engine().search(
            params.q,
            filters=filters,
            year_from=params.year_from,
            year_to=params.year_to,
            sort=NEWEST_FIRST,
            limit=params.limit,
            offset=0,
            facets=False,
            snippets=False,
        )
        rows = [plain(hit) for hit in getattr(result, "hits", []) or []]
        docs = citation_documents([data["document_id"] for data in rows])
        entries += [_passage_entry(data, docs.get(data["document_id"])) for data in rows]
    return _newest(entries, params.limit)


@bp.get("/feed")
def search() -> Response:
    """The Atom feed of a search (the search page's parameters)."""
    params = search_params(request.args, default_limit=FEED_LIMIT)
    query = urlencode(params.to_args(sort=DEFAULT_SORT, page=1))
    suffix = f"?{query}" if query else ""
    limit = f"{'&' if query else '?'}limit={params.limit}" if params.limit != FEED_LIMIT else ""
    self_url = url_for("feeds.search", _external=True) + suffix + limit
    return _response(
        atom(
            feed_id=url_for("feeds.search", _external=True) + suffix,
            title=_search_title(params),
            self_url=self_url,
            alternate=url_for("views.index", _external=True) + suffix,
            entries=search_entries(params),
        )
    )


# -- an entity's feed ---------------------------------------------------------------------------


def entity_entries(entity_id: str, limit: int) -> tuple[str, list[Entry]]:
    """The label of the entity and its newest passages, commitments and published answers
    (each kind at most ``limit``, together at most ``limit``); raises EntityNotFound."""
    with open_store() as store:
        conn = store.conn
        if not entity_exists(conn, entity_id):
            entity_type, _, slug = entity_id.partition("/")
            matches = slug_matches(conn, entity_type, slug)
            if len(matches) == 1:  # a short slug, as on the cards: to the entity's feed
                target = matches[0].partition("/")[2]
                url = url_for("feeds.entity", entity_type=entity_type, slug=target)
                abort(redirect(url, code=302))
            raise EntityNotFound(entity_id, [])
        label = entity_names(conn).get(entity_id, {}).get("label") or entity_id
        rows = conn.execute(
            "SELECT p.id AS passage_id, p.document_id, d.title AS document_title,"
            " p.section_path, p.text, d.date, d.year FROM mentions m"
            " JOIN passages p ON p.id = m.passage_id AND p.document_id = m.document_id"
            " JOIN documents d ON d.id = p.document_id WHERE m.entity_id = ?"
            " GROUP BY p.document_id, p.id"
            " ORDER BY coalesce(d.date, CAST(d.year AS TEXT), '') DESC, d.path, p.seq LIMIT ?",
            (entity_id, limit),
        ).fetchall()
        commitments = commitments_for(conn, entity_id=entity_id)
    entries = []
    for row in rows:
        data = dict(row)
        data["section_path"] = json.loads(data["section_path"] or "[]")
        entries.append(_passage_entry(data, data))
    docs = citation_documents([c["document_id"] for c in commitments])
    host = request.host.partition(":")[0] or "localhost"
    for c in commitments:
        doc = docs.get(c["document_id"], {})
        url = url_for("views.document", doc_id=c["document_id"], _external=True)
        entries.append(
            Entry(
                id=f"tag:{host},{TAG_YEAR}:toezegging/{c['id']}",
                title=f"Toezegging: {subject(c['text'])}",
                updated=document_date(c.get("date") or doc.get("date"), doc.get("year")),
                link=f"{url}#p-{c['passage_id']}",
                summary=excerpt(c["text"]),
                category="toezegging",
            )
        )
    try:
        answers = published_index().search("")
    except (sqlite3.Error, OSError):  # as the search: an unreadable Vraagbaak adds none
        answers = []
    entries += [
        _answer_entry(hit.qa)
        for hit in answers
        if entity_id in {t.waarde for t in hit.qa.onderwerpen}
    ]
    return label, _newest(entries, limit)


@bp.get("/feed/<entity_type>/<slug>")
def entity(entity_type: str, slug: str) -> Response:
    """The Atom feed of an entity: passages mentioning it, its commitments and answers."""
    entity_id = f"{entity_type}/{slug[:MAX_SLUG_CHARS]}"
    if entity_type not in CARD_TYPES or len(slug) > MAX_SLUG_CHARS or "/" in slug:
        raise EntityNotFound(entity_id, [])
    label, entries = entity_entries(entity_id, FEED_LIMIT)
    self_url = url_for("feeds.entity", entity_type=entity_type, slug=slug, _external=True)
    return _response(
        atom(
            feed_id=self_url,
            title=f"{AUTHOR}: nieuw over {label}",
            self_url=self_url,
            alternate=url_for("views.entity", entity_type=entity_type, slug=slug, _external=True),
            entries=entries,
        )
    )


__all__ = ["ATOM_MIMETYPE", "FEED_LIMIT", "atom", "bp", "entity_entries", "search_entries"]
