"""The search page's data (``/``, ``/api/search``), via ``kennisbank.search``.

This is the web side of the search adapter: it reads the engine's dataclasses
(``SearchResult``, ``Hit``, ``FacetValue``) and turns them into plain data with
the URLs of the page state (toggle a facet value, remove a filter, next page).

Published Vraagbaak answers (:mod:`kennisbank.vraagbaak.search`) are merged in as
hits of their own kind (``soort`` ``vraag_en_antwoord``): they come first, and the
answers and the passages are paged as one list; the *Documenttype* facet has the value
``vraag-en-antwoord`` for them.  The CSV export is in :mod:`web.exports`.

Why one module: the search page is one context — answers, passages, facets, paging,
the answer box and the refine links are built from the same result and the same page
URLs (:func:`_search_url`); split up, each part would need the others' internals.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from dataclasses import asdict, is_dataclass
from typing import Any
from urllib.parse import quote

from flask import current_app, has_request_context, request, url_for

from kennisbank.answers import answer_box
from kennisbank.citations import passage_citation
from kennisbank.errors import IndexMissing
from kennisbank.graph import entity_names
from kennisbank.refs import normalize_identifier, parse_ref
from kennisbank.search import LiveSearch
from kennisbank.vraagbaak.search import DOCTYPE, DOCTYPE_LABEL, QAHit
from web.context import citation_documents, document_citation, open_store, published_index
from web.entities import label_entity_facets
from web.markup import entity_url
from web.overviews import holdings
from web.params import ENGINE_FIELDS, FACETS, MAX_OFFSET, SORTS, SearchParams

_ENGINE_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)

#: Shown when ``kennisbank.search`` is not installed or has no index yet.
UNAVAILABLE = "Zoeken is nog niet beschikbaar."


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


def plain(value: Any) -> Any:
    """A dataclass (or anything else) as plain data."""
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _search_url(params: SearchParams, **changes: Any) -> str:
    """The URL of the page state ``params`` with ``changes``: ``/?…`` on the HTML page,
    ``/api/search?…`` (same parameters) in the JSON twin."""
    args = params.to_args(**changes)
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in args)
    api = has_request_context() and request.blueprint == "api"
    return url_for("api.search" if api else "views.index") + (f"?{query}" if query else "")


def _quote(text: str) -> str:
    return quote(text, safe="")


def _facets(result: Any, params: SearchParams) -> list[dict[str, Any]]:
    """Facets in sidebar order, each value with its toggle URL; chosen values always shown."""
    raw = getattr(result, "facets", None) or {}
    facets = []
    for name, label in FACETS.items():
        values = [plain(v) for v in raw.get(ENGINE_FIELDS[name], raw.get(name, []))]
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
    value = plain(value)
    entity_id = value.get("id") if isinstance(value, dict) else getattr(value, "id", value)
    if not isinstance(entity_id, str) or "/" not in entity_id:
        return None
    known = names.get(entity_id, {})
    name = value.get("name") if isinstance(value, dict) else None
    return {
        "id": entity_id,
        "name": name or known.get("label") or known.get("name") or entity_id.partition("/")[2],
        "type": known.get("type") or entity_id.partition("/")[0],
    }


def _hits(result: Any, names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    found = [plain(hit) for hit in getattr(result, "hits", []) or []]
    docs = citation_documents([data["document_id"] for data in found])
    kamerstuk = {i: document_citation(d)["kamerstukken"] for i, d in docs.items()}
    hits = []
    for data in found:
        entities = [_entity_ref(e, names) for e in data.get("entities") or []]
        data["entities"] = [e for e in entities if e is not None]
        data["url"] = url_for("views.document", doc_id=data["document_id"]) + (
            f"#p-{data['passage_id']}"
        )
        data["soort"] = "passage"
        doc = docs.get(data["document_id"])
        if doc is not None:
            permalink = url_for("views.document", doc_id=doc["id"], _external=True)
            cite = passage_citation(
                doc,
                data.get("section_path") or [],
                f"{permalink}#p-{data['passage_id']}",
                kamerstuk[doc["id"]],
            )
            data["citation"] = cite["text"]
            data["citation_kamerstukken"] = cite["kamerstukken"]
            data["permalink"] = cite["permalink"]
        hits.append(data)
    return hits


def _entity_names() -> dict[str, dict[str, str]]:
    with open_store() as store:
        return entity_names(store.conn)


def qa_hits(params: SearchParams, *, facet: bool = False) -> list[QAHit]:
    """The published answers (Vraagbaak) the search finds; ``facet``: ignoring the
    ``type`` filter, for the count of the *Documenttype* facet value.  A Vraagbaak
    database that cannot be read gives none (logged), never an error page."""
    filters = {k: v for k, v in params.filters.items() if not (facet and k == "type")}
    try:
        return published_index().search(
            params.q, filters=filters, year_from=params.year_from, year_to=params.year_to
        )
    except (sqlite3.Error, OSError) as exc:
        _LOG.warning("Vraagbaak niet leesbaar, geen antwoorden in de zoekresultaten: %s", exc)
        return []


def qa_hit(hit: QAHit, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A published answer as a search hit of its own kind (``soort`` ``vraag_en_antwoord``)."""
    qa = hit.qa
    entities = [_entity_ref(t.waarde, names) for t in qa.onderwerpen]
    date = qa.gepubliceerd[:10]
    centre = qa.centrum_naam or "de Vraagbaak"
    return {
        "soort": "vraag_en_antwoord",
        "kind": "vraag_en_antwoord",
        "vraag_id": qa.id,
        "referentie": qa.referentie,
        "document_title": qa.vraag,
        "section_path": [DOCTYPE_LABEL],
        "score": hit.score,
        "text": qa.antwoord,
        "snippet_html": hit.snippet_html(),
        "entities": [e for e in entities if e is not None],
        "centrum": qa.centrum_naam,
        "gepubliceerd": qa.gepubliceerd,
        "citation": f"Vraagbaak Wijkenaanpak, {qa.referentie}, beantwoord door {centre}, "
        f"gepubliceerd {date}. {url_for('vraagbaak.published', vraag_id=qa.id, _external=True)}",
        "citation_kamerstukken": None,
        "permalink": url_for("vraagbaak.published", vraag_id=qa.id, _external=True),
        "year": hit.year,
        "answer": None,
        "citaten": len(qa.citaten),
        "url": url_for("vraagbaak.published", vraag_id=qa.id),
    }


def passage_filters(params: SearchParams) -> dict[str, list[str]] | None:
    """The engine's filters without the *Documenttype* value :data:`DOCTYPE` (which no
    passage has); ``None`` when that value is the only type chosen: no passages then."""
    filters = dict(params.engine_filters)
    types = params.filters.get("type", [])
    if DOCTYPE not in types:
        return filters
    rest = [t for t in types if t != DOCTYPE]
    if not rest:
        del filters[ENGINE_FIELDS["type"]]
        return None
    filters[ENGINE_FIELDS["type"]] = rest
    return filters


def _without(filters: dict[str, list[str]], name: str) -> dict[str, list[str]]:
    return {k: v for k, v in filters.items() if k != name}


def _with_qa_facet(
    facets: list[dict[str, Any]], params: SearchParams, count: int
) -> list[dict[str, Any]]:
    """The *Documenttype* facet with the value :data:`DOCTYPE` (published answers)."""
    chosen = params.filters.get("type", [])
    if not count and DOCTYPE not in chosen:
        return facets
    value = {
        "value": DOCTYPE,
        "label": DOCTYPE_LABEL,
        "count": count,
        "selected": DOCTYPE in chosen,
        "toggle_url": _search_url(params, filters=params.toggled("type", DOCTYPE), page=1),
    }
    for facet in facets:
        if facet["name"] == "type":
            facet["values"] = [value] + [v for v in facet["values"] if v["value"] != DOCTYPE]
            return facets
    return [{"name": "type", "label": FACETS["type"], "values": [value]}, *facets]


def _pagination(params: SearchParams, total: int) -> dict[str, Any]:
    reachable = min(total, MAX_OFFSET + params.limit)
    pages = max(1, math.ceil(reachable / params.limit))
    past_end = bool(total) and params.offset >= total
    current = min(params.page, pages)
    window = range(max(1, current - 3), min(pages, current + 3) + 1)
    return {
        "page": params.page,
        "pages": pages,
        "limit": params.limit,
        "total": total,
        "first": params.offset + 1 if total and not past_end else 0,
        "last": min(params.offset + params.limit, total) if not past_end else 0,
        "past_end": past_end,
        "note": (
            f"Pagina {params.page} bestaat niet: er {'is' if pages == 1 else 'zijn'} "
            f"{pages} {'pagina' if pages == 1 else 'pagina’s'}."
            if past_end
            else None
        ),
        "last_page_url": _search_url(params, page=pages) if past_end else None,
        "prev_url": _search_url(params, page=min(params.page - 1, pages))
        if params.page > 1
        else None,
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


def run_search(
    search: Any,
    params: SearchParams,
    filters: dict[str, list[str]],
    *,
    limit: int,
    offset: int,
    facets: bool,
) -> Any:
    """The engine's search for the page state ``params`` with the passage ``filters``
    (:func:`passage_filters`); snippets come with the facets (the page), not without
    (the exports)."""
    return search.search(
        params.q,
        filters=filters,
        year_from=params.year_from,
        year_to=params.year_to,
        sort=params.engine_sort,
        limit=limit,
        offset=offset,
        facets=facets,
        snippets=facets,
    )


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
    search = engine()
    # Published answers first, then passages: one ranked list, paged as one.
    answers = qa_hits(params)
    on_page = answers[params.offset : params.offset + params.limit]
    passage_limit = params.limit - len(on_page)
    filters = passage_filters(params)
    only_answers = filters is None  # only "Vraag en antwoord" chosen: no passages
    if filters is None:
        filters, passage_limit = _without(params.engine_filters, ENGINE_FIELDS["type"]), 0
    result = run_search(
        search,
        params,
        filters,
        limit=max(1, passage_limit),
        offset=max(0, params.offset - len(answers)),
        facets=True,
    )
    passages = 0 if only_answers else int(getattr(result, "total", 0) or 0)
    total = passages + len(answers)
    facet_count = len(answers) if "type" not in params.filters else len(qa_hits(params, facet=True))
    facets = _with_qa_facet(_facets(result, params), params, facet_count)
    if only_answers:  # the other facets count passages: only the type facet stays
        facets = [f for f in facets if f["name"] == "type"]
    suggestion = getattr(result, "suggestion", None)
    names = _entity_names()
    label_entity_facets(facets, names)  # "Noord (Amsterdam)", not three times "Noord"
    hits = [qa_hit(hit, names) for hit in on_page]
    if passage_limit > 0:
        hits += _hits(result, names)
    context.update(
        {
            "query": params.q,
            "parsed": str(getattr(result, "parsed", "") or ""),
            "total": total,
            "hits": hits,
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
    documents = _start_documents()
    return {
        "params": params.public(),
        "available": True,
        "message": None,
        "documents": documents,
        "holdings": holdings(documents),
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
