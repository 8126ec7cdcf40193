"""The HTML pages; each renders one context dict that its JSON twin in :mod:`web.api` returns."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kennisbank.refs import normalize_identifier, parse_ref
from web.context import (
    KamerstukNotFound,
    document_context,
    documents_context,
    kamerstuk_context,
    kamerstukken_context,
)
from web.entities import entities_context, entity_context
from web.entity_types import CARD_TYPES
from web.markup import aantal, nobreak
from web.overviews import experimenten_context, partners_context, wijken_context
from web.params import search_params
from web.searching import SearchUnavailable, kamerstuk_target, search_context, unavailable_context

__all__ = ["bp", "documents_context", "document_context"]

bp = Blueprint("views", __name__)
#: ``{{ n | aantal("passage", "passages") }}``: every count on every page, with its plural.
bp.add_app_template_filter(aantal, "aantal")
#: ``{{ citation | nobreak }}``: "30 995" and "nr. 78" never broken across lines.
bp.add_app_template_filter(nobreak, "nobreak")

#: ``/<type>/<slug>`` for every entity type with a card.
_CARD_RULE = "/<any(" + ", ".join(CARD_TYPES) + "):entity_type>/<slug>"


@bp.get("/")
def index() -> Any:
    """Zoeken: search box, hits, facets; a Kamerstuk reference jumps to its page."""
    params = search_params(request.args)
    if params.q and not params.force_search and not params.has_filters:
        target = kamerstuk_target(params.q)
        if target:
            return redirect(url_for("views.kamerstuk", ref=target), code=302)
    try:
        return render_template("search.html", **search_context(params))
    except SearchUnavailable as exc:
        return render_template("search.html", **unavailable_context(params, exc)), 503


@bp.get("/documenten")
def documents() -> str:
    """All indexed documents with their chapters."""
    return render_template("documents.html", **documents_context())


@bp.get("/document/<doc_id>")
def document(doc_id: str) -> str:
    """One document, passage by passage, with anchors ``#p-<passage id>``."""
    return render_template("document.html", **document_context(doc_id))


@bp.get(_CARD_RULE)
def entity(entity_type: str, slug: str) -> str:
    """An entity card: facts with sources, links, passages, commitments, relation graph."""
    return render_template("entity.html", **entity_context(entity_type, slug))


@bp.get("/entiteiten")
def entities() -> str:
    """All entities, optionally of one ``type``."""
    return render_template("entities.html", **entities_context(request.args.get("type") or None))


@bp.get("/wijken")
def wijken() -> str:
    """The 40 aandachtswijken and the 40+-wijken, grouped by gemeente."""
    return render_template("wijken.html", **wijken_context())


@bp.get("/experimenten")
def experimenten() -> str:
    """The experiments and the gemeenten that take part."""
    return render_template("experimenten.html", **experimenten_context())


@bp.get("/partners")
def partners() -> str:
    """The alliance partners and where they are active."""
    return render_template("partners.html", **partners_context())


@bp.get("/kamerstukken")
def kamerstukken() -> str:
    """Every cited Kamerstuk with counts."""
    return render_template("kamerstukken.html", **kamerstukken_context())


def canonical_kamerstuk(ref: str) -> str:
    """The canonical ``kst-…`` id of ``ref`` in any notation; raises KamerstukNotFound."""
    identifier = normalize_identifier(ref)
    if identifier is None and len(ref) <= 200:
        parsed = parse_ref(ref)
        identifier = parsed.identifier if parsed else None
    if identifier is None:
        raise KamerstukNotFound(ref)
    return identifier


@bp.get("/kamerstuk/<path:ref>")
def kamerstuk(ref: str) -> str | Response:
    """One Kamerstuk: citation, official link, citing passages; other notations redirect."""
    identifier = canonical_kamerstuk(ref)
    if identifier != ref:
        return redirect(url_for("views.kamerstuk", ref=identifier), code=302)
    return render_template("kamerstuk.html", **kamerstuk_context(identifier))
