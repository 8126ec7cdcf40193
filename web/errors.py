"""Typed errors → Dutch pages (HTML) or Dutch JSON errors (``/api/…``), at the edge.

JSON errors look like ``{"fout": "<Dutch sentence>", "status": 404}``; an unknown
entity adds ``"suggesties"`` (the closest names), a bad parameter ``"parameter"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from kennisbank.config import split_host
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


#: Answer to a request whose ``Host`` header is malformed or not trusted.
BAD_HOST_MESSAGE = (
    "Dit verzoek noemt een onbekende of ongeldige host (Host-kop); deze server antwoordt "
    "alleen op de namen waarvoor hij is ingesteld (KENNISBANK_TRUSTED_HOSTS)."
)


class HostGuard:
    """WSGI wrapper: a request whose ``Host`` header is malformed or not in ``hosts`` gets a
    short Dutch 400 (a page, or JSON under ``/api/``) before Flask sees it; a path longer
    than :data:`MAX_PATH_CHARS` or a query string longer than :data:`MAX_QUERY_STRING` a
    414, without any routing or echo.

    Flask builds absolute URLs (CSV ``url``, citation permalinks, redirects) from the
    ``Host`` header, and a malformed one leaves it without a URL adapter (a 500 on every
    page).  ``hosts`` are ``name`` or ``name:port`` entries; one without a port accepts
    any port.  A request without a ``Host`` header (HTTP/1.0) uses the server's own name.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts: list[tuple[str, int | None]] = []
        for entry in hosts:
            parsed = split_host(entry)
            if parsed is not None:
                self.hosts.append(parsed)

    def trusted(self, header: str, scheme: str) -> bool:
        """True when ``header`` (``host[:port]``) is well-formed and names a trusted host."""
        parsed = split_host(header)
        if parsed is None:
            return False
        host, port = parsed
        port = port or (443 if scheme == "https" else 80)
        return any(host == name and want in (None, port) for name, want in self.hosts)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if len(path) > MAX_PATH_CHARS or len(environ.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            # too long to be any page: refused before routing, without echoing it
            return _short_answer(environ, start_response, 414, TOO_LONG_MESSAGE)
        header = environ.get("HTTP_HOST")
        if header is None or self.trusted(header, environ.get("wsgi.url_scheme", "http")):
            if header is not None:
                environ["HTTP_HOST"] = header.strip().lower()
            return self.app(environ, start_response)
        return _short_answer(environ, start_response, 400, BAD_HOST_MESSAGE)


#: Longest path (characters) and query string (bytes) a request may have; longer: 414.
MAX_PATH_CHARS, MAX_QUERY_STRING = 2048, 65536
TOO_LONG_MESSAGE = "Dit adres is te lang voor een pagina van de kennisbank."
_REASONS = {400: "Bad Request", 414: "URI Too Long"}
_TITLES = {400: "Ongeldig verzoek", 414: "Adres te lang"}


def _short_answer(
    environ: dict[str, Any], start_response: Callable[..., Any], status: int, message: str
) -> list[bytes]:
    """A short, self-contained Dutch answer (page, or JSON under ``/api/``) with the
    security headers, for requests refused before Flask runs."""
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"fout": message, "status": status}, ensure_ascii=False)
        kind = "application/json"
    else:
        title = f"{_TITLES[status]} ({status})"
        body = (
            '<!doctype html>\n<html lang="nl"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body><h1>{title}</h1><p>{message}</p></body></html>\n"
        )
        kind = "text/html; charset=utf-8"
    data = body.encode("utf-8")
    start_response(
        f"{status} {_REASONS[status]}",
        [
            ("Content-Type", kind),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [data] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]


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
