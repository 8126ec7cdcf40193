"""The Flask web app: ``create_app()`` builds an app over one data directory.

Depends on ``kennisbank`` only (never on ``indexer``): the web process needs no
parser or spaCy and starts fast.  Read-only: every route is a GET.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from kennisbank.config import load_settings
from web import api, charts, errors, markup, views
from web.entity_types import TYPE_LABELS
from web.params import DEFAULT_SORT, FACETS, MAX_QUERY_CHARS

#: Sent with every response: no inline scripts or styles, no framing, no sniffing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


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

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    errors.register(app)
    _template_helpers(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


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
