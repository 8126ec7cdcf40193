"""The search page's data (``/``, ``/api/search``) and the CSV export, via ``kennisbank.search``.

This is the web side of the search adapter: it reads the engine's dataclasses
(``SearchResult``, ``Hit``, ``FacetValue``) and turns them into plain data with
the URLs of the page state (toggle a facet value, remove a filter, next page).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from typing import Any
from urllib.parse import quote

from flask import current_app, url_for

from kennisbank.answers import answer_box
from kennisbank.errors import IndexMissing
from kennisbank.graph import entity_names
from kennisbank.refs import normalize_identifier, parse_ref
from kennisbank.search import LiveSearch
from web.context import open_store
from web.markup import entity_url
from web.params import ENGINE_FIELDS, FACETS, MAX_LIMIT, MAX_OFFSET, SORTS, SearchParams

_ENGINE_LOCK = threading.Lock()

#: Shown when ``kennisbank.search`` is not installed or has no index yet.
UNAVAILABLE = "Zoeken is nog niet beschikbaar."
#: At most this many rows go into one CSV export.
MAX_CSV_ROWS = MAX_OFFSET
#: Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SearchUnavailable(Exception):
    """The search engine module or its index is missing (HTTP 503 with a Dutch message)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{UNAVAILABLE} {reason}".strip())


def engine() -> Any:
    """The search engine of the live index generation; raises SearchUnavailable.

    One :class:`~kennisbank.search.LiveSearch` per app follows the generation pointer,
    so a server picks up a rebuilt index without a restart.
    """
    settings = current_app.config["KENNISBANK_SETTINGS"]
    with _ENGINE_LOCK:
        live = current_app.extensions.get("kennisbank_live")
        if live is None:
            live = LiveSearch(settings.data_dir)
            current_app.extensions["kennisbank_live"] = live
    try:
        return live.engine()
    except IndexMissing as exc:
        raise SearchUnavailable(
            "De zoekindex is nog niet gebouwd: voer 'kennisbank index' uit."
        ) from exc


def kamerstuk_target(q: str) -> str | None:
    """The ``kst-…`` id when the whole query is one Kamerstuk reference, in any notation."""
    identifier = normalize_identifier(q)
    if identifier:
        return identifier
    ref = parse_ref(q)
    if ref is None:
        return None
    rest = q[: ref.start] + q[ref.end :]
    if any(c.isalnum() for c in rest) and ref.end > ref.start:
        return None
    return ref.identifier


def _plain(value: Any) -> Any:
    """A dataclass (or anything else) as plain data."""
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _search_url(params: SearchParams, **changes: Any) -> str:
    args = params.to_args(**changes)
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in args)
    return url_for("views.index") + (f"?{query}" if query else "")


def _quote(text: str) -> str:
    return quote(text, safe="")


def _facets(result: Any, params: SearchParams) -> list[dict[str, Any]]:
    """Facets in sidebar order, each value with its toggle URL; chosen values always shown."""
    raw = getattr(result, "facets", None) or {}
    facets = []
    for name, label in FACETS.items():
        values = [_plain(v) for v in raw.get(ENGINE_FIELDS[name], raw.get(name, []))]
        chosen = params.filters.get(name, [])
        present = {str(v["value"]) for v in values}
        values += [
            {"value": v, "label": v, "count": 0, "selected": True}
            for v in chosen
            if v not in present
        ]
        for value in values:
            value["value"] = str(value["value"])
            value["selected"] = value["value"] in chosen
            value["toggle_url"] = _search_url(
                params, filters=params.toggled(name, value["value"]), page=1
            )
        if values:
            facets.append({"name": name, "label": label, "values": values})
    return facets


def _active_filters(params: SearchParams, facets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chosen filters as removable chips."""
    labels = {(f["name"], v["value"]): v["label"] for f in facets for v in f["values"]}
    chips = [
        {
            "facet": name,
            "facet_label": FACETS[name],
            "value": value,
            "label": labels.get((name, value), value),
            "remove_url": _search_url(params, filters=params.toggled(name, value), page=1),
        }
        for name, values in params.filters.items()
        for value in values
    ]
    if params.year_from is not None:
        chips.append(
            {
                "facet": "jaar_van",
                "facet_label": "Vanaf jaar",
                "value": str(params.year_from),
                "label": str(params.year_from),
                "remove_url": _search_url(params, year_from=None, page=1),
            }
        )
    if params.year_to is not None:
        chips.append(
            {
                "facet": "jaar_tot",
                "facet_label": "Tot en met jaar",
                "value": str(params.year_to),
                "label": str(params.year_to),
                "remove_url": _search_url(params, year_to=None, page=1),
            }
        )
    return chips


def _entity_ref(value: Any, names: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """An entity of a hit (an id, a dict or an object) as ``{id, name, type}``."""
    value = _plain(value)
    entity_id = value.get("id") if isinstance(value, dict) else getattr(value, "id", value)
    if not isinstance(entity_id, str) or "/" not in entity_id:
        return None
    known = names.get(entity_id, {})
    name = value.get("name") if isinstance(value, dict) else None
    return {
        "id": entity_id,
        "name": name or known.get("name") or entity_id.partition("/")[2],
        "type": known.get("type") or entity_id.partition("/")[0],
    }


def _hits(result: Any) -> list[dict[str, Any]]:
    with open_store() as store:
        names = entity_names(store.conn)
    hits = []
    for hit in getattr(result, "hits", []) or []:
        data = _plain(hit)
        entities = [_entity_ref(e, names) for e in data.get("entities") or []]
        data["entities"] = [e for e in entities if e is not None]
        data["url"] = url_for("views.document", doc_id=data["document_id"]) + (
            f"#p-{data['passage_id']}"
        )
        hits.append(data)
    return hits


def _pagination(params: SearchParams, total: int) -> dict[str, Any]:
    reachable = min(total, MAX_OFFSET + params.limit)
    pages = max(1, math.ceil(reachable / params.limit))
    window = range(max(1, params.page - 3), min(pages, params.page + 3) + 1)
    return {
        "page": params.page,
        "pages": pages,
        "limit": params.limit,
        "total": total,
        "first": params.offset + 1 if total else 0,
        "last": min(params.offset + params.limit, total),
        "prev_url": _search_url(params, page=params.page - 1) if params.page > 1 else None,
        "next_url": _search_url(params, page=params.page + 1) if params.page < pages else None,
        "links": [
            {"page": n, "url": _search_url(params, page=n), "current": n == params.page}
            for n in window
        ],
    }


def _notes(result: Any) -> list[str]:
    """The engine's Dutch notes, without those the page already shows in its own words."""
    shown = []
    if getattr(result, "suggestion", None):
        shown.append("Bedoelde u")
    if getattr(result, "corrected_query", None):
        shown.append("Gezocht op")
    return [
        str(n) for n in getattr(result, "notes", None) or [] if not str(n).startswith(tuple(shown))
    ]


def _timeline(facets: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Matching passages per year, from the ``jaar`` facet."""
    for facet in facets:
        if facet["name"] == "jaar":
            return sorted(
                (
                    {"year": int(v["value"]), "count": int(v["count"])}
                    for v in facet["values"]
                    if str(v["value"]).isdigit() and v["count"]
                ),
                key=lambda p: p["year"],
            )
    return []


def _start_documents() -> list[dict[str, Any]]:
    with open_store() as store:
        return [
            {"id": d["id"], "title": d["title"], "year": d["year"], "type": d["type"]}
            for d in store.documents()
        ]


def search_context(params: SearchParams) -> dict[str, Any]:
    """Data for the search page and ``/api/search``; raises :class:`SearchUnavailable`."""
    context: dict[str, Any] = {
        "params": params.public(),
        "available": True,
        "message": None,
        "documents": [],
    }
    if not params.q and not params.has_filters:
        return start_context(params)
    result = engine().search(
        params.q,
        filters=params.engine_filters,
        year_from=params.year_from,
        year_to=params.year_to,
        sort=params.engine_sort,
        limit=params.limit,
        offset=params.offset,
        facets=True,
        snippets=True,
    )
    total = int(getattr(result, "total", 0) or 0)
    facets = _facets(result, params)
    suggestion = getattr(result, "suggestion", None)
    context.update(
        {
            "query": params.q,
            "parsed": str(getattr(result, "parsed", "") or ""),
            "total": total,
            "hits": _hits(result),
            "facets": facets,
            "active_filters": _active_filters(params, facets),
            "clear_url": _search_url(params, filters={}, year_from=None, year_to=None, page=1),
            "suggestion": suggestion,
            "suggestion_url": _search_url(params, q=suggestion, page=1) if suggestion else None,
            "corrected_query": getattr(result, "corrected_query", None),
            "notes": _notes(result),
            "pagination": _pagination(params, total),
            "timeline": _timeline(facets),
            "kamerstuk": kamerstuk_target(params.q) if params.q else None,
            "sort_urls": {s: _search_url(params, sort=s, page=1) for s in SORTS},
            "answer_box": _answer_box(params) if params.page == 1 else None,
            "confidence": getattr(result, "confidence", "normaal"),
            "coverage": getattr(result, "coverage", None),
            "unknown_words": list(getattr(result, "unknown_words", []) or []),
            "refine": _refine(facets) if getattr(result, "confidence", "") == "laag" else [],
        }
    )
    return context


#: Facets whose most frequent values are offered to refine a search that found little.
REFINE_FACETS = ("thema", "experiment", "gemeente")


def _refine(facets: list[dict[str, Any]], per_facet: int = 3) -> list[dict[str, Any]]:
    """The most frequent unchosen values of :data:`REFINE_FACETS` among the hits, as links
    that add them as a filter (offered when no hit covers the question well)."""
    found = []
    for facet in facets:
        if facet["name"] not in REFINE_FACETS:
            continue
        values = [v for v in facet["values"] if not v["selected"] and v["count"]]
        for value in values[:per_facet]:
            found.append(
                {
                    "facet": facet["label"],
                    "label": value["label"],
                    "count": value["count"],
                    "url": value["toggle_url"],
                }
            )
    return found


def _answer_box(params: SearchParams) -> dict[str, Any] | None:
    """The answer box of a list question the knowledge graph answers (or ``None``),
    with the URLs of the entity cards and of the passages each fact was read from."""
    if not params.q:
        return None
    with open_store() as store:
        box = answer_box(store.conn, params.q)
    if box is None:
        return None
    data = box.to_dict()
    data["subject"]["url"] = entity_url(data["subject"]["id"])
    for item in data["items"]:
        item["url"] = entity_url(item["id"])
        for source in item["sources"]:
            source["url"] = (
                url_for("views.document", doc_id=source["document_id"])
                + f"#p-{source['passage_id']}"
                if source["kind"] == "passage"
                else None
            )
    return data


def start_context(params: SearchParams) -> dict[str, Any]:
    """The start page (no query, no filters): the search box, the documents, and the
    facets over the whole collection to start browsing from (when search is available)."""
    facets: list[dict[str, Any]] = []
    total = 0
    try:
        result = engine().search("", filters={}, limit=1, facets=True, snippets=False)
        facets, total = _facets(result, params), int(getattr(result, "total", 0) or 0)
    except SearchUnavailable:
        pass
    return {
        "params": params.public(),
        "available": True,
        "message": None,
        "documents": _start_documents(),
        "query": "",
        "total": total,
        "hits": [],
        "facets": facets,
        "active_filters": [],
    }


def unavailable_context(params: SearchParams, exc: SearchUnavailable) -> dict[str, Any]:
    """What the search page shows when searching is impossible."""
    return {
        "params": params.public(),
        "available": False,
        "message": str(exc),
        "documents": _start_documents(),
        "query": params.q,
        "total": 0,
        "hits": [],
        "facets": [],
        "active_filters": [],
    }


def _cell(text: Any) -> str:
    """A CSV cell that a spreadsheet will not read as a formula."""
    value = "" if text is None else str(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_rows(params: SearchParams) -> Iterator[list[str]]:
    """Every hit of the search (all pages, at most :data:`MAX_CSV_ROWS`), as CSV rows."""
    search = engine()
    yield ["document", "titel", "jaar", "sectie", "passage_id", "tekst", "url"]
    offset = 0
    while offset < MAX_CSV_ROWS:
        result = search.search(
            params.q,
            filters=params.engine_filters,
            year_from=params.year_from,
            year_to=params.year_to,
            sort=params.engine_sort,
            limit=MAX_LIMIT,
            offset=offset,
            facets=False,
            snippets=False,
        )
        hits = getattr(result, "hits", []) or []
        for hit in hits:
            data = _plain(hit)
            url = url_for("views.document", doc_id=data["document_id"], _external=True)
            yield [
                _cell(data["document_id"]),
                _cell(data.get("document_title")),
                _cell(data.get("year")),
                _cell(" › ".join(data.get("section_path") or [])),
                _cell(data["passage_id"]),
                _cell(data.get("text")),
                _cell(f"{url}#p-{data['passage_id']}"),
            ]
        offset += MAX_LIMIT
        if not hits or offset >= int(getattr(result, "total", 0) or 0):
            return
