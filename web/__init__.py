"""The Flask web app: ``create_app()`` builds an app over one data directory.

Depends on ``kennisbank`` only (never on ``indexer``): the web process needs no
parser or spaCy and starts fast.  Read-only except the Vraagbaak's forms
(``POST /vraagbaak`` and the staff actions under ``/beheer``, :mod:`web.beheer`), which
are CSRF-protected (Flask-WTF); submitting a question and logging in are rate-limited
per client address (Flask-Limiter, in memory).  The secret key for sessions and CSRF
tokens is ``KENNISBANK_SECRET_KEY`` or one generated on first run in
``DATA_DIR/secret_key`` (mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
)
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from kennisbank.config import Settings, load_settings
from kennisbank.errors import InvalidInput
from web import api, beheer, charts, errors, feeds, markup, toezeggingen, views, vraagbaak
from web.cache import ResponseCache, entry_of, storable
from web.context import vraagbaak_service
from web.entity_types import TYPE_LABELS
from web.params import DEFAULT_SORT, FACETS, MAX_QUERY_CHARS

#: Sent with every response: no inline scripts or styles, no framing, no sniffing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Name of the generated secret key's file in the data folder.
SECRET_KEY_FILE = "secret_key"
#: A session (the CSRF token) ends after this long without a request.
SESSION_IDLE = timedelta(minutes=30)
#: Seconds a browser or shared cache may reuse a page or JSON answer that depends only on
#: the index (after that it revalidates with ``If-None-Match``; see :func:`_caching`).
CACHE_MAX_AGE = 60
#: Blueprints whose GET answers depend only on the live index generation and the URL.
CACHED_BLUEPRINTS = frozenset({"views", "api", "toezeggingen", "feeds"})
#: Blueprints with forms, CSRF tokens or per-visitor data: ``private, no-store``.
PRIVATE_BLUEPRINTS = frozenset({"vraagbaak", "beheer"})
#: Endpoints that also show published Vraagbaak answers (these change without a new
#: generation, so their validator includes the Vraagbaak's change marker).
WITH_VRAAGBAAK = frozenset(
    {
        "views.index",
        "api.search",
        "api.search_csv",
        "api.search_xlsx",
        "feeds.search",
        "feeds.entity",
        "vraagbaak.api_list",
        "vraagbaak.api_one",
    }
)


class _SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is ``Secure`` when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        secure = bool(app.config["SESSION_COOKIE_SECURE"])
        return secure or (has_request_context() and request.is_secure)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app; ``test_config`` may set ``KENNISBANK_SETTINGS`` (a Settings)."""
    app = Flask(__name__)
    app.config.from_mapping(JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=64 * 1024)
    if test_config:
        app.config.update(test_config)
    if "KENNISBANK_SETTINGS" not in app.config:
        app.config["KENNISBANK_SETTINGS"] = load_settings()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _sessions(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(vraagbaak.bp)
    app.register_blueprint(beheer.bp)
    app.register_blueprint(toezeggingen.bp)
    app.register_blueprint(feeds.bp)
    errors.register(app)
    _protect(app)
    _template_helpers(app)
    _caching(app)
    app.extensions["kennisbank_response_cache"] = ResponseCache()
    app.wsgi_app = errors.HostGuard(  # type: ignore[method-assign]
        app.wsgi_app, app.config["KENNISBANK_SETTINGS"].allowed_hosts
    )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


def secret_key(settings: Settings) -> str:
    """``KENNISBANK_SECRET_KEY``, else the key in ``DATA_DIR/secret_key`` (made on first run).

    The file is written to a private temporary file (mode 0600) and linked into place,
    so a concurrent first start never sees half a key and both processes use one key.
    """
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_hex(32).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise InvalidInput(
            f"{path} bevat geen bruikbare sleutel: verwijder het bestand (er wordt een "
            "nieuwe gemaakt) of zet KENNISBANK_SECRET_KEY."
        )
    return key


def _sessions(app: Flask) -> None:
    """Secret key and session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, 30 min idle."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.config["KENNISBANK_SETTINGS"])
    app.config.setdefault("SESSION_COOKIE_SECURE", False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_IDLE,
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    app.session_interface = _SessionInterface()


def _protect(app: Flask) -> None:
    """CSRF tokens on every POST; per-address rate limits on submitting and on logging in."""
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[])
    endpoint = "vraagbaak.submit"  # the limit is checked by the wrapped view
    settings = app.config["KENNISBANK_SETTINGS"]
    limit = limiter.limit(settings.vraagbaak_limit, methods=["POST"])
    app.view_functions[endpoint] = limit(app.view_functions[endpoint])
    login = "beheer.login"  # per address: guessing passwords stays slow
    limit_login = limiter.limit(beheer.LOGIN_LIMIT, methods=["POST"])
    app.view_functions[login] = limit_login(app.view_functions[login])

    def page(status: int, message: str) -> Response:
        body = render_template("error.html", status=status, message=message)
        return make_response(body, status)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> Response:
        return page(
            400,
            "Het formulier is verlopen of ongeldig (beveiligingscode ontbreekt). "
            "Laad de pagina opnieuw en verstuur het nog eens.",
        )

    @app.errorhandler(429)
    def too_many(exc: Exception) -> Response:
        response = page(
            429,
            "U hebt in korte tijd te veel vragen verstuurd. Wacht een paar minuten en "
            "probeer het dan opnieuw.",
        )
        response.headers["Retry-After"] = "60"
        return response


def cache_validator() -> str | None:
    """The ETag of this request's answer, or None when it must not be cached.

    Cached: GET/HEAD of the pages and JSON of :data:`CACHED_BLUEPRINTS` and
    :data:`WITH_VRAAGBAAK`.  The tag hashes the live generation's name, the full URL
    (scheme, trusted host, path and query: absolute URLs in the answer depend on them)
    and, for :data:`WITH_VRAAGBAAK`, the Vraagbaak's change marker; so it is known before
    the view runs and a matching ``If-None-Match`` is answered with 304 at once, and an
    answer rendered before under the same tag comes from :mod:`web.cache` without the view.
    """
    endpoint = request.endpoint
    if request.method not in ("GET", "HEAD") or endpoint is None:
        return None
    vraagbaak = endpoint in WITH_VRAAGBAAK
    if not vraagbaak and endpoint.partition(".")[0] not in CACHED_BLUEPRINTS:
        return None
    live = current_app.config["KENNISBANK_SETTINGS"].live_generation
    if live is None:
        return None
    key = f"{live.name}\n{request.url}"
    if vraagbaak:
        key += f"\n{vraagbaak_service().change_marker()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _caching(app: Flask) -> None:
    """``ETag`` and ``Cache-Control: public`` on answers that depend only on the index
    (:func:`cache_validator`); ``If-None-Match`` → 304.  The Vraagbaak's pages and the
    staff pages (forms with a CSRF token, per-visitor data) are ``private, no-store``."""

    @app.before_request
    def not_modified() -> Response | None:
        tag = cache_validator()
        g.cache_tag = tag
        if tag is None:
            return None
        if not request.if_none_match.contains_weak(tag):
            entry = response_cache().get(tag)  # a rendered answer under the same validator
            g.cache_hit = entry is not None
            return entry.response() if entry is not None else None
        response = make_response("", 304)
        response.set_etag(tag)
        response.headers["Cache-Control"] = f"public, max-age={CACHE_MAX_AGE}"
        return response

    @app.after_request
    def cache_headers(response: Response) -> Response:
        tag = g.get("cache_tag")
        endpoint = request.endpoint or ""
        blueprint = endpoint.partition(".")[0]
        private = blueprint in PRIVATE_BLUEPRINTS and endpoint not in WITH_VRAAGBAAK
        if private or "Set-Cookie" in response.headers:
            response.headers.setdefault("Cache-Control", "private, no-store")
        elif tag and response.status_code == 200 and "Cache-Control" not in response.headers:
            if not g.get("cache_hit") and storable(response):
                response_cache().put(tag, entry_of(response))
            response.set_etag(tag)
            response.headers["Cache-Control"] = f"public, max-age={CACHE_MAX_AGE}"
        return response


def response_cache() -> ResponseCache:
    """This app's cache of rendered answers (:mod:`web.cache`), keyed by the ETag."""
    cache: ResponseCache = current_app.extensions["kennisbank_response_cache"]
    return cache


def _template_helpers(app: Flask) -> None:
    """Filters and functions the templates use to turn context data into safe HTML."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["snippet"] = markup.safe_snippet
    app.jinja_env.globals.update(
        entity_url=markup.entity_url,
        linkify=markup.linkify,
        passage_html=markup.passage_html,
        passage_lines=markup.passage_lines,
        bar_chart=charts.bar_chart,
        timeline_chart=charts.timeline,
        relation_graph=charts.relation_graph,
        TYPE_LABELS=TYPE_LABELS,
        FACETS=FACETS,
        DEFAULT_SORT=DEFAULT_SORT,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
    )
