"""The live search engine of a data directory, following index generations.

A web server holds one :class:`LiveSearch`.  Each call to :meth:`LiveSearch.engine`
resolves the generation pointer; when ``kennisbank index`` has published a new
generation, a new :class:`~kennisbank.search.SearchEngine` is opened for it, while
requests that already hold the previous engine finish on the previous folder
(which :mod:`kennisbank.generations` keeps until the next build).
"""

from __future__ import annotations

import threading
from pathlib import Path

from kennisbank import generations
from kennisbank.errors import IndexMissing
from kennisbank.search import SearchEngine


class LiveSearch:
    """Hands out the search engine of the live generation in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._engine: SearchEngine | None = None

    def engine(self) -> SearchEngine:
        """The engine for the current generation; raises IndexMissing when there is none."""
        folder = generations.current_dir(self.data_dir)
        if folder is None:
            raise IndexMissing(str(self.data_dir))
        if folder != self._folder or self._engine is None:
            with self._lock:
                if folder != self._folder or self._engine is None:
                    self._engine = SearchEngine(folder)
                    self._folder = folder
        return self._engine

    @property
    def folder(self) -> Path | None:
        """The generation folder of the engine last handed out."""
        return self._folder
