"""Typed errors → Dutch pages (HTML) or Dutch JSON errors (``/api/…``), at the edge.

JSON errors look like ``{"fout": "<Dutch sentence>", "status": 404}``; an unknown
entity adds ``"suggesties"`` (the closest names), a bad parameter ``"parameter"``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from kennisbank.errors import DocumentNotFound, IndexMissing, KennisbankError
from kennisbank.graph import EntityNotFound
from web.context import KamerstukNotFound
from web.params import BadParameter
from web.searching import SearchUnavailable

_MESSAGES = {
    404: "Deze pagina bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    400: "Het verzoek is ongeldig.",
    413: "Het verzoek is te groot.",
    414: "Het webadres is te lang.",
}


def _respond(status: int, message: str, **extra: Any) -> Any:
    if request.path.startswith("/api/"):
        return make_response(jsonify({"fout": message, "status": status, **extra}), status)
    page = render_template("error.html", status=status, message=message, **extra)
    return make_response(page, status)


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(DocumentNotFound)
    def document_not_found(exc: DocumentNotFound) -> Any:
        return _respond(404, str(exc))

    @app.errorhandler(EntityNotFound)
    def entity_not_found(exc: EntityNotFound) -> Any:
        return _respond(404, str(exc), suggesties=exc.suggestions)

    @app.errorhandler(KamerstukNotFound)
    def kamerstuk_not_found(exc: KamerstukNotFound) -> Any:
        return _respond(404, str(exc))

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter) -> Any:
        return _respond(400, str(exc), parameter=exc.name)

    @app.errorhandler(IndexMissing)
    def no_index(exc: IndexMissing) -> Any:
        return _respond(503, str(exc))

    @app.errorhandler(SearchUnavailable)
    def no_search(exc: SearchUnavailable) -> Any:
        return _respond(503, str(exc))

    @app.errorhandler(KennisbankError)
    def bad_request(exc: KennisbankError) -> Any:
        return _respond(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        response = _respond(status, _MESSAGES.get(status, "Er ging iets mis."))
        for name, value in exc.get_headers():
            if name.lower() == "allow":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        app.logger.exception("Onverwachte fout")
        return _respond(500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")
