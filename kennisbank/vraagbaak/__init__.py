"""The Vraagbaak: the kennisportaal's helpdesk (issue 14), without Flask and without spaCy.

VR2008 describes it: "Er is een gezamenlijk kennisportaal, inclusief een helpdesk
waar bezoekers allerlei vragen over de wijkenaanpak kunnen stellen. Deze vragen
worden doorgespeeld naar het centrum dat hier de meeste expertise op heeft."

A visitor submits a question (:meth:`Vraagbaak.submit_question`); it is routed to
the kenniscentrum whose thema's fit best (:mod:`~kennisbank.vraagbaak.routing`,
with the routing table :mod:`~kennisbank.vraagbaak.centra` as sourced data) or to
the general queue.  Staff of that centre take it, re-route it, answer it with
citations to passages and publish it; a beheerder sees everything and may edit or
withdraw a published answer.  Authorisation is checked inside the service, so the
web layer cannot forget it; contact details appear only in staff views.

Modules:

``db``        the SQLite file ``vraagbaak.sqlite`` in the data folder (outside the
              index generations): WAL, foreign keys, ``synchronous=FULL``, schema
              version and migrations, audit rows in the same transaction
``models``    the dataclasses (staff, visitor and public views of a question)
``records``   rows → dataclasses (the only place a public record is built)
``service``   :class:`Vraagbaak`, the API the web layer calls
``accounts``  accounts with Argon2id password hashes; :func:`authenticate`
``centra``    the routing table (``data/vraagbaak_routing.json``)
``routing``   thema's of a question → the best centre, with a Dutch reason
``backup``    JSON export/import and SQLite online backup
``errors``    the Vraagbaak's errors (:class:`kennisbank.errors.Forbidden` is shared)
"""

from __future__ import annotations

from kennisbank.vraagbaak.accounts import (
    MIN_PASSWORD_LENGTH,
    add_user,
    authenticate,
    block_user,
    get_user,
    list_users,
    unblock_user,
)
from kennisbank.vraagbaak.backup import backup, export_json, import_json
from kennisbank.vraagbaak.db import DB_FILENAME, SCHEMA_VERSION, VraagbaakDB
from kennisbank.vraagbaak.errors import (
    DatabaseNotEmpty,
    InvalidState,
    QuestionNotFound,
    UserNotFound,
)
from kennisbank.vraagbaak.models import (
    Answer,
    AuditEntry,
    Citation,
    Contact,
    History,
    PublishedQA,
    Question,
    QuestionStatus,
    RoutingDecision,
    Submission,
    Topic,
    User,
)
from kennisbank.vraagbaak.routing import Router, route
from kennisbank.vraagbaak.service import Vraagbaak

__all__ = [
    "DB_FILENAME",
    "MIN_PASSWORD_LENGTH",
    "SCHEMA_VERSION",
    "Answer",
    "AuditEntry",
    "Citation",
    "Contact",
    "DatabaseNotEmpty",
    "History",
    "InvalidState",
    "PublishedQA",
    "Question",
    "QuestionNotFound",
    "QuestionStatus",
    "Router",
    "RoutingDecision",
    "Submission",
    "Topic",
    "User",
    "UserNotFound",
    "Vraagbaak",
    "VraagbaakDB",
    "add_user",
    "authenticate",
    "backup",
    "block_user",
    "export_json",
    "get_user",
    "import_json",
    "list_users",
    "route",
    "unblock_user",
]
