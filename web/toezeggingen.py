"""The register of commitments (issue 15): ``/toezeggingen``, ``/api/toezeggingen`` and
``/api/toezeggingen.csv``, built from :mod:`kennisbank.toezeggingen`.

Facets ``f.jaar``, ``f.dossier``, ``f.status``, ``f.thema``, ``f.entiteit`` (several
values of one facet are OR-ed, facets AND-ed, as on the search page); every commitment
shows its status with the evidence, its Kamerstuk references checked as on the Kamerstuk
pages, and links to the passage it was read from.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kennisbank.graph import entity_names
from kennisbank.search.fields import WEB_FACETS
from kennisbank.toezeggingen import STATUSES, Toezegging, register
from web.context import checked_ref, open_store, reference_checks
from web.exports import NAME_SEPARATOR, csv_stream
from web.markup import entity_url
from web.params import MAX_FILTER_CHARS, MAX_FILTER_VALUES, BadParameter

bp = Blueprint("toezeggingen", __name__)

#: The register's facets: URL name (``f.<name>``) → Dutch label.
FACETS = {
    "status": "Status",
    "jaar": WEB_FACETS["jaar"].label,
    "dossier": WEB_FACETS["dossier"].label,
    "thema": WEB_FACETS["thema"].label,
    "entiteit": "Wijk, gemeente, experiment of partner",
}
#: Dutch labels of the statuses.
STATUS_LABELS = {"open": "open", "nagekomen": "nagekomen", "onbekend": "onbekend"}

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple[float, int], list[Toezegging]]] = {}


def _register() -> tuple[list[Toezegging], dict[str, dict[str, str]], dict[str, Any]]:
    """The register of the live store (computed once per store file), the entity names
    and the Kamerstuk checks."""
    with open_store() as store:
        stat = store.path.stat()
        stamp = (stat.st_mtime, stat.st_size)
        key = str(store.path)
        with _LOCK:
            cached = _CACHE.get(key)
        if cached and cached[0] == stamp:
            items = cached[1]
        else:
            items = register(store.conn)
            with _LOCK:
                _CACHE.clear()
                _CACHE[key] = (stamp, items)
        names = entity_names(store.conn)
        checks = reference_checks(store)
    return items, names, checks


def _filters() -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    count = 0
    for name in FACETS:
        values = [v.strip() for v in request.args.getlist(f"f.{name}") if v.strip()]
        count += len(values)
        if count > MAX_FILTER_VALUES or any(len(v) > MAX_FILTER_CHARS for v in values):
            raise BadParameter(f"f.{name}", "Te veel of te lange filterwaarden.")
        if values:
            chosen[name] = list(dict.fromkeys(values))
    return chosen


def _values(item: Toezegging) -> dict[str, list[str]]:
    return {
        "status": [item.status],
        "jaar": [str(item.year)] if item.year else [],
        "dossier": list(item.dossiers),
        "thema": list(item.themas),
        "entiteit": list(item.entities),
    }


def _matches(item: Toezegging, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    values = _values(item)
    return all(set(values[name]) & set(chosen) for name, chosen in filters.items() if name != skip)


def _url(filters: dict[str, list[str]], endpoint: str = "toezeggingen.page") -> str:
    args = [(f"f.{n}", v) for n in FACETS for v in filters.get(n, [])]
    return url_for(endpoint) + (f"?{urlencode(args)}" if args else "")


def _toggled(filters: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    changed = {n: list(v) for n, v in filters.items()}
    values = changed.setdefault(name, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {n: v for n, v in changed.items() if v}


def _label(name: str, value: str, names: dict[str, dict[str, str]]) -> str:
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name in ("thema", "entiteit"):
        return names.get(value, {}).get("name") or value.partition("/")[2] or value
    if name == "dossier":
        digits, _, suffix = value.partition("-")
        grouped = f"{digits[:-3]} {digits[-3:]}" if len(digits) > 3 else digits
        return f"{grouped} {suffix}".strip()
    return value


def _facets(
    items: list[Toezegging],
    filters: dict[str, list[str]],
    names: dict[str, dict[str, str]],
    endpoint: str,
) -> list[dict[str, Any]]:
    facets = []
    for name, label in FACETS.items():
        counts: Counter[str] = Counter()
        for item in items:
            if _matches(item, filters, skip=name):
                counts.update(set(_values(item)[name]))
        for value in filters.get(name, []):
            counts.setdefault(value, 0)
        order = (
            sorted(counts, reverse=True)
            if name == "jaar"
            else sorted(counts, key=lambda v: (-counts[v], _label(name, v, names).lower()))
        )
        if name == "status":
            order = [s for s in STATUSES if s in counts]
        values = [
            {
                "value": value,
                "label": _label(name, value, names),
                "count": counts[value],
                "selected": value in filters.get(name, []),
                "toggle_url": _url(_toggled(filters, name, value), endpoint),
            }
            for value in order
        ]
        if values:
            facets.append({"name": name, "label": label, "values": values})
    return facets


def _entry(
    item: Toezegging, names: dict[str, dict[str, str]], checks: dict[str, Any]
) -> dict[str, Any]:
    data = item.to_dict()
    data["status_label"] = STATUS_LABELS.get(item.status, item.status)
    data["url"] = url_for("views.document", doc_id=item.document_id) + f"#p-{item.passage_id}"
    evidence = data["evidence"]
    evidence["url"] = (
        url_for("views.document", doc_id=evidence["document_id"]) + f"#p-{evidence['passage_id']}"
        if evidence.get("document_id") and evidence.get("passage_id")
        else None
    )
    data["refs"] = [
        {"identifier": r, "page": url_for("views.kamerstuk", ref=r), **checked_ref(r, checks)}
        for r in item.refs
    ]
    data["themas"] = [
        {"id": t, "name": _label("thema", t, names), "url": entity_url(t)} for t in item.themas
    ]
    data["entities"] = [
        {
            "id": e,
            "name": _label("entiteit", e, names),
            "type": names.get(e, {}).get("type") or e.partition("/")[0],
            "url": entity_url(e),
        }
        for e in item.entities
    ]
    return data


def register_context(endpoint: str = "toezeggingen.page") -> dict[str, Any]:
    """Data for ``/toezeggingen`` and ``/api/toezeggingen`` (the request's filters)."""
    filters = _filters()
    items, names, checks = _register()
    chosen = [i for i in items if _matches(i, filters)]
    chosen.sort(key=lambda i: (i.date or str(i.year or ""), i.document_id), reverse=True)
    return {
        "filters": filters,
        "total": len(chosen),
        "all": len(items),
        "statuses": dict(Counter(i.status for i in items)),
        "toezeggingen": [_entry(i, names, checks) for i in chosen],
        "facets": _facets(items, filters, names, endpoint),
        "clear_url": url_for(endpoint),
        "csv_url": _url(filters, "toezeggingen.api_csv"),
    }


@bp.get("/toezeggingen")
def page() -> Any:
    """The register as a page."""
    return render_template("toezeggingen.html", **register_context())


@bp.get("/api/toezeggingen")
def api() -> Any:
    """JSON twin of ``/toezeggingen``."""
    return jsonify(register_context("toezeggingen.api"))


#: The CSV's columns.
CSV_COLUMNS = (
    "id", "status", "onderwerp", "tekst", "wie", "waar", "datum", "jaar", "kamerstukken",
    "themas", "entiteiten", "document", "passage", "bewijs", "bewijs_passage",
)  # fmt: skip


@bp.get("/api/toezeggingen.csv")
def api_csv() -> Response:
    """The register (with the request's filters) as CSV for Dutch Excel (as the search's
    export: UTF-8 with BOM, ``;`` separator; several names in a cell joined by `` | ``)."""
    context = register_context()
    rows = [
        [
            t["id"],
            t["status"],
            t["subject"],
            t["text"],
            t["speaker"] or "",
            t["venue"] or "",
            t["date"] or "",
            t["year"] or "",
            NAME_SEPARATOR.join(r["citation"] for r in t["refs"]),
            NAME_SEPARATOR.join(x["name"] for x in t["themas"]),
            NAME_SEPARATOR.join(x["name"] for x in t["entities"]),
            t["document_title"],
            url_for("views.document", doc_id=t["document_id"], _external=True)
            + f"#p-{t['passage_id']}",
            t["evidence"]["reason"],
            _absolute(t["evidence"]),
        ]  # fmt: skip
        for t in context["toezeggingen"]
    ]
    return Response(
        "".join(csv_stream(CSV_COLUMNS, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="toezeggingen.csv"'},
    )


def _absolute(evidence: dict[str, Any]) -> str:
    if not (evidence.get("document_id") and evidence.get("passage_id")):
        return ""
    url = url_for("views.document", doc_id=evidence["document_id"], _external=True)
    return f"{url}#p-{evidence['passage_id']}"


__all__ = ["FACETS", "bp", "register_context"]
