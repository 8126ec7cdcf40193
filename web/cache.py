"""A small in-process cache of rendered answers (issue 16): repeated requests cost nothing.

Keyed by the same validator as the ``ETag`` (:func:`web.cache_validator`: a hash of the
live generation's name, the full URL and, where the page shows published answers, the
Vraagbaak's change marker).  A new generation or a published/withdrawn answer changes the
key, so old entries can no longer be reached and age out of the LRU.

Only GET/HEAD ``200`` answers of the cached blueprints are stored (:func:`storable`):
never ``/vraagbaak…`` or ``/beheer…``, never an answer that touched the session (a CSRF
token, a login) or sets a cookie, never a streamed answer (the CSV export), never one
larger than :data:`MAX_ENTRY_BYTES`.  Bounded in entries (:data:`MAX_ENTRIES`) and in
bytes of body (:data:`MAX_BYTES`); least recently used entries go first.  Thread-safe
(one lock around an ordered dict; waitress serves with several threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Response, request
from flask.globals import request_ctx

#: At most this many answers are kept.
MAX_ENTRIES = 512
#: At most this many bytes of bodies are kept (64 MB).
MAX_BYTES = 64 * 1024 * 1024
#: An answer with a larger body is not stored (4 MB): a few big exports cannot evict
#: all the pages.
MAX_ENTRY_BYTES = 4 * 1024 * 1024
#: Paths that are never stored, whatever their endpoint (forms, staff pages).
PRIVATE_PREFIXES = ("/vraagbaak", "/beheer")
#: Headers not stored: the cache and the after-request hooks set them on every answer.
_SKIP_HEADERS = frozenset({"content-length", "set-cookie", "date", "etag", "cache-control"})


@dataclass(frozen=True)
class Entry:
    """One stored answer: status, headers (without the skipped ones) and the body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def response(self) -> Response:
        """A fresh :class:`Response` with this answer."""
        response = Response(self.body, status=self.status)
        response.headers.clear()
        for name, value in self.headers:
            response.headers.add(name, value)
        return response


class ResponseCache:
    """An LRU of :class:`Entry` bounded in count and in bytes; safe across threads."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(MAX_ENTRY_BYTES, max_bytes)
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes of bodies held now."""
        with self._lock:
            return self._bytes

    def get(self, key: str) -> Entry | None:
        """The entry under ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: Entry) -> bool:
        """Store ``entry`` (False when it is too large); evict until the bounds hold."""
        size = len(entry.body)
        if size > self.max_entry_bytes or self.max_entries <= 0:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
        return True

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def storable(response: Response) -> bool:
    """Whether this request's ``response`` may be stored (see the module's docstring)."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if request.path.startswith(PRIVATE_PREFIXES):
        return False
    if response.is_streamed or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers or "Vary" in response.headers:
        return False
    # A view that read or wrote the session (a CSRF token, a login) made a private answer.
    # Read without the ``session`` proxy: since Flask 3.1 the proxy itself marks the
    # session accessed (and the answer ``Vary: Cookie``).
    current = getattr(request_ctx._get_current_object(), "_session", None)  # noqa: SLF001
    return not (getattr(current, "accessed", True) or getattr(current, "modified", True))


def entry_of(response: Response) -> Entry:
    """The storable parts of ``response``."""
    headers = tuple(
        (name, value) for name, value in response.headers.items()
        if name.lower() not in _SKIP_HEADERS
    )  # fmt: skip
    return Entry(response.status_code, headers, response.get_data())
