"""The Vraagbaak's dataclasses: what the service returns to the web layer and the CLI.

Three views of a question, by who may see what:

- :class:`QuestionStatus` — for the visitor holding the token: status, no contact details;
- :class:`Question` — for staff of the assigned centre (or a beheerder): everything,
  including :class:`Contact`;
- :class:`PublishedQA` — for everyone, once published: question, answer, citations,
  centre and date; it has no contact fields at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class User:
    """An account (never with its password hash)."""

    id: int
    naam: str
    centrum: str | None
    rol: str
    geblokkeerd: bool
    aangemaakt: str

    @property
    def is_beheerder(self) -> bool:
        """True for a beheerder (sees and may change every question)."""
        return self.rol == "beheerder"


@dataclass(frozen=True)
class Citation:
    """A cited passage: its id, its document and the document's citation text."""

    passage_id: str
    document_id: str
    citaat: str


@dataclass(frozen=True)
class Answer:
    """One version of an answer (the current answer is the highest version)."""

    versie: int
    tekst: str
    auteur: str | None
    aangemaakt: str
    citaten: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Contact:
    """The visitor's contact details: for staff of the assigned centre only."""

    naam: str | None
    organisatie: str | None
    plaats: str | None
    email: str | None


@dataclass(frozen=True)
class Topic:
    """What a question is about: a thema or an entity id of the registry."""

    soort: str
    waarde: str


@dataclass(frozen=True)
class Question:
    """The staff view of a question (see the module docstring)."""

    id: int
    referentie: str
    tekst: str
    status: str
    centrum: str | None
    routering_reden: str
    behandelaar: str | None
    aangemaakt: str
    bijgewerkt: str
    gepubliceerd: str | None
    contact: Contact
    onderwerpen: tuple[Topic, ...] = ()
    antwoord: Answer | None = None


@dataclass(frozen=True)
class QuestionStatus:
    """What the visitor sees on the page of their token (no contact details)."""

    referentie: str
    tekst: str
    status: str
    centrum_naam: str | None
    aangemaakt: str
    bijgewerkt: str
    gepubliceerd_id: int | None


@dataclass(frozen=True)
class RoutingDecision:
    """Where a question goes and why.

    ``centrum`` is a centre code, or None for the general queue; ``reden`` is a Dutch
    sentence for staff; ``themas`` the thema ids found (best first).
    """

    centrum: str | None
    reden: str
    themas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """What :meth:`Vraagbaak.submit_question` returns: the stored question's handles.

    ``token`` opens the visitor's status page; ``routing`` (centre and reason) is for
    staff and logs, not for the visitor's page.
    """

    id: int
    token: str
    referentie: str
    routing: RoutingDecision
    status: QuestionStatus


@dataclass(frozen=True)
class PublishedQA:
    """A published question and answer: public, without any contact field."""

    id: int
    referentie: str
    vraag: str
    antwoord: str
    citaten: tuple[Citation, ...]
    centrum: str | None
    centrum_naam: str | None
    gepubliceerd: str
    bijgewerkt: str
    versie: int
    onderwerpen: tuple[Topic, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    tijd: str
    actie: str
    gebruiker: str | None
    vraag: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    """A question's audit trail and every version of its answer, oldest first."""

    audit: tuple[AuditEntry, ...]
    versies: tuple[Answer, ...]


__all__ = [
    "Answer",
    "AuditEntry",
    "Citation",
    "Contact",
    "History",
    "PublishedQA",
    "Question",
    "QuestionStatus",
    "RoutingDecision",
    "Submission",
    "Topic",
    "User",
]
