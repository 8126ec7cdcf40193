"""Pages and their JSON twins; each pair is built from one context function."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template

from kennisbank.store import Store

bp = Blueprint("views", __name__)


@contextmanager
def _store() -> Iterator[Store]:
    settings = current_app.config["KENNISBANK_SETTINGS"]
    with Store(settings.db_path) as store:
        yield store


def documents_context() -> dict[str, Any]:
    """Data for the document list (``/`` and ``/api/documents``)."""
    with _store() as store:
        return {"documents": store.documents(), "counts": store.counts()}


def document_context(doc_id: str) -> dict[str, Any]:
    """Data for one document (``/document/<id>`` and ``/api/documents/<id>``)."""
    with _store() as store:
        doc = store.document(doc_id)
        doc.pop("text", None)
        passages = store.passages(doc_id)
        refs = store.refs()
    by_passage: dict[str, list[dict[str, Any]]] = {}
    for ref in refs:
        if ref["document_id"] == doc_id:
            by_passage.setdefault(ref["passage_id"], []).append(ref)
    labels = {p["id"]: p["label"] for p in passages if p["kind"] == "footnote"}
    return {"document": doc, "passages": passages, "refs": by_passage, "footnote_labels": labels}


@bp.get("/")
def index() -> str:
    """Start page: the indexed documents."""
    return render_template("documents.html", **documents_context())


@bp.get("/api/documents")
def api_documents() -> Any:
    """JSON twin of the start page."""
    return jsonify(documents_context())


@bp.get("/document/<doc_id>")
def document(doc_id: str) -> str:
    """One document, passage by passage, with anchors ``#p-<passage id>``."""
    return render_template("document.html", **document_context(doc_id))


@bp.get("/api/documents/<doc_id>")
def api_document(doc_id: str) -> Any:
    """JSON twin of the document page."""
    return jsonify(document_context(doc_id))
