"""The JSON API: the JSON twins of the pages, the CSV export, reference parsing, OpenAPI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
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
from web.exports import csv_rows
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
    """Every hit of a search (all pages) as CSV, streamed row by row."""
    params = search_params(request.args)
    rows = csv_rows(params)
    header = next(rows)  # raises SearchUnavailable before the response starts

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="zoekresultaten.csv"'},
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
    return jsonify(entities_context(request.args.get("type") or None))


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
