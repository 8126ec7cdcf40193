"""The Flask web app: ``create_app()`` builds an app over one data directory.

Depends on ``kennisbank`` only (never on ``indexer``): the web process needs no
parser or spaCy and starts fast.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kennisbank.config import load_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app; ``test_config`` may set ``KENNISBANK_SETTINGS`` (a Settings)."""
    app = Flask(__name__)
    app.config.from_mapping(JSON_AS_ASCII=False, MAX_QUERY_CHARS=1000)
    if test_config:
        app.config.update(test_config)
    if "KENNISBANK_SETTINGS" not in app.config:
        app.config["KENNISBANK_SETTINGS"] = load_settings()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from web import errors, views

    app.register_blueprint(views.bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
