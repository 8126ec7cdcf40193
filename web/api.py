"""The JSON API: the JSON twins of the pages, the CSV and xlsx exports, reference parsing,
OpenAPI."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from web.context import (
    document_context,
    documents_context,
    kamerstuk_context,
    kamerstukken_context,
    refs_context,
)
from web.entities import entities_context, entity_context
from web.exports import csv_stream, export_rows, xlsx_bytes
from web.openapi import openapi_document
from web.overviews import experimenten_context, partners_context, wijken_context
from web.params import MAX_REFS_TEXT_CHARS, search_params, text_param
from web.searching import SearchUnavailable, search_context, unavailable_context
from web.views import canonical_kamerstuk

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Any:
    """JSON twin of the search page (``/``)."""
    params = search_params(request.args)
    try:
        return jsonify(search_context(params))
    except SearchUnavailable as exc:
        return jsonify(unavailable_context(params, exc)), 503


@bp.get("/search.csv")
def search_csv() -> Response:
    """Every hit of a search (all pages) as CSV for Dutch Excel, streamed row by row."""
    params = search_params(request.args)
    rows = export_rows(params)
    header = next(rows)  # raises SearchUnavailable before the response starts
    return Response(
        stream_with_context(csv_stream(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="zoekresultaten.csv"'},
    )


#: The media type of an ``.xlsx`` workbook.
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/search.xlsx")
def search_xlsx() -> Response:
    """The rows of ``/api/search.csv`` as an Excel workbook (``.xlsx``)."""
    params = search_params(request.args)
    rows = export_rows(params)
    header = next(rows)  # raises SearchUnavailable before the response starts
    return Response(
        xlsx_bytes(header, rows),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="zoekresultaten.xlsx"'},
    )


@bp.get("/documents")
def documents() -> Any:
    """JSON twin of ``/documenten``."""
    return jsonify(documents_context())


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Any:
    """JSON twin of ``/document/<id>``."""
    return jsonify(document_context(doc_id))


@bp.get("/entities")
def entities() -> Any:
    """JSON twin of ``/entiteiten`` (optionally ``?type=wijk`` …)."""
    return jsonify(entities_context((request.args.get("type") or "").strip() or None))


@bp.get("/entities/<entity_type>/<slug>")
def entity(entity_type: str, slug: str) -> Any:
    """JSON twin of an entity card."""
    return jsonify(entity_context(entity_type, slug))


@bp.get("/wijken")
def wijken() -> Any:
    """JSON twin of ``/wijken``."""
    return jsonify(wijken_context())


@bp.get("/experimenten")
def experimenten() -> Any:
    """JSON twin of ``/experimenten``."""
    return jsonify(experimenten_context())


@bp.get("/partners")
def partners() -> Any:
    """JSON twin of ``/partners``."""
    return jsonify(partners_context())


@bp.get("/kamerstukken")
def kamerstukken() -> Any:
    """JSON twin of ``/kamerstukken``."""
    return jsonify(kamerstukken_context())


@bp.get("/kamerstukken/<path:ref>")
def kamerstuk(ref: str) -> Any:
    """JSON twin of ``/kamerstuk/<id>``; any notation is accepted and normalised."""
    return jsonify(kamerstuk_context(canonical_kamerstuk(ref)))


@bp.get("/refs")
def refs() -> Any:
    """The Kamerstuk references in ``?text=…``."""
    return jsonify(refs_context(text_param(request.args, "text", MAX_REFS_TEXT_CHARS)))


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
