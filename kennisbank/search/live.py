"""The live search engine of a data directory, following index generations.

A web server holds one :class:`LiveSearch`.  Each call to :meth:`LiveSearch.engine`
resolves the generation pointer (``data_dir/CURRENT``); when ``kennisbank index`` has
published a new generation, a new :class:`~kennisbank.search.engine.SearchEngine` is opened
on that generation's ``search/`` folder, while requests that already hold the
previous engine finish on the previous generation (which
:mod:`kennisbank.generations` keeps until the next publish).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from kennisbank import generations
from kennisbank.errors import IndexMissing
from kennisbank.search.engine import SearchEngine

log = logging.getLogger(__name__)


class LiveSearch:
    """Hands out the search engine of the live generation in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._engine: SearchEngine | None = None

    def engine(self) -> SearchEngine:
        """The engine for the current generation; raises IndexMissing when there is none."""
        live = generations.current_dir(self.data_dir)
        if live is None:
            raise IndexMissing(str(self.data_dir))
        folder = generations.search_dir(live)
        if folder != self._folder or self._engine is None:
            with self._lock:
                if folder != self._folder or self._engine is None:
                    try:
                        engine = SearchEngine(folder)
                    except Exception:
                        if self._engine is None:
                            raise
                        # The new generation cannot be opened (yet): keep serving the
                        # open one and try again on the next request.
                        log.warning("zoekindex %s niet te openen; de vorige blijft", folder)
                        return self._engine
                    self._engine = engine
                    self._folder = folder
        return self._engine

    @property
    def folder(self) -> Path | None:
        """The search folder (``gen-…/search``) of the engine last handed out."""
        return self._folder
