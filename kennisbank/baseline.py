"""The comparison baseline: the same passages in SQLite FTS5, ranked by ``bm25()``.

This is what a plain full-text index gives without any Dutch language work (no
stemming, compound splitting, typo tolerance or synonyms): the main engine must
beat it.  The passages live in an FTS5 table with the ``unicode61`` tokenizer
(case folded, accents removed), in memory unless a file path is given.

A query is turned into safe FTS5 syntax: it is split into words (letters and
digits), each word is quoted, and the words are joined with ``OR``, so every
word is preferred but none is required — like the main engine.  Nothing a user
types (quotes, ``*``, ``NEAR``, ``AND``, brackets, column filters, …) is seen by
FTS5 as syntax.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kennisbank.errors import KennisbankError
from kennisbank.store import Store

#: At most this many distinct words of a query are used (FTS5 limits expression depth).
MAX_QUERY_TERMS = 64

_WORD = re.compile(r"[^\W_]+")


def fts5_query(query: str) -> str:
    """The FTS5 MATCH expression for a user query, or ``""`` when it has no words.

    Words are runs of letters/digits (NFC-normalised); each distinct word
    (case-insensitive, first :data:`MAX_QUERY_TERMS` only) is double-quoted and the
    words are joined with ``OR``.
    """
    words: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(unicodedata.normalize("NFC", query)):
        key = word.casefold()
        if key in seen:
            continue
        seen.add(key)
        words.append(f'"{word}"')
        if len(words) >= MAX_QUERY_TERMS:
            break
    return " OR ".join(words)


@dataclass(frozen=True)
class BaselineHit:
    """One baseline result: the passage text, an FTS5 snippet and its bm25 score.

    ``score`` is SQLite's ``bm25()`` value: lower (more negative) is better.
    """

    text: str
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {"text": self.text, "snippet": self.snippet, "score": self.score}


class Fts5Baseline:
    """An FTS5 (bm25) index over passage texts; build with :meth:`from_store` or
    :meth:`from_texts`.  Safe to share between threads; call :meth:`close` when done
    (or use it as a context manager).
    """

    def __init__(self, texts: Iterable[str], path: str | Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        self._conn = sqlite3.connect(target, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._conn.execute("DROP TABLE IF EXISTS passages")
            self._conn.execute(
                "CREATE VIRTUAL TABLE passages USING fts5(text, tokenize='unicode61')"
            )
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise KennisbankError(
                f"De FTS5-basislijn kan niet worden gebouwd: SQLite zonder FTS5? ({exc})"
            ) from exc
        with self._conn:
            self._conn.executemany(
                "INSERT INTO passages(text) VALUES (?)", ((text,) for text in texts)
            )
        self._size = self._conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    @classmethod
    def from_texts(cls, texts: Iterable[str], path: str | Path | None = None) -> Fts5Baseline:
        """A baseline over ``texts`` (in memory, or in the SQLite file ``path``)."""
        return cls(texts, path)

    @classmethod
    def from_store(cls, store: Store, path: str | Path | None = None) -> Fts5Baseline:
        """A baseline over every passage of the store, in document order."""
        return cls((p.text for p in store.all_passages()), path)

    def __len__(self) -> int:
        return self._size

    def __enter__(self) -> Fts5Baseline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    def search(self, query: str, k: int = 10) -> list[str]:
        """The texts of the best ``k`` passages for ``query``, best (lowest bm25) first.

        Returns ``[]`` for a query without words or ``k < 1``; never raises on
        what a user types.
        """
        expression = fts5_query(query)
        if not expression or k < 1:
            return []
        sql = (
            "SELECT text FROM passages WHERE passages MATCH ?"
            " ORDER BY bm25(passages), rowid LIMIT ?"
        )
        with self._lock:
            rows = self._conn.execute(sql, (expression, k)).fetchall()
        return [row[0] for row in rows]

    def search_with_snippets(
        self,
        query: str,
        k: int = 10,
        *,
        open_mark: str = "«",
        close_mark: str = "»",
        tokens: int = 16,
    ) -> list[BaselineHit]:
        """Like :meth:`search`, with FTS5 ``snippet()`` excerpts and bm25 scores.

        The snippet marks matched words with ``open_mark``/``close_mark`` and is at
        most ``tokens`` words long (1–64), ``…`` where text was cut.
        """
        tokens = max(1, min(64, tokens))
        sql = (
            "SELECT text, snippet(passages, 0, ?, ?, '…', ?), bm25(passages) FROM passages"
            " WHERE passages MATCH ? ORDER BY bm25(passages), rowid LIMIT ?"
        )
        expression = fts5_query(query)
        if not expression or k < 1:
            return []
        with self._lock:
            rows = self._conn.execute(
                sql, (open_mark, close_mark, tokens, expression, k)
            ).fetchall()
        return [BaselineHit(text=r[0], snippet=r[1], score=r[2]) for r in rows]
