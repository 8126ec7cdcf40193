"""Typed core errors → Dutch pages (HTML) or Dutch JSON errors (``/api/…``)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kennisbank.errors import DocumentNotFound, IndexMissing, KennisbankError

_MESSAGES = {
    404: "Deze pagina bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    400: "Het verzoek is ongeldig.",
}


def _respond(status: int, message: str) -> Any:
    if request.path.startswith("/api/"):
        return jsonify({"fout": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(DocumentNotFound)
    def not_found(exc: DocumentNotFound) -> Any:
        return _respond(404, str(exc))

    @app.errorhandler(IndexMissing)
    def no_index(exc: IndexMissing) -> Any:
        return _respond(503, str(exc))

    @app.errorhandler(KennisbankError)
    def bad_request(exc: KennisbankError) -> Any:
        return _respond(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return _respond(status, _MESSAGES.get(status, "Er ging iets mis."))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        app.logger.exception("Onverwachte fout")
        return _respond(500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")
