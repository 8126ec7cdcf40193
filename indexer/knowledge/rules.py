"""Which registry matches are mentions, and the context rules that place wijken.

The span ruler of :mod:`indexer.knowledge.nlp` finds every registry name, also where the
name is a common word or belongs to several entities.  :class:`ContextRules`
decides, per match:

* **casing** — an all-lowercase surface is never a name (``bewonersparticipatie``,
  ``west``) unless the registry itself writes the name in lowercase; a name that
  the registry writes only in capitals (``TAS``, ``CWI``) must be in capitals;
* **clubs and institutions** — a gemeente after ``FC``, ``NAC``, ``Vitesse``,
  ``Universiteit (van)`` ... or before ``Hogeschool``/``Universiteit`` is part of
  another name, not the gemeente (``FC Utrecht``, ``Vitesse Arnhem``);
* **experiments** — a one-word experiment name (``Bewonersparticipatie``) or a
  lowercase or sentence-initial one (``gezonde wijk``) needs the cue word
  ``experiment(en)`` / ``geëxperimenteerd`` at most four tokens before it, or must
  continue a list that started after such a cue (rule ``experiment X``);
* **places** — a wijk or buurt name that consists of compass words only
  (``Oost``, ``Noord``, ``Zuid-West``, ``Noordoost``) or that several gemeenten share
  is only a mention when a context rule names its gemeente.

The context rules for places are in :mod:`indexer.knowledge.places`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from indexer.knowledge.candidates import (
    COMPASS_WORDS,
    LIST_GLUE,
    SPANS_KEY,
    TYPE_ORDER,
    Candidate,
    EntityTable,
    doc_tokens,
    is_sentence_initial,
    name_key,
    pick,
    sentence_starts,
    type_rank,
)
from indexer.knowledge.places import Place, PlaceRules, Rows

CLUB_WORDS = frozenset(
    {"fc", "sc", "nac", "vitesse", "ado", "psv", "rkc", "vvv", "rbc", "nec", "ajax", "sparta"}
)
INSTITUTION_BEFORE = frozenset({"universiteit", "hogeschool", "college"})
INSTITUTION_AFTER = frozenset({"hogeschool", "universiteit"})
_SMALL_WORDS = frozenset({"de", "het", "in", "met", "van", "en", "een", "voor", "op"})
_CUE = re.compile(r"^(?:ge)?[eë]xperiment", re.IGNORECASE)
_CUE_WINDOW = 4


@dataclass
class _Group:
    start: int
    end: int
    ids: list[str]
    key: str
    surface: str


class ContextRules:
    """Validates the registry matches and applies the context rules (module docstring).

    Writes ``doc._.kb_candidates`` (a list of :class:`Candidate`) and
    ``doc._.kb_prefer`` (``"buurt"`` in a table whose header says *Buurt*).
    ``options["table"]`` is the :func:`indexer.knowledge.nlp.registry_table` data.
    """

    def __init__(self, nlp: Language, name: str, *, options: dict[str, Any]) -> None:
        self.name = name
        self.table = EntityTable(options.get("table", {}))
        self.places = PlaceRules(self.table)

    def __call__(self, doc: Doc) -> Doc:
        groups = self._groups(doc)
        rows = Rows(doc)
        prefer = rows.prefer
        candidates: list[Candidate] = []
        gemeenten: list[Candidate] = []
        places: list[Place] = []
        cued_end: int | None = None
        for group in groups:
            place_ids: list[str] = []
            compass = False
            for eid in group.ids:
                etype = self.table.type(eid)
                flags = self.table.flags(eid, group.key)
                if not self._casing_ok(group, flags):
                    if not (etype == "experiment" and self._cued(doc, group, cued_end)):
                        continue
                if etype in ("wijk", "buurt"):
                    place_ids.append(eid)
                    compass = compass or flags["compass"]
                elif etype == "experiment":
                    verdict = self._experiment(doc, group, flags, cued_end)
                    if verdict:
                        cued_end = group.end
                        candidates.append(self._make(group, eid, verdict))
                elif etype == "gemeente":
                    if self._gemeente_ok(doc, group):
                        cand = self._make(group, eid, "registry")
                        candidates.append(cand)
                        gemeenten.append(cand)
                else:
                    candidates.append(self._make(group, eid, "registry"))
            if place_ids:
                places.append(Place(group.start, group.end, place_ids, compass))
        rows.assign(doc, gemeenten)
        keys = {(g.start, g.end): g.key for g in groups}
        candidates.extend(self.places.candidates(doc, places, gemeenten, rows, prefer, keys))
        doc._.kb_candidates = candidates
        doc._.kb_prefer = prefer
        return doc

    # ------------------------------------------------------------------ checks
    def _groups(self, doc: Doc) -> list[_Group]:
        by_span: dict[tuple[int, int], list[str]] = {}
        for span in doc.spans.get(SPANS_KEY, []):
            by_span.setdefault((span.start, span.end), []).append(span.id_)
        groups = []
        tokens = doc_tokens(doc)
        text = tokens.doc_text
        for (start, end), ids in sorted(by_span.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
            surface = text[tokens.idx[start] : tokens.end_char(end - 1)]
            groups.append(_Group(start, end, sorted(set(ids)), name_key(surface), surface))
        return groups

    @staticmethod
    def _casing_ok(group: _Group, flags: dict[str, bool]) -> bool:
        has_upper = any(c.isupper() for c in group.surface)
        if not has_upper and not flags["lower"]:
            return False
        return not (flags["acronym"] and any(c.islower() for c in group.surface))

    def _cued(self, doc: Doc, group: _Group, cued_end: int | None) -> bool:
        sentence_start = sentence_starts(doc)[group.start]
        for j in range(max(sentence_start, group.start - _CUE_WINDOW), group.start):
            if _CUE.match(doc[j].text):
                return True
        if cued_end is not None and cued_end <= group.start:
            between = doc[cued_end : group.start]
            return all(tok.lower_ in LIST_GLUE or tok.is_space for tok in between)
        return False

    def _experiment(
        self, doc: Doc, group: _Group, flags: dict[str, bool], cued_end: int | None
    ) -> str | None:
        """``registry`` (name stands by itself), ``context`` (thanks to a cue) or ``None``."""
        words = group.key.split()
        lower = not any(c.isupper() for c in group.surface)
        standalone = False
        if lower:
            standalone = flags["lower"]
        elif len(words) > 1:
            inner = [
                t
                for t in doc[group.start + 1 : group.end]
                if t.is_alpha and t.lower_ not in _SMALL_WORDS
            ]
            titled = any(t.text[:1].isupper() for t in inner)
            standalone = titled or not is_sentence_initial(doc, group.start)
        if standalone:
            return "registry"
        return "context" if self._cued(doc, group, cued_end) else None

    @staticmethod
    def _gemeente_ok(doc: Doc, group: _Group) -> bool:
        tokens = doc_tokens(doc)
        window = range(max(0, group.start - 2), group.start)
        before = [tokens.lower[k] for k in window if tokens.text[k] != "-"]
        if before and (before[-1] in CLUB_WORDS or before[-1] in INSTITUTION_BEFORE):
            return False
        if len(before) == 2 and before[-1] == "van" and before[0] in INSTITUTION_BEFORE:
            return False
        if group.end >= len(tokens.text):
            return True
        nxt_lower, nxt_text = tokens.lower[group.end], tokens.text[group.end]
        return not (nxt_lower in INSTITUTION_AFTER and nxt_text[:1].isupper())

    def _make(self, group: _Group, eid: str, verdict: str) -> Candidate:
        if verdict == "context":
            return Candidate(group.start, group.end, eid, "context", 1.0, "experiment X")
        return Candidate(group.start, group.end, eid, self.table.method(eid, group.key))


__all__ = [
    "CLUB_WORDS",
    "COMPASS_WORDS",
    "INSTITUTION_AFTER",
    "INSTITUTION_BEFORE",
    "SPANS_KEY",
    "TYPE_ORDER",
    "Candidate",
    "ContextRules",
    "EntityTable",
    "is_sentence_initial",
    "pick",
    "type_rank",
]
