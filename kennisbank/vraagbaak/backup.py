"""Backup and migration of the Vraagbaak database.

- :func:`export_json` writes everything (centres, accounts *with* their password
  hashes, questions with contact details, every answer version, citations, topics,
  the audit trail) to one JSON file with a format version.  The file is private
  (mode 0600) and written atomically: it is a backup, not a public export.
- :func:`import_json` reads such a file into an *empty* database (no accounts,
  questions or audit rows) in one transaction, keeping every id.
- :func:`backup` copies the live database with SQLite's online backup API
  (``sqlite3.Connection.backup``): a consistent snapshot while the server writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from kennisbank.errors import InvalidInput
from kennisbank.vraagbaak.db import SCHEMA_VERSION, VraagbaakDB, now
from kennisbank.vraagbaak.errors import DatabaseNotEmpty

#: ``formaat`` of an export file, and the version this code writes and reads.
FORMAT = "kennisbank-vraagbaak"
FORMAT_VERSION = 1
#: Tables in an export, in an order that satisfies the foreign keys on import.
TABLES = ("centra", "gebruikers", "vragen", "antwoorden", "citaten", "onderwerpen", "audit")
#: Tables that must be empty before an import (``centra`` is merged).
_MUST_BE_EMPTY = ("gebruikers", "vragen", "audit")


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export_data(db: VraagbaakDB) -> dict[str, Any]:
    """Everything in the database as a JSON-ready dict (one read transaction)."""
    with db.read() as conn:
        conn.execute("BEGIN")
        tables = {
            table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
            for table in TABLES
        }
        conn.execute("COMMIT")
    return {
        "formaat": FORMAT,
        "versie": FORMAT_VERSION,
        "schemaversie": SCHEMA_VERSION,
        "geexporteerd": now(),
        **tables,
    }


def export_json(db: VraagbaakDB, path: str | Path) -> dict[str, int]:
    """Write the export file; returns the number of rows per table."""
    data = export_data(db)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    _write_private(Path(path), text.encode("utf-8"))
    return {table: len(data[table]) for table in TABLES}


def _read_export(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path} is geen leesbaar exportbestand: {exc}.") from exc
    if not isinstance(data, dict) or data.get("formaat") != FORMAT:
        raise InvalidInput(f"{path} is geen export van de Vraagbaak.")
    if data.get("versie") != FORMAT_VERSION:
        raise InvalidInput(
            f"{path} heeft exportversie {data.get('versie')}; deze kennisbank leest versie "
            f"{FORMAT_VERSION}."
        )
    if not all(isinstance(data.get(table), list) for table in TABLES):
        raise InvalidInput(f"{path} mist een van de tabellen {', '.join(TABLES)}.")
    return data


def _insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = [r["name"] for r in conn.execute(f"PRAGMA table_info({table})")]
    if rows:  # an export of an older schema lacks newer columns: their defaults apply
        columns = [c for c in columns if c in rows[0]]
    marks = ", ".join("?" for _ in columns)
    verb = "INSERT OR REPLACE" if table == "centra" else "INSERT"
    sql = f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    try:
        conn.executemany(sql, [tuple(row.get(c) for c in columns) for row in rows])
    except sqlite3.Error as exc:
        raise InvalidInput(f"Tabel {table} van het exportbestand is ongeldig: {exc}.") from exc


def import_json(db: VraagbaakDB, path: str | Path) -> dict[str, int]:
    """Load an export file into an empty database; returns the rows per table."""
    data = _read_export(Path(path))
    with db.write() as conn:
        for table in _MUST_BE_EMPTY:
            if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                raise DatabaseNotEmpty(
                    f"De Vraagbaak in {db.path} is niet leeg (tabel {table}); importeren kan "
                    "alleen in een lege database. Kies een andere --data-dir."
                )
        for table in TABLES:
            _insert_rows(conn, table, data[table])
    return {table: len(data[table]) for table in TABLES}


def backup(db: VraagbaakDB, directory: str | Path) -> Path:
    """Copy the live database into ``directory`` (online backup); returns the new file."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = folder / f"vraagbaak-{stamp}.sqlite"
    n = 1
    while target.exists():
        target = folder / f"vraagbaak-{stamp}-{n}.sqlite"
        n += 1
    tmp = target.with_name(f".{target.name}.tmp")
    source = db.connect()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        copy = sqlite3.connect(tmp)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise InvalidInput("De kopie van de Vraagbaak is beschadigd; probeer opnieuw.")
        finally:
            copy.close()
        os.replace(tmp, target)
    finally:
        source.close()
        tmp.unlink(missing_ok=True)
    return target


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "TABLES",
    "backup",
    "export_data",
    "export_json",
    "import_json",
]
