"""Accounts of medewerkers and beheerders: add, list, block, authenticate.

Passwords are hashed with Argon2id (``argon2.PasswordHasher`` of argon2-cffi,
memory-hard, its default parameters).  :func:`authenticate` does the same work
whether or not a name exists: an unknown name is verified against a dummy hash, so
the answer time does not reveal which names exist.  A blocked account cannot log
in.  A hash made with older parameters is replaced at the next successful login.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kennisbank.errors import Forbidden, InvalidInput
from kennisbank.vraagbaak.db import ROLES, VraagbaakDB, audit, now
from kennisbank.vraagbaak.errors import UserNotFound
from kennisbank.vraagbaak.models import User

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 12
#: Longest password accepted (argon2 hashes any length; this bounds the work per login).
MAX_PASSWORD_LENGTH = 1024
_NAME = re.compile(r"^[\w.@-]{2,100}$")


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """The password hasher (Argon2id, argon2-cffi's recommended parameters)."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("geen-gebruiker-met-deze-naam")


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        naam=row["naam"],
        centrum=row["centrum"],
        rol=row["rol"],
        geblokkeerd=bool(row["geblokkeerd"]),
        aangemaakt=row["aangemaakt"],
    )


def validate_password(password: str) -> None:
    """Raise :class:`InvalidInput` when ``password`` breaks the rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Het wachtwoord mag hoogstens {MAX_PASSWORD_LENGTH} tekens lang zijn.")


def _validate_account(conn: sqlite3.Connection, naam: str, centrum: str | None, rol: str) -> None:
    if not _NAME.match(naam):
        raise InvalidInput(
            "Een gebruikersnaam heeft 2 tot 100 tekens: letters, cijfers, punt, @, - of _."
        )
    if rol not in ROLES:
        raise InvalidInput(f"Onbekende rol '{rol}': kies medewerker of beheerder.")
    if rol == "medewerker" and not centrum:
        raise InvalidInput("Een medewerker hoort bij een kenniscentrum: geef --centrum op.")
    if (
        centrum
        and conn.execute("SELECT 1 FROM centra WHERE code = ?", (centrum,)).fetchone() is None
    ):
        codes = ", ".join(r[0] for r in conn.execute("SELECT code FROM centra ORDER BY code"))
        raise InvalidInput(f"Onbekend kenniscentrum '{centrum}'. Bekend zijn: {codes}.")
    if conn.execute("SELECT 1 FROM gebruikers WHERE naam = ?", (naam,)).fetchone():
        raise InvalidInput(f"Er is al een gebruiker '{naam}'.")


def add_user(
    db: VraagbaakDB,
    naam: str,
    centrum: str | None,
    rol: str,
    password: str,
    *,
    door: User | None = None,
) -> User:
    """Create an account (``door``: the beheerder who does it; None from the CLI).

    :class:`~kennisbank.errors.Forbidden` when ``door`` is no (unblocked) beheerder."""
    _require_beheerder(db, door)
    validate_password(password)
    password_hash = hasher().hash(password)
    with db.write() as conn:
        _validate_account(conn, naam, centrum, rol)
        cursor = conn.execute(
            "INSERT INTO gebruikers (naam, wachtwoord_hash, centrum, rol, aangemaakt) "
            "VALUES (?, ?, ?, ?, ?)",
            (naam, password_hash, centrum or None, rol, now()),
        )
        detail = {"naam": naam, "rol": rol, "centrum": centrum}
        audit(conn, "account_aangemaakt", gebruiker=door.id if door else None, detail=detail)
        row = conn.execute("SELECT * FROM gebruikers WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return _user(row)


def list_users(db: VraagbaakDB) -> list[User]:
    """Every account, by name."""
    with db.read() as conn:
        return [_user(r) for r in conn.execute("SELECT * FROM gebruikers ORDER BY naam")]


def get_user(db: VraagbaakDB, naam: str) -> User | None:
    """The account with this name, or None."""
    with db.read() as conn:
        row = conn.execute("SELECT * FROM gebruikers WHERE naam = ?", (naam,)).fetchone()
    return _user(row) if row else None


def _require_beheerder(db: VraagbaakDB, door: User | None) -> None:
    """``door`` (None: the command line on the server) must be an unblocked beheerder,
    as the database says now."""
    if door is None:
        return
    current = get_user(db, door.naam)
    if current is None or current.geblokkeerd or not current.is_beheerder:
        raise Forbidden("Alleen een beheerder beheert accounts en kenniscentra.")


def _set_blocked(db: VraagbaakDB, naam: str, blocked: bool, door: User | None) -> User:
    _require_beheerder(db, door)
    if door is not None and door.naam == naam and blocked:
        raise InvalidInput("U kunt uw eigen account niet blokkeren.")
    with db.write() as conn:
        row = conn.execute("SELECT * FROM gebruikers WHERE naam = ?", (naam,)).fetchone()
        if row is None:
            raise UserNotFound(naam)
        conn.execute(
            "UPDATE gebruikers SET geblokkeerd = ? WHERE id = ?", (int(blocked), row["id"])
        )
        audit(
            conn,
            "account_geblokkeerd" if blocked else "account_gedeblokkeerd",
            gebruiker=door.id if door else None,
            detail={"naam": naam},
        )
        row = conn.execute("SELECT * FROM gebruikers WHERE id = ?", (row["id"],)).fetchone()
    return _user(row)


def block_user(db: VraagbaakDB, naam: str, *, door: User | None = None) -> User:
    """Block an account: it can no longer log in, and its open sessions stop working
    (``door``: the beheerder who does it; None from the CLI)."""
    return _set_blocked(db, naam, True, door)


def unblock_user(db: VraagbaakDB, naam: str, *, door: User | None = None) -> User:
    """Let a blocked account log in again (``door`` as for :func:`block_user`)."""
    return _set_blocked(db, naam, False, door)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(db: VraagbaakDB, naam: str, password: str) -> User | None:
    """The account when ``naam`` and ``password`` match and it is not blocked, else None.

    Unknown names cost the same hash verification as known ones.  Every attempt is
    in the audit trail (``ingelogd`` / ``inloggen_mislukt``).
    """
    password = password[:MAX_PASSWORD_LENGTH]
    with db.read() as conn:
        row = conn.execute("SELECT * FROM gebruikers WHERE naam = ?", (naam,)).fetchone()
    ok = _verify(row["wachtwoord_hash"] if row else _dummy_hash(), password)
    if row is None or not ok or row["geblokkeerd"]:
        with db.write() as conn:
            reason = "geblokkeerd" if row is not None and ok else "naam of wachtwoord onjuist"
            detail = {"naam": naam[:100], "reden": reason}
            audit(conn, "inloggen_mislukt", gebruiker=row["id"] if row else None, detail=detail)
        return None
    rehashed = (
        hasher().hash(password) if hasher().check_needs_rehash(row["wachtwoord_hash"]) else None
    )
    with db.write() as conn:
        if rehashed:
            conn.execute(
                "UPDATE gebruikers SET wachtwoord_hash = ? WHERE id = ?", (rehashed, row["id"])
            )
        audit(conn, "ingelogd", gebruiker=row["id"])
    return _user(row)


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "add_user",
    "authenticate",
    "block_user",
    "get_user",
    "hasher",
    "list_users",
    "unblock_user",
    "validate_password",
]
