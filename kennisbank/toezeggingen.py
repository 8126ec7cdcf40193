"""The register of commitments (toezeggingen): who promised what, where and when, and
whether the promise was kept — each decision with its evidence.

The commitments themselves are found by the indexer (``indexer/knowledge``: a sentence in
which a government speaker commits, stored in the graph table ``commitments`` with its
dates, Kamerstuk references and entities).  This module reads them and adds:

- **who** made it, when the text says: the minister-president, a minister or
  staatssecretaris named or by portfolio, the kabinet, the rijk; "ik" is the bewindspersoon
  who wrote the document (:func:`speaker`);
- **where**: an Algemeen Overleg, a debate, the Algemene Politieke Beschouwingen, a letter,
  a motion — as the text says — with the date and the Kamerstuk references found; otherwise
  the document itself (:func:`venue`);
- **what**: a short subject, the sentence without its "zoals toegezegd …" tail
  (:func:`subject`);
- the **status** (:func:`decide`), with the evidence shown:

  ``nagekomen``  a document says it fulfils the commitment: the commitment sits in the list
                 that a fulfilment statement introduces ("Met deze voortgangsrapportage kom
                 ik tegemoet aan de volgende toezeggingen …"), or its own sentence delivers
                 it here ("Zoals u toegezegd treft u bij deze voortgangsrapportage een
                 overzicht aan", "wordt voldaan aan een aantal toezeggingen"); or a later
                 document delivers it, naming the promise (a "zoals toegezegd/aangekondigd"
                 sentence sharing the promise's key words);
  ``open``       a concrete deliverable (informing the Kamer, a report, letter, overview,
                 study, reaction) that no document in the kennisbank delivers yet;
  ``onbekend``   a promise of continuing effort ("zal het rijk ondersteunen") with nothing
                 to check it against.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from kennisbank.search.language import query_terms

#: The statuses, in the order the register lists them.
STATUSES = ("open", "nagekomen", "onbekend")
#: A sentence that says this document fulfils (a list of) commitments.
FULFILS_RE = re.compile(
    r"(?i)(?:kom(?:t|en)?\s+(?:ik|we|wij)?\s*tegemoet\s+aan|wordt\s+voldaan\s+aan|"
    r"voldoe\s+ik\s+aan|(?:toegezegd|toezegging\w*).{0,80}\b(?:treft|vindt)\s+u\b|"
    r"\b(?:treft|vindt)\s+u\b.{0,80}(?:toegezegd|toezegging)|"
    r"(?:ik\s+wil|wil\s+ik)\s+.{0,60}reageren\s+op\b.{0,200}toegezegd|"
    r"toegezegd\b.{0,40}\bvia\s+deze\s+\w*rapportage)"
)
#: The statement introduces a list ("de volgende toezeggingen").
INTRODUCES_LIST_RE = re.compile(r"(?i)\bvolgende\s+toezeggingen\b")
#: A later sentence that says it delivers what was promised.
DELIVERS_RE = re.compile(
    r"(?i)\b(?:zoals\s+(?:u\s+)?(?:toegezegd|aangekondigd|beloofd)|"
    r"toezegging\s+(?:na|in)|conform\s+(?:de\s+)?toezegging)"
)
#: Words of a concrete deliverable.
DELIVERABLE_RE = re.compile(
    r"(?i)\b(?:informeren|geïnformeerd|rapportage\w*|rapport\w*|brief|overzicht|onderzoek|"
    r"reactie|ontvangt|ontvangen|terugkomen|terug\s+te\s+komen|leveren|modelverordening|"
    r"monitor\w*|evaluatie|uitgebreid\s+op)\b"
)
_VENUES = (
    (re.compile(r"(?i)\b(?:AO|algemeen\s+overleg)\b"), "Algemeen Overleg"),
    (
        re.compile(r"(?i)\balgeme(?:en|ne)\s+politieke\s+beschouwingen\b"),
        "Algemene Politieke Beschouwingen",
    ),
    (re.compile(r"(?i)\bdebat\b"), "debat"),
    (re.compile(r"(?i)\bmotie\b"), "motie"),
    (re.compile(r"(?i)\bbrief\b"), "brief"),
)
_SPEAKERS = (
    (re.compile(r"(?i)\bminister[\s-]president\b"), "de minister-president"),
    (
        re.compile(
            r"\b(?:[Mm]inister|[Ss]taatssecretaris)s?\s+(?:van|voor)\s+"
            r"(?:[A-Z][\w/]*(?:,?\s+(?:en\s+)?[A-Z][\w/]*)*)"
        ),
        None,
    ),
    (
        re.compile(r"\b(?:[Mm]inister|[Ss]taatssecretaris)\s+(?:Van\s+(?:der\s+)?|De\s+)?[A-Z]\w+"),
        None,
    ),
    (re.compile(r"(?i)\bhet\s+kabinet\b"), "het kabinet"),
    (re.compile(r"(?i)\bhet\s+rijk\b"), "het rijk"),
    (
        re.compile(r"(?i)\b(?:ik|mijn|mijzelf|mij)\b"),
        "ik (de bewindspersoon die het document schreef)",
    ),
)
_TAIL_RE = re.compile(r"(?i),?\s*(?:zoals|tevens)\s+(?:u\s+)?toegezegd\b.*$", re.DOTALL)
_HEAD_RE = re.compile(r"(?i)^(?:zoals|tevens)\s+(?:u\s+)?toegezegd\s*,?\s*")
_LEAD_RE = re.compile(r"(?i)^(?:[-•]\s*)?(?:u\s+(?:nader\s+|via\s+deze\s+\w+\s+)?(?:te\s+)?)")
#: Words that say nothing about what was promised (besides the search's stopwords).
_FRAME = frozenset(
    query_terms(
        "informeren geïnformeerd nader uitgebreid toegezegd toezegging toezeggingen rapportage "
        "voortgangsrapportage brief kamer uw zal zullen ontvangt wordt"
    )
)


def speaker(text: str) -> str | None:
    """Who makes the commitment, as the sentence says (None when it does not)."""
    for pattern, label in _SPEAKERS:
        m = pattern.search(text)
        if m:
            return label or " ".join(m.group(0).split())
    return None


def venue(text: str) -> str | None:
    """Where the commitment was made, as the sentence says (None when it does not)."""
    for pattern, label in _VENUES:
        if pattern.search(text):
            return label
    return None


def subject(text: str, limit: int = 140) -> str:
    """What is promised: the sentence without its "zoals toegezegd …" tail, shortened."""
    flat = " ".join(text.split())
    core = _TAIL_RE.sub("", flat).strip(" ,;.") or _HEAD_RE.sub("", flat).strip(" ,;.")
    core = _LEAD_RE.sub("", core).strip()
    core = core[:1].upper() + core[1:]
    if len(core) > limit:
        core = core[:limit].rsplit(" ", 1)[0] + " …"
    return core


def _key_terms(text: str) -> set[str]:
    return {t for t in query_terms(subject(text, 400)) if t not in _FRAME and len(t) > 3}


@dataclass(frozen=True)
class Evidence:
    """Why a status was decided: the passage that shows it (or None) and a Dutch reason."""

    reason: str
    document_id: str | None = None
    passage_id: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class Toezegging:
    """One commitment in the register (see the module docstring)."""

    id: str
    text: str
    subject: str
    speaker: str | None
    venue: str | None
    date: str | None
    year: int | None
    document_id: str
    document_title: str
    passage_id: str
    refs: tuple[str, ...]
    dossiers: tuple[str, ...]
    themas: tuple[str, ...]
    entities: tuple[str, ...]
    status: str
    evidence: Evidence
    cue: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists for tuples) for the JSON twin and the CSV."""
        data = asdict(self)
        for key in ("refs", "dossiers", "themas", "entities"):
            data[key] = list(data[key])
        data.pop("extra")
        return data


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, 0) if ". " in text[:start] else 0
    right = text.find(". ", end)
    return text[left : right + 1 if right >= 0 else len(text)].strip()


def decide(
    row: Mapping[str, Any],
    passages: Mapping[str, Mapping[str, Any]],
    ordered: list[Mapping[str, Any]],
    later: Iterable[Mapping[str, Any]],
) -> tuple[str, Evidence]:
    """The status of one commitment ``row`` and its evidence.

    ``passages`` are the passages of its document by id, ``ordered`` the same in reading
    order, ``later`` the passages of documents from a later year (with ``document_id``).
    """
    text = row["text"]
    if FULFILS_RE.search(text):
        return "nagekomen", Evidence(
            "Het document zegt zelf dat het deze toezegging nakomt.",
            row["document_id"],
            row["passage_id"],
            text,
        )
    passage = passages.get(row["passage_id"])
    if passage is not None:
        seq = passage["seq"]
        before = [p for p in ordered if p["seq"] < seq][-2:]
        for intro in reversed(before):
            if INTRODUCES_LIST_RE.search(intro["text"]) and FULFILS_RE.search(intro["text"]):
                quote = next(
                    (s for s in re.split(r"(?<=[.;:])\s+", intro["text"]) if FULFILS_RE.search(s)),
                    intro["text"],
                )
                return "nagekomen", Evidence(
                    "Staat in de lijst van toezeggingen die het document zegt na te komen.",
                    row["document_id"],
                    intro["id"],
                    quote.strip(),
                )
    wanted = _key_terms(text)
    if len(wanted) >= 2:
        for candidate in later:
            body = candidate["text"]
            for m in DELIVERS_RE.finditer(body):
                sentence = _sentence(body, m.start(), m.end())
                shared = wanted & set(query_terms(sentence))
                if len(shared) >= 2:
                    return "nagekomen", Evidence(
                        "Een later document levert dit, met de woorden "
                        + ", ".join(sorted(shared))
                        + ".",
                        candidate["document_id"],
                        candidate["id"],
                        sentence,
                    )
    if DELIVERABLE_RE.search(text):
        return "open", Evidence(
            "Een concreet resultaat is toegezegd; geen document in de kennisbank zegt dat het "
            "geleverd is."
        )
    return "onbekend", Evidence(
        "Een toezegging van voortdurende inzet, zonder resultaat of termijn om aan te toetsen."
    )


def register(conn: sqlite3.Connection) -> list[Toezegging]:
    """Every commitment of the store ``conn`` (the live generation's SQLite file)."""
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM commitments ORDER BY document_id, start")]
    docs = {
        r["id"]: dict(r)
        for r in conn.execute("SELECT id, title, year, date, identifier FROM documents")
    }
    names = {
        r["id"]: (r["type"], r["name"]) for r in conn.execute("SELECT id, type, name FROM entities")
    }
    wanted_docs = {r["document_id"] for r in rows}
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for doc_id in wanted_docs:
        by_doc[doc_id] = [
            dict(p)
            for p in conn.execute(
                "SELECT id, document_id, seq, kind, text FROM passages WHERE document_id = ? "
                "ORDER BY seq",
                (doc_id,),
            )
        ]
    delivering = _delivering_passages(conn)
    found = []
    for row in rows:
        doc = docs.get(row["document_id"], {"title": row["document_id"], "year": None})
        ordered = by_doc.get(row["document_id"], [])
        passages = {p["id"]: p for p in ordered}
        year = doc.get("year")
        later = [
            p
            for p in delivering
            if year and (docs.get(p["document_id"], {}).get("year") or 0) > year
        ]
        status, evidence = decide(row, passages, ordered, later)
        refs = tuple(json.loads(row["refs"] or "[]"))
        entities = tuple(json.loads(row["entities"] or "[]"))
        date = row.get("date")
        found.append(
            Toezegging(
                id=row["id"],
                text=row["text"],
                subject=subject(row["text"]),
                speaker=speaker(row["text"]),
                venue=venue(row["text"]),
                date=date,
                year=int(date[:4]) if date else year,
                document_id=row["document_id"],
                document_title=str(doc.get("title")),
                passage_id=row["passage_id"],
                refs=refs,
                dossiers=tuple(dict.fromkeys(r[4:].rsplit("-", 1)[0] for r in refs)),
                themas=tuple(e for e in entities if names.get(e, ("",))[0] == "thema"),
                entities=tuple(e for e in entities if names.get(e, ("",))[0] != "thema"),
                status=status,
                evidence=evidence,
                cue=row.get("cue") or "",
            )
        )
    return found


def _delivering_passages(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The passages that may say they deliver a promise (a cheap SQL pre-filter on the
    words :data:`DELIVERS_RE` needs), in reading order."""
    words = ("toegezegd", "aangekondigd", "beloofd", "toezegging")
    where = " OR ".join("text LIKE ?" for _ in words)
    return [
        dict(p)
        for p in conn.execute(
            f"SELECT id, document_id, seq, kind, text FROM passages WHERE {where} "
            "ORDER BY document_id, seq",
            [f"%{w}%" for w in words],
        )
        if DELIVERS_RE.search(p["text"])
    ]


__all__ = [
    "STATUSES",
    "Evidence",
    "Toezegging",
    "decide",
    "register",
    "speaker",
    "subject",
    "venue",
]
