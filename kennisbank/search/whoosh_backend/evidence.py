"""Which kinds of answer each passage holds, for the answer-type bonus of the rerank
(:func:`~kennisbank.search.whoosh_backend.matching.rerank`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kennisbank.search.questions import answer_evidence

#: Passages whose answer evidence is kept per index build.
EVIDENCE_CACHE = 200_000


class AnswerEvidence:
    """Which kinds of answer (:func:`~kennisbank.search.questions.answer_evidence`) each
    passage holds, read from its stored text and entities when first asked and kept per
    index build (at most :data:`EVIDENCE_CACHE` passages).  Safe to share between threads."""

    def __init__(self, max_size: int = EVIDENCE_CACHE) -> None:
        self.max_size = max_size
        self._found: dict[int, frozenset[str]] = {}
        self._lock = threading.Lock()

    def of(self, searcher: Any, docnum: int) -> frozenset[str]:
        """The answer types passage ``docnum`` holds."""
        found = self._found.get(docnum)
        if found is None:
            stored = searcher.stored_fields(docnum)
            types = {str(e).split("/", 1)[0] for e in stored.get("entities") or []}
            found = answer_evidence(stored.get("text", ""), types)
            with self._lock:
                if len(self._found) >= self.max_size:
                    self._found.clear()
                self._found[docnum] = found
        return found

    def holds(self, searcher: Any, kind: str) -> Callable[[int], bool]:
        """A test for :func:`rerank`: does passage *n* hold an answer of ``kind``?"""
        return lambda docnum: kind in self.of(searcher, docnum)
