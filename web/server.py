"""Serve the web app with waitress (``kennisbank serve``)."""

from __future__ import annotations

from waitress import serve as waitress_serve

from kennisbank.config import Settings
from web import create_app

__all__ = ["run_server"]

#: Worker threads of the waitress server.
THREADS = 8


def run_server(settings: Settings) -> None:
    """Serve the app over ``settings`` on ``settings.host:settings.port`` until stopped."""
    app = create_app({"KENNISBANK_SETTINGS": settings})
    waitress_serve(app, host=settings.host, port=settings.port, threads=THREADS, ident="kennisbank")
