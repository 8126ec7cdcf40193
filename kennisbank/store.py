"""The SQLite store of files, documents, sections, passages and Kamerstuk references.

One file (``kennisbank.sqlite`` in the data directory).  The indexer writes a whole
run in one transaction, so a reader sees either the old or the new state, never
half of a run.  The schema carries a version number; an older file is rebuilt.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kennisbank import graph
from kennisbank.errors import DocumentNotFound, IndexMissing
from kennisbank.model import Document, Passage

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, checksum TEXT NOT NULL, size INTEGER NOT NULL,
    status TEXT NOT NULL, reason TEXT, document_id TEXT, indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    doctype TEXT NOT NULL, format TEXT NOT NULL, checksum TEXT NOT NULL,
    year INTEGER, date TEXT, source TEXT, identifier TEXT,
    metadata TEXT NOT NULL, warnings TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, level INTEGER NOT NULL,
    role TEXT NOT NULL, path TEXT NOT NULL, passage_id TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT NOT NULL, document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, kind TEXT NOT NULL, section_path TEXT NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT NOT NULL, rows TEXT NOT NULL,
    caption TEXT NOT NULL, notes TEXT NOT NULL, cited_by TEXT NOT NULL,
    PRIMARY KEY (document_id, id)
);
CREATE INDEX IF NOT EXISTS passages_seq ON passages(document_id, seq);
CREATE TABLE IF NOT EXISTS refs (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    passage_id TEXT NOT NULL, identifier TEXT NOT NULL, dossier TEXT NOT NULL,
    ondernummer TEXT NOT NULL, kamer TEXT, vergaderjaar TEXT, citation TEXT NOT NULL,
    url TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refs_identifier ON refs(identifier);
"""


class Store:
    """Access to one SQLite store; use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise IndexMissing(str(self.path.parent))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA journal_mode = WAL")
        if create:
            self._ensure_schema()
        elif self.schema_version() != SCHEMA_VERSION:
            raise IndexMissing(str(self.path.parent))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def schema_version(self) -> int | None:
        """The schema version stored in the file, or None for an empty/foreign file."""
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return int(row["value"]) if row else None

    def _ensure_schema(self) -> None:
        version = self.schema_version()
        if version not in (None, SCHEMA_VERSION):
            # An older layout: drop everything and start over (the corpus is the source).
            for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
            ).fetchall():
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.conn.executescript(_SCHEMA)
        graph.ensure_schema(self.conn)
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside is committed at once, or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Store one key/value fact about the index (build time, corpus path …)."""
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def record_file(
        self,
        path: str,
        checksum: str,
        size: int,
        status: str,
        reason: str | None,
        document_id: str | None,
        indexed_at: str,
    ) -> None:
        """Remember what happened to one corpus file (``indexed`` or ``skipped``)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            (path, checksum, size, status, reason, document_id, indexed_at),
        )

    def forget_file(self, path: str) -> None:
        """Remove a corpus file and its document (the file is gone)."""
        self.conn.execute("DELETE FROM documents WHERE path = ?", (path,))
        self.conn.execute("DELETE FROM files WHERE path = ?", (path,))

    def put_document(self, doc: Document, refs: list[dict[str, Any]]) -> None:
        """Insert or replace a document with its sections, passages and references."""
        self.conn.execute("DELETE FROM documents WHERE id = ? OR path = ?", (doc.id, doc.path))
        self.conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.id,
                doc.path,
                doc.title,
                doc.doctype,
                doc.format,
                doc.checksum,
                doc.year,
                doc.date,
                doc.source,
                doc.identifier,
                json.dumps(doc.metadata, ensure_ascii=False),
                json.dumps(doc.warnings, ensure_ascii=False),
                doc.text,
            ),
        )
        self.conn.executemany(
            "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc.id,
                    i,
                    s.id,
                    s.title,
                    s.level,
                    s.role,
                    json.dumps(s.path, ensure_ascii=False),
                    s.passage_id,
                )
                for i, s in enumerate(doc.sections)
            ],
        )
        self.conn.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.id,
                    doc.id,
                    p.seq,
                    p.kind,
                    json.dumps(p.section_path, ensure_ascii=False),
                    p.text,
                    p.start,
                    p.end,
                    p.label,
                    json.dumps(p.rows, ensure_ascii=False),
                    p.caption,
                    json.dumps(p.notes),
                    json.dumps(p.cited_by),
                )
                for p in doc.passages
            ],
        )
        self.conn.executemany(
            "INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc.id,
                    r["passage_id"],
                    r["identifier"],
                    r["dossier"],
                    r["ondernummer"],
                    r.get("kamer"),
                    r.get("vergaderjaar"),
                    r["citation"],
                    r["url"],
                    r["start"],
                    r["end"],
                    r["text"],
                )
                for r in refs
            ],
        )

    # -- reading -------------------------------------------------------------------------

    def files(self) -> dict[str, dict[str, Any]]:
        """Every corpus file the last runs saw, by relative path."""
        rows = self.conn.execute("SELECT * FROM files").fetchall()
        return {row["path"]: dict(row) for row in rows}

    def meta(self) -> dict[str, str]:
        """All key/value facts about the index."""
        return {r["key"]: r["value"] for r in self.conn.execute("SELECT * FROM meta")}

    def counts(self) -> dict[str, int]:
        """Numbers of documents, passages, sections, references and graph records."""
        counts = {
            table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("documents", "passages", "sections", "refs")
        }
        return {**counts, **graph.graph_counts(self.conn)}

    def documents(self) -> list[dict[str, Any]]:
        """All documents (without text), each with its sections, ordered by path."""
        docs = [
            _document_row(r)
            for r in self.conn.execute(
                "SELECT id, path, title, doctype, format, checksum, year, date, source, identifier,"
                " metadata, warnings FROM documents ORDER BY path"
            )
        ]
        for doc in docs:
            doc["sections"] = self.sections(doc["id"])
            doc["passages"] = self.conn.execute(
                "SELECT count(*) FROM passages WHERE document_id = ?", (doc["id"],)
            ).fetchone()[0]
        return docs

    def document(self, doc_id: str) -> dict[str, Any]:
        """One document with its text and sections; raises DocumentNotFound."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DocumentNotFound(doc_id)
        doc = _document_row(row)
        doc["sections"] = self.sections(doc_id)
        return doc

    def document_with_passages(self, doc_id: str) -> dict[str, Any]:
        """One document (without its text) with its sections and passages; raises
        DocumentNotFound.  What ``kennisbank docs DOC_ID`` shows."""
        doc: dict[str, Any] = {**self.document(doc_id), "passages": self.passages(doc_id)}
        doc.pop("text", None)
        return doc

    def document_identifiers(self) -> dict[str, dict[str, Any]]:
        """Documents that are Kamerstukken themselves: identifier → ``{id, title, year}``,
        in path order."""
        rows = self.conn.execute(
            "SELECT identifier, id, title, year FROM documents"
            " WHERE identifier IS NOT NULL AND identifier != '' ORDER BY path"
        )
        return {r[0]: {"id": r[1], "title": r[2], "year": r[3]} for r in rows}

    def sections(self, doc_id: str) -> list[dict[str, Any]]:
        """The sections of a document in order."""
        rows = self.conn.execute(
            "SELECT id, title, level, role, path, passage_id FROM sections"
            " WHERE document_id = ? ORDER BY seq",
            (doc_id,),
        ).fetchall()
        return [{**dict(r), "path": json.loads(r["path"])} for r in rows]

    def passages(self, doc_id: str) -> list[dict[str, Any]]:
        """The passages of a document in order."""
        rows = self.conn.execute(
            "SELECT * FROM passages WHERE document_id = ? ORDER BY seq", (doc_id,)
        ).fetchall()
        return [_passage_row(r) for r in rows]

    def all_passages(self) -> list[Passage]:
        """Every passage of every document, as model objects, in document order."""
        rows = self.conn.execute(
            "SELECT p.* FROM passages p JOIN documents d ON d.id = p.document_id"
            " ORDER BY d.path, p.seq"
        ).fetchall()
        return [Passage(**_passage_row(r)) for r in rows]

    def refs(self, identifier: str | None = None) -> list[dict[str, Any]]:
        """Reference occurrences, all or those of one ``kst-…`` identifier."""
        sql = "SELECT * FROM refs"
        args: tuple[str, ...] = ()
        if identifier:
            sql += " WHERE identifier = ?"
            args = (identifier,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY document_id, start", args)]


def _document_row(row: sqlite3.Row) -> dict[str, Any]:
    doc = dict(row)
    doc["type"] = doc.pop("doctype")
    doc["metadata"] = json.loads(doc["metadata"])
    doc["warnings"] = json.loads(doc["warnings"])
    return doc


def _passage_row(row: sqlite3.Row) -> dict[str, Any]:
    passage = dict(row)
    for key in ("section_path", "rows", "notes", "cited_by"):
        value = passage[key]
        # Most passages have no table rows, notes or citing passages.
        passage[key] = [] if value == "[]" else json.loads(value)
    return passage
