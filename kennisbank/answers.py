"""Answer boxes: a list question about an entity the knowledge graph knows, answered from it.

"Welke gemeenten doen mee aan Gezonde Wijk?" asks for entities of one type (gemeenten)
linked to one entity the graph knows (the experiment Gezonde wijk).  The graph has the
answer with its evidence: the ``deelnemer`` links of the experiment, each with the
passages it was read from (or the registry fact it comes from).  :func:`answer_box`
recognises such a question and returns the list; the search page shows it above the
hits, ``/api/search`` returns it as ``answer``.

Recognition is deliberately narrow, so that a box is never a guess:

* the query asks for a list (a question word such as *welke*, *hoeveel*, *wie*, *wat
  zijn*, or a plural type word with *in*/*van*/*bij*: "wijken in Rotterdam");
* it names the wanted type with a plural noun (:data:`TYPE_WORDS`: *gemeenten*,
  *steden*, *wijken*, *krachtwijken*, *buurten*, *partners*, *experimenten* …);
* it names exactly one other entity of the registry (longest name first), and the graph
  links that entity to entities of the wanted type.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kennisbank.graph import ENTITY_TYPE_LABELS, LINK_LABELS
from kennisbank.registry import normalise

#: Plural (and a few singular) nouns that name the entity type a question asks for.
TYPE_WORDS: dict[str, str] = {
    "gemeenten": "gemeente",
    "gemeentes": "gemeente",
    "steden": "gemeente",
    "wijken": "wijk",
    "krachtwijken": "wijk",
    "aandachtswijken": "wijk",
    "vogelaarwijken": "wijk",
    "buurten": "buurt",
    "partners": "partner",
    "alliantiepartners": "partner",
    "bedrijven": "partner",
    "experimenten": "experiment",
    "proeven": "experiment",
}
#: Words that make a query a list question.
LIST_CUES = frozenset("welke welk hoeveel wie wat waar noem".split())
#: The box's title per link type and direction (the subject is the link's source:
#: ``True``), filled with the wanted type's plural and the subject's name.
TITLES: dict[tuple[str, bool], str] = {
    ("deelnemer", True): "{plural} die deelnemen aan {subject}",
    ("deelnemer", False): "{plural} waaraan {subject} deelneemt",
    ("ligt_in", True): "{plural} van {subject}",
    ("ligt_in", False): "{plural} in {subject}",
    ("actief_in", True): "{plural} waar {subject} actief is",
    ("actief_in", False): "{plural} actief in {subject}",
}
#: Longest entity name, in words, looked for in a query.
_MAX_WORDS = 8
_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class AnswerSource:
    """Where a fact of the box comes from: a passage (with a quote) or the registry."""

    kind: str  # "passage" or "register"
    document_id: str = ""
    passage_id: str = ""
    quote: str = ""


@dataclass(frozen=True)
class AnswerItem:
    """One entity of the answer, with the sources of its link to the subject."""

    id: str
    name: str
    type: str
    sources: list[AnswerSource] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerBox:
    """The answer to a list question: ``items`` of ``target_type`` linked to ``subject``."""

    title: str
    subject: dict[str, str]
    relation: str
    target_type: str
    items: list[AnswerItem]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``answer`` of ``/api/search``)."""
        return {
            "title": self.title,
            "subject": dict(self.subject),
            "relation": self.relation,
            "target_type": self.target_type,
            "count": len(self.items),
            "items": [
                {
                    "id": i.id,
                    "name": i.name,
                    "type": i.type,
                    "sources": [s.__dict__ for s in i.sources],
                }
                for i in self.items
            ],
        }


def _words(query: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(query) if w.strip("'’-")]


def wanted_type(query: str) -> str | None:
    """The entity type a list question asks for, or ``None`` when it is no list question."""
    words = [w.casefold() for w in _words(query)]
    types = [TYPE_WORDS[w] for w in words if w in TYPE_WORDS]
    if not types:
        return None
    cued = bool(LIST_CUES & set(words)) or any(
        w in TYPE_WORDS and nxt in {"in", "van", "bij", "met", "uit"}
        for w, nxt in zip(words, words[1:], strict=False)
    )
    return types[0] if cued else None


def _named_entities(conn: sqlite3.Connection, query: str) -> list[dict[str, str]]:
    """The registry entities named in ``query`` (longest names first, no overlaps)."""
    words = _words(query)
    found: list[dict[str, str]] = []
    taken: set[int] = set()
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = set(range(start, start + size))
            if span & taken:
                continue
            phrase = " ".join(words[start : start + size])
            if size == 1 and phrase.casefold() in TYPE_WORDS:
                continue
            key = normalise(phrase)
            if not key:
                continue
            row = conn.execute(
                "SELECT e.id, e.type, e.name FROM aliases a JOIN entities e ON e.id = a.entity_id"
                " WHERE a.norm = ? ORDER BY e.id LIMIT 1",
                (key,),
            ).fetchone()
            if row is not None:
                found.append({"id": row[0], "type": row[1], "name": row[2]})
                taken |= span
    return found


def _sources(conn: sqlite3.Connection, evidence: str, quote: str) -> list[AnswerSource]:
    passage_ids = json.loads(evidence or "[]")
    sources = []
    for passage_id in passage_ids[:3]:
        row = conn.execute(
            "SELECT document_id FROM passages WHERE id = ? LIMIT 1", (passage_id,)
        ).fetchone()
        if row is not None:
            sources.append(AnswerSource("passage", row[0], passage_id, quote))
    return sources or [AnswerSource("register")]


def answer_box(conn: sqlite3.Connection, query: str) -> AnswerBox | None:
    """The answer box for ``query``, or ``None`` when it is no list question the graph
    answers (see the module docstring)."""
    target = wanted_type(query)
    if target is None:
        return None
    subjects = [e for e in _named_entities(conn, query) if e["type"] != target]
    if len(subjects) != 1:
        return None
    subject = subjects[0]
    items: dict[str, AnswerItem] = {}
    relation = title = ""
    rows = conn.execute(
        "SELECT l.type, l.source_id, l.target_id, l.evidence, l.quote, e.name, e.type"
        " FROM links l JOIN entities e ON e.id = CASE WHEN l.source_id = ? THEN l.target_id"
        " ELSE l.source_id END WHERE (l.source_id = ? OR l.target_id = ?) AND e.type = ?"
        " ORDER BY e.name",
        (subject["id"], subject["id"], subject["id"], target),
    )
    for link_type, source_id, _target_id, evidence, quote, name, etype in rows:
        other = _target_id if source_id == subject["id"] else source_id
        outgoing = source_id == subject["id"]
        if not relation:
            relation = LINK_LABELS.get(link_type, (link_type, link_type))[0 if outgoing else 1]
            title = TITLES.get((link_type, outgoing), "{plural}: {relation} {subject}")
        if other not in items:
            items[other] = AnswerItem(other, name, etype, _sources(conn, evidence, quote))
    if not items:
        return None
    plural = ENTITY_TYPE_LABELS.get(target, (target, target))[1]
    text = title.format(plural=plural.capitalize(), relation=relation, subject=subject["name"])
    return AnswerBox(f"{text} ({len(items)})", subject, relation, target, list(items.values()))
