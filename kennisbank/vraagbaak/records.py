"""Reading rows of the Vraagbaak database into its dataclasses (no authorisation here).

The service (:mod:`kennisbank.vraagbaak.service`) decides who may see a record;
these functions only build it.  :func:`published_qa` is the one place a public
record is made, and it never reads a contact column.
"""

from __future__ import annotations

import json
import sqlite3

from kennisbank.vraagbaak.models import (
    Answer,
    AuditEntry,
    Citation,
    Contact,
    PublishedQA,
    Question,
    QuestionStatus,
    Topic,
)

_ANSWER_SQL = (
    "SELECT a.*, g.naam AS auteur_naam FROM antwoorden a "
    "LEFT JOIN gebruikers g ON g.id = a.auteur WHERE a.vraag = ? "
)


def citations(conn: sqlite3.Connection, antwoord_id: int) -> tuple[Citation, ...]:
    """The citations of one answer version, in their order."""
    rows = conn.execute(
        "SELECT passage_id, document_id, citaat FROM citaten WHERE antwoord = ? ORDER BY volgorde",
        (antwoord_id,),
    )
    return tuple(Citation(r["passage_id"], r["document_id"], r["citaat"]) for r in rows)


def _answer(conn: sqlite3.Connection, row: sqlite3.Row) -> Answer:
    return Answer(
        versie=row["versie"],
        tekst=row["tekst"],
        auteur=row["auteur_naam"],
        aangemaakt=row["aangemaakt"],
        citaten=citations(conn, row["id"]),
    )


def current_answer(conn: sqlite3.Connection, vraag_id: int) -> Answer | None:
    """The highest version of a question's answer, or None."""
    row = conn.execute(_ANSWER_SQL + "ORDER BY a.versie DESC LIMIT 1", (vraag_id,)).fetchone()
    return _answer(conn, row) if row else None


def answer_versions(conn: sqlite3.Connection, vraag_id: int) -> tuple[Answer, ...]:
    """Every version of a question's answer, oldest first."""
    rows = conn.execute(_ANSWER_SQL + "ORDER BY a.versie", (vraag_id,)).fetchall()
    return tuple(_answer(conn, row) for row in rows)


def topics(conn: sqlite3.Connection, vraag_id: int) -> tuple[Topic, ...]:
    """What a question is about (thema's first, then entities)."""
    rows = conn.execute(
        "SELECT soort, waarde FROM onderwerpen WHERE vraag = ? ORDER BY soort DESC, id",
        (vraag_id,),
    )
    return tuple(Topic(r["soort"], r["waarde"]) for r in rows)


def question(conn: sqlite3.Connection, row: sqlite3.Row) -> Question:
    """The staff view of a ``vragen`` row (contact details included)."""
    behandelaar = None
    if row["behandelaar"] is not None:
        found = conn.execute(
            "SELECT naam FROM gebruikers WHERE id = ?", (row["behandelaar"],)
        ).fetchone()
        behandelaar = found["naam"] if found else None
    return Question(
        id=row["id"],
        referentie=row["referentie"],
        tekst=row["tekst"],
        status=row["status"],
        centrum=row["centrum"],
        routering_reden=row["routering_reden"],
        behandelaar=behandelaar,
        aangemaakt=row["aangemaakt"],
        bijgewerkt=row["bijgewerkt"],
        gepubliceerd=row["gepubliceerd"],
        contact=Contact(row["naam"], row["organisatie"], row["plaats"], row["email"]),
        onderwerpen=topics(conn, row["id"]),
        antwoord=current_answer(conn, row["id"]),
    )


def centre_name(conn: sqlite3.Connection, code: str | None) -> str | None:
    """The name of a centre (None for the general queue)."""
    if code is None:
        return None
    row = conn.execute("SELECT naam FROM centra WHERE code = ?", (code,)).fetchone()
    return row["naam"] if row else code


def question_status(conn: sqlite3.Connection, row: sqlite3.Row) -> QuestionStatus:
    """The visitor's view of a ``vragen`` row."""
    published = row["id"] if row["status"] == "gepubliceerd" else None
    return QuestionStatus(
        referentie=row["referentie"],
        tekst=row["tekst"],
        status=row["status"],
        centrum_naam=centre_name(conn, row["centrum"]),
        aangemaakt=row["aangemaakt"],
        bijgewerkt=row["bijgewerkt"],
        gepubliceerd_id=published,
    )


#: The only columns a public record is built from (no contact details).
PUBLIC_COLUMNS = "id, referentie, tekst, centrum, gepubliceerd, bijgewerkt"


def published_qa(conn: sqlite3.Connection, row: sqlite3.Row) -> PublishedQA:
    """The public record of a published question (``row`` has :data:`PUBLIC_COLUMNS`)."""
    answer = current_answer(conn, row["id"])
    assert answer is not None, "een gepubliceerde vraag heeft een antwoord"
    return PublishedQA(
        id=row["id"],
        referentie=row["referentie"],
        vraag=row["tekst"],
        antwoord=answer.tekst,
        citaten=answer.citaten,
        centrum=row["centrum"],
        centrum_naam=centre_name(conn, row["centrum"]),
        gepubliceerd=row["gepubliceerd"],
        bijgewerkt=row["bijgewerkt"],
        versie=answer.versie,
        onderwerpen=topics(conn, row["id"]),
    )


def audit_entries(conn: sqlite3.Connection, vraag_id: int) -> tuple[AuditEntry, ...]:
    """A question's audit trail, oldest first."""
    rows = conn.execute(
        "SELECT a.tijd, a.actie, a.vraag, a.detail, g.naam FROM audit a "
        "LEFT JOIN gebruikers g ON g.id = a.gebruiker WHERE a.vraag = ? ORDER BY a.id",
        (vraag_id,),
    )
    return tuple(
        AuditEntry(r["tijd"], r["actie"], r["naam"], r["vraag"], json.loads(r["detail"]))
        for r in rows
    )


__all__ = [
    "PUBLIC_COLUMNS",
    "answer_versions",
    "audit_entries",
    "centre_name",
    "citations",
    "current_answer",
    "published_qa",
    "question",
    "question_status",
    "topics",
]
