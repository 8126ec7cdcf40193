"""Serve the web app with waitress (``kennisbank serve``).

The waitress limits are set here on purpose (README, "Web", "Limits"): many idle or
half-open connections must not lock normal visitors out, and a slow or oversized request
must not hold a worker thread.
"""

from __future__ import annotations

from typing import Any

from waitress import serve as waitress_serve

from kennisbank.config import Settings
from web import create_app

__all__ = ["WAITRESS_OPTIONS", "run_server"]

#: Worker threads of the waitress server.
THREADS = 8

#: Every waitress limit ``kennisbank serve`` sets (waitress' default in the comment).
WAITRESS_OPTIONS: dict[str, Any] = {
    "threads": THREADS,  # 4: requests handled at once (the rest wait, queued)
    "connection_limit": 1000,  # 100: open connections before new ones wait in the backlog
    "backlog": 2048,  # 1024: connections the kernel queues before accepting
    "channel_timeout": 30,  # 120: seconds an idle connection (sends nothing) is kept
    "cleanup_interval": 5,  # 30: seconds between sweeps that close idle connections
    "max_request_header_size": 32 * 1024,  # 256 KB: request line + headers (larger: refused)
    "max_request_body_size": 1024 * 1024,  # 1 GB: body (→ 413; the app refuses > 64 KB)
    "asyncore_use_poll": True,  # select() cannot watch more than 1024 sockets
    # A reverse proxy on this machine tells the scheme (https) in X-Forwarded-Proto; from
    # anyone else that header is dropped.
    "trusted_proxy": "127.0.0.1",
    "trusted_proxy_headers": {"x-forwarded-proto"},
    "clear_untrusted_proxy_headers": True,
    "ident": "kennisbank",
}


def run_server(settings: Settings) -> None:
    """Serve the app over ``settings`` on ``settings.host:settings.port`` until stopped."""
    app = create_app({"KENNISBANK_SETTINGS": settings})
    options = {
        **WAITRESS_OPTIONS,
        "threads": settings.threads,
        "connection_limit": settings.connection_limit,
        "channel_timeout": settings.channel_timeout,
    }
    waitress_serve(app, host=settings.host, port=settings.port, **options)
