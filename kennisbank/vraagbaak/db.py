"""The Vraagbaak's own SQLite database: ``vraagbaak.sqlite`` in the data folder.

It sits next to ``CURRENT`` and the ``gen-*`` folders, never inside one, so
re-indexing (also ``--full``) and a crashed indexer never touch it.

Connections are short-lived, one per operation (:meth:`VraagbaakDB.read` and
:meth:`VraagbaakDB.write`), so the multi-threaded web server never shares one
between threads.  Every connection runs with ``foreign_keys=ON``, ``busy_timeout``
and ``synchronous=FULL``; the file is in WAL mode.  A write is one ``BEGIN
IMMEDIATE`` transaction that also writes its audit rows (:func:`audit`): when the
call returns, the change and its audit trail are on disk together.

The schema has a version (``PRAGMA user_version``); :data:`MIGRATIONS` holds the
steps from each version to the next and :meth:`VraagbaakDB.migrate` runs the ones
a file still needs.  A file of a newer version is refused.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kennisbank.errors import KennisbankError
from kennisbank.vraagbaak.centra import RoutingTable, load_table

#: Name of the database file in the data folder.
DB_FILENAME = "vraagbaak.sqlite"

#: Questions' statuses, in the order a question normally passes them.
STATUSES = ("nieuw", "in_behandeling", "beantwoord", "gepubliceerd", "ingetrokken")
#: Roles of an account.
ROLES = ("medewerker", "beheerder")
#: What the audit trail records (schema version 1).
_ACTIONS_V1 = (
    "ingediend",
    "gerouteerd",
    "doorgestuurd",
    "opgepakt",
    "beantwoord",
    "gepubliceerd",
    "bewerkt",
    "ingetrokken",
    "account_aangemaakt",
    "account_geblokkeerd",
    "ingelogd",
    "inloggen_mislukt",
)
#: What the audit trail records.
ACTIONS = (*_ACTIONS_V1, "account_gedeblokkeerd", "centrum_gewijzigd")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


#: Schema steps: ``MIGRATIONS[n]`` brings a file from version n to n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE centra (
            code TEXT PRIMARY KEY,
            naam TEXT NOT NULL,
            beschrijving TEXT NOT NULL DEFAULT '',
            bron TEXT NOT NULL DEFAULT ''
        )""",
        f"""CREATE TABLE gebruikers (
            id INTEGER PRIMARY KEY,
            naam TEXT NOT NULL UNIQUE,
            wachtwoord_hash TEXT NOT NULL,
            centrum TEXT REFERENCES centra(code),
            rol TEXT NOT NULL CHECK (rol IN ({_in(ROLES)})),
            geblokkeerd INTEGER NOT NULL DEFAULT 0 CHECK (geblokkeerd IN (0, 1)),
            aangemaakt TEXT NOT NULL,
            CHECK (rol = 'beheerder' OR centrum IS NOT NULL)
        )""",
        f"""CREATE TABLE vragen (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            referentie TEXT NOT NULL UNIQUE,
            tekst TEXT NOT NULL,
            naam TEXT,
            organisatie TEXT,
            plaats TEXT,
            email TEXT,
            status TEXT NOT NULL DEFAULT 'nieuw' CHECK (status IN ({_in(STATUSES)})),
            centrum TEXT REFERENCES centra(code),
            routering_reden TEXT NOT NULL DEFAULT '',
            behandelaar INTEGER REFERENCES gebruikers(id),
            aangemaakt TEXT NOT NULL,
            bijgewerkt TEXT NOT NULL,
            gepubliceerd TEXT
        )""",
        "CREATE INDEX vragen_centrum_status ON vragen(centrum, status, aangemaakt)",
        "CREATE INDEX vragen_gepubliceerd ON vragen(status, gepubliceerd)",
        """CREATE TABLE antwoorden (
            id INTEGER PRIMARY KEY,
            vraag INTEGER NOT NULL REFERENCES vragen(id),
            versie INTEGER NOT NULL,
            tekst TEXT NOT NULL,
            auteur INTEGER REFERENCES gebruikers(id),
            aangemaakt TEXT NOT NULL,
            UNIQUE (vraag, versie)
        )""",
        """CREATE TABLE citaten (
            id INTEGER PRIMARY KEY,
            antwoord INTEGER NOT NULL REFERENCES antwoorden(id),
            passage_id TEXT NOT NULL,
            document_id TEXT NOT NULL,
            citaat TEXT NOT NULL,
            volgorde INTEGER NOT NULL,
            UNIQUE (antwoord, volgorde)
        )""",
        """CREATE TABLE onderwerpen (
            id INTEGER PRIMARY KEY,
            vraag INTEGER NOT NULL REFERENCES vragen(id),
            soort TEXT NOT NULL CHECK (soort IN ('thema', 'entiteit')),
            waarde TEXT NOT NULL,
            UNIQUE (vraag, soort, waarde)
        )""",
        f"""CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            tijd TEXT NOT NULL,
            gebruiker INTEGER REFERENCES gebruikers(id),
            vraag INTEGER REFERENCES vragen(id),
            actie TEXT NOT NULL CHECK (actie IN ({_in(_ACTIONS_V1)})),
            detail TEXT NOT NULL DEFAULT '{{}}'
        )""",
        "CREATE INDEX audit_vraag ON audit(vraag, id)",
    ),
    # 2: a centre can be switched off by a beheerder (routing then skips it); the audit
    # trail records that and unblocking an account (SQLite cannot change a CHECK: the
    # table is copied).
    (
        "ALTER TABLE centra ADD COLUMN actief INTEGER NOT NULL DEFAULT 1 CHECK (actief IN (0, 1))",
        f"""CREATE TABLE audit_v2 (
            id INTEGER PRIMARY KEY,
            tijd TEXT NOT NULL,
            gebruiker INTEGER REFERENCES gebruikers(id),
            vraag INTEGER REFERENCES vragen(id),
            actie TEXT NOT NULL CHECK (actie IN ({_in(ACTIONS)})),
            detail TEXT NOT NULL DEFAULT '{{}}'
        )""",
        "INSERT INTO audit_v2 (id, tijd, gebruiker, vraag, actie, detail) "
        "SELECT id, tijd, gebruiker, vraag, actie, detail FROM audit",
        "DROP TABLE audit",
        "ALTER TABLE audit_v2 RENAME TO audit",
        "CREATE INDEX audit_vraag ON audit(vraag, id)",
    ),
)
#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(KennisbankError):
    """The database was written by a newer version of the kennisbank."""


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds (sorts as text)."""
    stamp = time.time()
    micro = int(stamp * 1_000_000) % 1_000_000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{micro:06d}Z"


def audit(
    conn: sqlite3.Connection,
    actie: str,
    *,
    gebruiker: int | None = None,
    vraag: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit row inside the caller's transaction."""
    conn.execute(
        "INSERT INTO audit (tijd, gebruiker, vraag, actie, detail) VALUES (?, ?, ?, ?, ?)",
        (now(), gebruiker, vraag, actie, json.dumps(detail or {}, ensure_ascii=False)),
    )


class VraagbaakDB:
    """The database file at ``path`` (created and migrated on first use).

    ``table`` is the routing table whose centres are kept in ``centra`` (default: the
    shipped table); they are synchronised at every open.
    """

    def __init__(self, path: str | Path, table: RoutingTable | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # accounts and contact details: owner only (0600)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self.migrate()
        self.sync_centres(table or load_table())

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> VraagbaakDB:
        """The Vraagbaak database of a data folder (``data_dir/vraagbaak.sqlite``)."""
        return cls(Path(data_dir) / DB_FILENAME)

    # ------------------------------------------------------------------ connections
    def connect(self) -> sqlite3.Connection:
        """A new connection with the pragmas every operation needs (caller closes it)."""
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading (one consistent snapshot per statement)."""
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    # ------------------------------------------------------------------ schema
    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version``."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Switch the file to WAL and run the migrations it still needs (one transaction)."""
        conn = self.connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                conn.execute("ROLLBACK")
                raise SchemaTooNew(
                    f"{self.path} heeft schemaversie {version}; deze versie van de kennisbank "
                    f"kent er {SCHEMA_VERSION}. Werk de kennisbank bij."
                )
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        finally:
            conn.close()

    def sync_centres(self, table: RoutingTable) -> None:
        """Insert or update the centres of the routing table (none is ever removed)."""
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO centra (code, naam, beschrijving, bron) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(code) DO UPDATE SET naam = excluded.naam, "
                "beschrijving = excluded.beschrijving, bron = excluded.bron",
                [(c.code, c.naam, c.beschrijving, c.bron) for c in table.centres],
            )


__all__ = [
    "ACTIONS",
    "DB_FILENAME",
    "MIGRATIONS",
    "ROLES",
    "SCHEMA_VERSION",
    "STATUSES",
    "SchemaTooNew",
    "VraagbaakDB",
    "audit",
    "now",
]
