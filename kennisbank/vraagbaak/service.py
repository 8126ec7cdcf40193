"""The Vraagbaak service: the functions the web layer calls, with authorisation inside.

Who may do what (checked here, so no view can forget it):

==================  =============================================  =====================
step                medewerker                                     beheerder
==================  =============================================  =====================
see, take, answer,  questions of their own centre (also what was    every question, also
re-route, publish   re-routed to it)                                the general queue
edit the answer     while it is not yet published                   always
unpublish           no                                              yes
==================  =============================================  =====================

A question the user may not see raises :class:`kennisbank.errors.Forbidden` (as
does a blocked or removed account: the user is re-read from the database at every
call, so blocking works for open sessions too).  Each state change and its audit
row are one transaction.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from collections.abc import Sequence

from kennisbank.errors import Forbidden, InvalidInput
from kennisbank.vraagbaak import records
from kennisbank.vraagbaak.db import VraagbaakDB, audit, now
from kennisbank.vraagbaak.errors import InvalidState, QuestionNotFound
from kennisbank.vraagbaak.models import (
    Citation,
    History,
    PublishedQA,
    Question,
    QuestionStatus,
    Submission,
    User,
)
from kennisbank.vraagbaak.routing import Router, RoutingDecision, default_router

#: Limits of what a visitor may submit.
MIN_QUESTION, MAX_QUESTION = 10, 5000
MAX_FIELD = 200
MAX_ANSWER = 20000
MAX_REASON = 1000
MAX_CITATIONS = 20
#: Open work in a queue (published and withdrawn questions are done).
OPEN_STATUSES = ("nieuw", "in_behandeling", "beantwoord")
_EMAIL = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def _clean(value: str | None, label: str, limit: int = MAX_FIELD) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{label} mag hoogstens {limit} tekens lang zijn.")
    return value or None


def validate_submission(
    text: str, naam: str | None, organisatie: str | None, plaats: str | None, email: str | None
) -> tuple[str, str | None, str | None, str | None, str | None]:
    """The cleaned fields of a submission; :class:`InvalidInput` with a Dutch message."""
    text = (text or "").strip()
    if len(text) < MIN_QUESTION:
        raise InvalidInput(f"Een vraag moet minstens {MIN_QUESTION} tekens lang zijn.")
    if len(text) > MAX_QUESTION:
        raise InvalidInput(f"Een vraag mag hoogstens {MAX_QUESTION} tekens lang zijn.")
    email = _clean(email, "Het e-mailadres")
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"'{email}' is geen geldig e-mailadres.")
    return (
        text,
        _clean(naam, "De naam"),
        _clean(organisatie, "De organisatie"),
        _clean(plaats, "De wijk of gemeente"),
        email,
    )


def _validate_answer(tekst: str, citations: Sequence[Citation]) -> str:
    tekst = (tekst or "").strip()
    if not tekst:
        raise InvalidInput("Een antwoord mag niet leeg zijn.")
    if len(tekst) > MAX_ANSWER:
        raise InvalidInput(f"Een antwoord mag hoogstens {MAX_ANSWER} tekens lang zijn.")
    if len(citations) > MAX_CITATIONS:
        raise InvalidInput(f"Een antwoord heeft hoogstens {MAX_CITATIONS} citaten.")
    for citation in citations:
        if not citation.passage_id.strip() or not citation.document_id.strip():
            raise InvalidInput("Een citaat noemt altijd een passage en een document.")
        if max(len(citation.passage_id), len(citation.document_id), len(citation.citaat)) > 1000:
            raise InvalidInput("Een citaat mag hoogstens 1000 tekens lang zijn.")
    return tekst


class Vraagbaak:
    """The helpdesk over one database (``router``: default the shipped routing table)."""

    def __init__(self, db: VraagbaakDB, router: Router | None = None) -> None:
        self.db = db
        self._router = router

    @property
    def router(self) -> Router:
        """The router (built on first use: reading the thesaurus takes about a second)."""
        if self._router is None:
            self._router = default_router()
        return self._router

    # ------------------------------------------------------------------ visitors
    def submit_question(
        self,
        text: str,
        naam: str | None = None,
        organisatie: str | None = None,
        plaats: str | None = None,
        email: str | None = None,
    ) -> Submission:
        """Validate, route and store a visitor's question; returns once it is on disk.

        The :class:`Submission` holds the token for the visitor's status page and the
        reference number; :class:`InvalidInput` (Dutch message) for unusable input.
        """
        fields = validate_submission(text, naam, organisatie, plaats, email)
        decision = self.router.route(fields[0])
        token = secrets.token_urlsafe(24)
        with self.db.write() as conn:
            decision = self._active(conn, decision)
            vraag_id = self._insert(conn, token, fields, decision)
            row = conn.execute("SELECT * FROM vragen WHERE id = ?", (vraag_id,)).fetchone()
            status = records.question_status(conn, row)
        return Submission(vraag_id, token, status.referentie, decision, status)

    @staticmethod
    def _active(conn: sqlite3.Connection, decision: RoutingDecision) -> RoutingDecision:
        """The decision, or the general queue when its centre was switched off."""
        if decision.centrum is None:
            return decision
        row = conn.execute("SELECT actief FROM centra WHERE code = ?", (decision.centrum,))
        found = row.fetchone()
        if found is not None and found["actief"]:
            return decision
        why = f"{decision.reden}; {decision.centrum} is niet actief → algemene wachtrij"
        return RoutingDecision(None, why, decision.themas)

    # ------------------------------------------------------------------ centres
    def centres(self, user: User) -> list[dict[str, object]]:
        """Every centre with its description, source, whether it is active, its accounts
        and its open questions (a beheerder only)."""
        with self.db.read() as conn:
            current = self._current_user(conn, user)
            if not current.is_beheerder:
                raise Forbidden("Alleen een beheerder beheert de kenniscentra.")
            rows = conn.execute(
                "SELECT c.*, "
                "(SELECT COUNT(*) FROM gebruikers g WHERE g.centrum = c.code) AS accounts, "
                "(SELECT COUNT(*) FROM vragen v WHERE v.centrum = c.code AND v.status IN "
                f"({', '.join('?' for _ in OPEN_STATUSES)})) AS open_vragen "
                "FROM centra c ORDER BY c.naam",
                OPEN_STATUSES,
            ).fetchall()
            return [dict(row) for row in rows]

    def set_centre_active(self, user: User, code: str, actief: bool) -> None:
        """Switch a centre on or off (a beheerder only).  New questions for a centre that
        is off go to the general queue; its open questions stay where they are."""
        with self.db.write() as conn:
            current = self._current_user(conn, user)
            if not current.is_beheerder:
                raise Forbidden("Alleen een beheerder beheert de kenniscentra.")
            found = conn.execute("SELECT actief FROM centra WHERE code = ?", (code,)).fetchone()
            if found is None:
                raise InvalidInput(f"Onbekend kenniscentrum '{code[:40]}'.")
            conn.execute("UPDATE centra SET actief = ? WHERE code = ?", (int(actief), code))
            detail = {"centrum": code, "actief": bool(actief)}
            audit(conn, "centrum_gewijzigd", gebruiker=current.id, detail=detail)

    def _insert(
        self,
        conn: sqlite3.Connection,
        token: str,
        fields: tuple[str, str | None, str | None, str | None, str | None],
        decision: RoutingDecision,
    ) -> int:
        stamp = now()
        cursor = conn.execute(
            "INSERT INTO vragen (token, referentie, tekst, naam, organisatie, plaats, email, "
            "centrum, routering_reden, aangemaakt, bijgewerkt) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (token, f"tmp-{token}", *fields, decision.centrum, decision.reden, stamp, stamp),
        )
        vraag_id = int(cursor.lastrowid or 0)
        referentie = f"VB-{time.gmtime().tm_year}-{vraag_id:06d}"
        conn.execute("UPDATE vragen SET referentie = ? WHERE id = ?", (referentie, vraag_id))
        for topic in self._topics(decision, fields[0]):
            conn.execute(
                "INSERT OR IGNORE INTO onderwerpen (vraag, soort, waarde) VALUES (?, ?, ?)",
                (vraag_id, *topic),
            )
        audit(conn, "ingediend", vraag=vraag_id, detail={"referentie": referentie})
        detail = {"centrum": decision.centrum, "reden": decision.reden}
        audit(conn, "gerouteerd", vraag=vraag_id, detail=detail)
        return vraag_id

    def _topics(self, decision: RoutingDecision, text: str) -> list[tuple[str, str]]:
        """The thema's and the entities the question names (never the visitor's own
        place: that is a contact detail, and topics are public once published)."""
        found = [("thema", thema) for thema in decision.themas]
        return found + [("entiteit", e) for e in self.router.entities(text)]

    def question_by_token(self, token: str) -> QuestionStatus:
        """The visitor's view of their question (:class:`QuestionNotFound` for a bad token)."""
        with self.db.read() as conn:
            row = conn.execute("SELECT * FROM vragen WHERE token = ?", (token,)).fetchone()
            if row is None:
                raise QuestionNotFound()
            return records.question_status(conn, row)

    def published(self, limit: int = 20, offset: int = 0) -> list[PublishedQA]:
        """Published questions and answers, most recently published first."""
        limit, offset = max(0, min(int(limit), 1000)), max(0, int(offset))
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {records.PUBLIC_COLUMNS} FROM vragen WHERE status = 'gepubliceerd' "
                "ORDER BY gepubliceerd DESC, id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
            return [records.published_qa(conn, row) for row in rows]

    def published_count(self) -> int:
        """How many questions are published."""
        with self.db.read() as conn:
            sql = "SELECT COUNT(*) FROM vragen WHERE status = 'gepubliceerd'"
            return int(conn.execute(sql).fetchone()[0])

    def change_marker(self) -> int:
        """A number that grows with every change to the database (the last audit row's id:
        every change writes one), so a reader can tell cheaply whether to reload."""
        with self.db.read() as conn:
            return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0])

    def all_published(self) -> list[PublishedQA]:
        """Every published question and answer, most recently published first."""
        found: list[PublishedQA] = []
        while True:
            page = self.published(limit=1000, offset=len(found))
            found += page
            if len(page) < 1000:
                return found

    def published_by_id(self, vraag_id: int) -> PublishedQA:
        """One published question and answer (:class:`QuestionNotFound` otherwise)."""
        with self.db.read() as conn:
            row = conn.execute(
                f"SELECT {records.PUBLIC_COLUMNS} FROM vragen "
                "WHERE id = ? AND status = 'gepubliceerd'",
                (vraag_id,),
            ).fetchone()
            if row is None:
                raise QuestionNotFound(str(vraag_id))
            return records.published_qa(conn, row)

    # ------------------------------------------------------------------ staff: reading
    def queue(
        self, user: User, *, newest_first: bool = False, include_closed: bool = False
    ) -> list[Question]:
        """The questions ``user`` may see, oldest-waiting first (or newest first)."""
        statuses = OPEN_STATUSES + (("gepubliceerd", "ingetrokken") if include_closed else ())
        order = "DESC" if newest_first else "ASC"
        marks = ", ".join("?" for _ in statuses)
        with self.db.read() as conn:
            current = self._current_user(conn, user)
            where, params = f"status IN ({marks})", list(statuses)
            if not current.is_beheerder:
                where += " AND centrum = ?"
                params.append(current.centrum)
            rows = conn.execute(
                f"SELECT * FROM vragen WHERE {where} ORDER BY aangemaakt {order}, id {order}",
                params,
            ).fetchall()
            return [records.question(conn, row) for row in rows]

    def question(self, user: User, vraag_id: int) -> Question:
        """The staff view of one question (contact details included)."""
        with self.db.read() as conn:
            _, row = self._visible(conn, user, vraag_id)
            return records.question(conn, row)

    def history(self, user: User, vraag_id: int) -> History:
        """The audit trail and every answer version of a question."""
        with self.db.read() as conn:
            self._visible(conn, user, vraag_id)
            return History(
                records.audit_entries(conn, vraag_id), records.answer_versions(conn, vraag_id)
            )

    # ------------------------------------------------------------------ staff: changes
    def take(self, user: User, vraag_id: int) -> Question:
        """``user`` takes the question: status ``in_behandeling``, behandelaar ``user``."""
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            self._require(row, ("nieuw", "in_behandeling"), "oppakken")
            self._update(conn, vraag_id, status="in_behandeling", behandelaar=current.id)
            audit(conn, "opgepakt", gebruiker=current.id, vraag=vraag_id)
            return self._reload(conn, vraag_id)

    def reroute(self, user: User, vraag_id: int, centrum: str | None, reden: str) -> Question:
        """Send the question to another centre (None: the general queue), with a reason."""
        reden = _clean(reden, "De reden", MAX_REASON) or ""
        if not reden:
            raise InvalidInput("Geef een reden waarom de vraag naar een ander centrum gaat.")
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            self._require(row, ("nieuw", "in_behandeling"), "doorsturen")
            sql = "SELECT actief FROM centra WHERE code = ?"
            found = conn.execute(sql, (centrum,)).fetchone() if centrum is not None else None
            if centrum is not None and found is None:
                raise InvalidInput(f"Onbekend kenniscentrum '{centrum}'.")
            if found is not None and not found["actief"]:
                raise InvalidInput(f"Kenniscentrum '{centrum}' is niet actief.")
            why = f"doorgestuurd door {current.naam}: {reden}"
            changes = {"status": "nieuw", "centrum": centrum, "behandelaar": None}
            self._update(conn, vraag_id, **changes, routering_reden=why)
            detail = {"van": row["centrum"], "naar": centrum, "reden": reden}
            audit(conn, "doorgestuurd", gebruiker=current.id, vraag=vraag_id, detail=detail)
            return records.question(conn, self._row(conn, vraag_id))

    def answer(
        self, user: User, vraag_id: int, tekst: str, citations: Sequence[Citation] = ()
    ) -> Question:
        """Answer the question (version 1) with citations: status ``beantwoord``."""
        tekst = _validate_answer(tekst, citations)
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            self._require(row, ("nieuw", "in_behandeling"), "beantwoorden")
            versie = self._add_version(conn, vraag_id, current, tekst, citations)
            behandelaar = row["behandelaar"] or current.id
            self._update(conn, vraag_id, status="beantwoord", behandelaar=behandelaar)
            detail = {"versie": versie, "citaten": len(citations)}
            audit(conn, "beantwoord", gebruiker=current.id, vraag=vraag_id, detail=detail)
            return self._reload(conn, vraag_id)

    def edit_answer(
        self, user: User, vraag_id: int, tekst: str, citations: Sequence[Citation] = ()
    ) -> Question:
        """A new version of the answer (the old one stays in the history)."""
        tekst = _validate_answer(tekst, citations)
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            self._require(row, ("beantwoord", "gepubliceerd", "ingetrokken"), "bewerken")
            if row["status"] != "beantwoord" and not current.is_beheerder:
                raise Forbidden("Alleen een beheerder bewerkt een gepubliceerd antwoord.")
            versie = self._add_version(conn, vraag_id, current, tekst, citations)
            self._update(conn, vraag_id)
            if row["status"] == "gepubliceerd":
                self._link_topics(conn, vraag_id)
            detail = {"versie": versie, "citaten": len(citations)}
            audit(conn, "bewerkt", gebruiker=current.id, vraag=vraag_id, detail=detail)
            return self._reload(conn, vraag_id)

    def publish(self, user: User, vraag_id: int) -> PublishedQA:
        """Publish the answered question: it becomes a public page and search result."""
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            allowed = ("beantwoord", "ingetrokken") if current.is_beheerder else ("beantwoord",)
            self._require(row, allowed, "publiceren")
            stamp = now()
            self._update(conn, vraag_id, status="gepubliceerd", gepubliceerd=stamp)
            self._link_topics(conn, vraag_id)
            audit(conn, "gepubliceerd", gebruiker=current.id, vraag=vraag_id)
            public = conn.execute(
                f"SELECT {records.PUBLIC_COLUMNS} FROM vragen WHERE id = ?", (vraag_id,)
            ).fetchone()
            return records.published_qa(conn, public)

    def unpublish(self, user: User, vraag_id: int, reden: str) -> Question:
        """Withdraw a published answer (beheerder only), with a reason."""
        reden = _clean(reden, "De reden", MAX_REASON) or ""
        if not reden:
            raise InvalidInput("Geef een reden waarom het antwoord wordt ingetrokken.")
        with self.db.write() as conn:
            current, row = self._visible(conn, user, vraag_id)
            if not current.is_beheerder:
                raise Forbidden("Alleen een beheerder trekt een gepubliceerd antwoord in.")
            self._require(row, ("gepubliceerd",), "intrekken")
            self._update(conn, vraag_id, status="ingetrokken")
            detail = {"reden": reden}
            audit(conn, "ingetrokken", gebruiker=current.id, vraag=vraag_id, detail=detail)
            return self._reload(conn, vraag_id)

    # ------------------------------------------------------------------ helpers
    def _link_topics(self, conn: sqlite3.Connection, vraag_id: int) -> None:
        """Add the thema's and entities the question and its current answer name to the
        question's topics (what a published answer is linked to and filtered by)."""
        row = self._row(conn, vraag_id)
        answer = records.current_answer(conn, vraag_id)
        text = f"{row['tekst']}\n{answer.tekst if answer else ''}"
        topics = [("thema", t) for t in self.router.classify(text)]
        topics += [("entiteit", e) for e in self.router.entities(text)]
        conn.executemany(
            "INSERT OR IGNORE INTO onderwerpen (vraag, soort, waarde) VALUES (?, ?, ?)",
            [(vraag_id, soort, waarde) for soort, waarde in topics],
        )

    @staticmethod
    def _current_user(conn: sqlite3.Connection, user: User) -> User:
        row = conn.execute("SELECT * FROM gebruikers WHERE id = ?", (user.id,)).fetchone()
        if row is None or row["geblokkeerd"] or row["naam"] != user.naam:
            raise Forbidden("Dit account bestaat niet meer of is geblokkeerd.")
        return User(row["id"], row["naam"], row["centrum"], row["rol"], False, row["aangemaakt"])

    @staticmethod
    def _row(conn: sqlite3.Connection, vraag_id: int) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM vragen WHERE id = ?", (vraag_id,)).fetchone()
        if row is None:
            raise QuestionNotFound(str(vraag_id))
        return row

    def _visible(
        self, conn: sqlite3.Connection, user: User, vraag_id: int
    ) -> tuple[User, sqlite3.Row]:
        """The current account and the question's row, or :class:`Forbidden`."""
        current = self._current_user(conn, user)
        row = self._row(conn, vraag_id)
        if not current.is_beheerder and (
            row["centrum"] is None or row["centrum"] != current.centrum
        ):
            raise Forbidden("Deze vraag hoort niet bij uw kenniscentrum.")
        return current, row

    @staticmethod
    def _require(row: sqlite3.Row, statuses: tuple[str, ...], step: str) -> None:
        if row["status"] not in statuses:
            raise InvalidState(
                f"Vraag {row['referentie']} heeft status '{row['status']}': {step} kan niet."
            )

    @staticmethod
    def _update(conn: sqlite3.Connection, vraag_id: int, **changes: object) -> None:
        changes["bijgewerkt"] = now()
        columns = ", ".join(f"{name} = ?" for name in changes)
        conn.execute(f"UPDATE vragen SET {columns} WHERE id = ?", (*changes.values(), vraag_id))

    @staticmethod
    def _add_version(
        conn: sqlite3.Connection,
        vraag_id: int,
        user: User,
        tekst: str,
        citations: Sequence[Citation],
    ) -> int:
        sql = "SELECT COALESCE(MAX(versie), 0) + 1 FROM antwoorden WHERE vraag = ?"
        versie = int(conn.execute(sql, (vraag_id,)).fetchone()[0])
        cursor = conn.execute(
            "INSERT INTO antwoorden (vraag, versie, tekst, auteur, aangemaakt) "
            "VALUES (?, ?, ?, ?, ?)",
            (vraag_id, versie, tekst, user.id, now()),
        )
        conn.executemany(
            "INSERT INTO citaten (antwoord, passage_id, document_id, citaat, volgorde) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (cursor.lastrowid, c.passage_id, c.document_id, c.citaat, n)
                for n, c in enumerate(citations, start=1)
            ],
        )
        return versie

    def _reload(self, conn: sqlite3.Connection, vraag_id: int) -> Question:
        return records.question(conn, self._row(conn, vraag_id))


__all__ = ["OPEN_STATUSES", "Vraagbaak", "validate_submission"]
