"""Which registry matches are mentions, and the context rules that place wijken.

The span ruler of :mod:`indexer.knowledge.nlp` finds every registry name, also where the
name is a common word or belongs to several entities.  :class:`ContextRules`
decides, per match:

* **casing** — an all-lowercase surface is never a name (``bewonersparticipatie``,
  ``west``) unless the registry itself writes the name in lowercase; a name that
  the registry writes only in capitals (``TAS``, ``CWI``) must be in capitals; a word
  after the first that the registry capitalises must be capitalised in the text too
  (for places: ``De hoogte van de uitkering`` is not the wijk De Hoogte);
* **clubs, institutions and regions** — a gemeente after ``FC``, ``NAC``, ``Vitesse``,
  ``Universiteit (van)``, ``rechtbank``, ``gerechtshof``, ``arrondissementsparket``,
  ``ressort``, ``provincie``, ``(metropool/veiligheids)regio``, ``luchthaven``,
  ``Belastingdienst``, ``kantoor``, ``Stelling van``, ``Verdrag van`` ... (also as the
  next item of a list after the plural: ``de provincies Groningen, Friesland en
  Drenthe``) or before ``Hogeschool``/``Universiteit``/``UR`` is part of another name,
  not the gemeente (``FC Utrecht``, ``Vitesse Arnhem``, ``de rechtbank Rotterdam``;
  ``de rechtbank te Rotterdam`` is the gemeente).  So is a gemeente glued to a compass
  word (``Oost-Groningen``) and ``Groningen``/``Utrecht`` in a list of provinces;
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
    cased_words,
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
#: Words after which a gemeente's name is part of the name of an institution, an office,
#: a court, a region or a province: ``Universiteit Utrecht``, ``de rechtbank Rotterdam``,
#: ``Metropoolregio Amsterdam``, ``de provincie Groningen``, ``kantoor Amsterdam``.
INSTITUTION_BEFORE = frozenset(
    {
        "universiteit",
        "universiteiten",
        "hogeschool",
        "college",
        "rechtbank",
        "rechtbanken",
        "gerechtshof",
        "gerechtshoven",
        "hof",
        "ressort",
        "arrondissement",
        "arrondissementsparket",
        "ressortsparket",
        "parket",
        "regio",
        "regio's",
        "stadsregio",
        "metropoolregio",
        "veiligheidsregio",
        "politieregio",
        "provincie",
        "provincies",
        "luchthaven",
        "luchthavens",
        "belastingdienst",
        "kantoor",
        "vestiging",
        "coördinator",
    }
)
#: Words that make a name after ``<word> van`` another name: ``Universiteit van Amsterdam``,
#: ``Stelling van Amsterdam``, ``Verdrag van Maastricht``, ``Staten van Utrecht``.
INSTITUTION_BEFORE_VAN = frozenset(
    {"universiteit", "hogeschool", "stelling", "verdrag", "vrede", "unie", "staten", "provincie"}
)
INSTITUTION_AFTER = frozenset({"hogeschool", "universiteit", "ur", "university", "airport"})
#: The provinces: ``Groningen`` and ``Utrecht`` next to one of them are provinces too.
PROVINCES = frozenset(
    {
        "groningen",
        "friesland",
        "fryslan",
        "drenthe",
        "overijssel",
        "flevoland",
        "gelderland",
        "utrecht",
        "noord-holland",
        "zuid-holland",
        "zeeland",
        "noord-brabant",
        "limburg",
    }
)
_LIST_SEPARATORS = frozenset({",", "en", "of", ";"})
#: Entity types whose capitalised words must be capitalised in the text (``De Hoogte``).
_CASED_TYPES = frozenset({"wijk", "buurt", "gemeente"})
#: How far back a list of names is followed to the word that introduces it.
_LIST_REACH = 16
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
                if not self._casing_ok(group, flags, etype in _CASED_TYPES):
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
    def _casing_ok(group: _Group, flags: dict[str, Any], places: bool = True) -> bool:
        has_upper = any(c.isupper() for c in group.surface)
        if not has_upper and not flags["lower"]:
            return False
        if flags["acronym"] and any(c.islower() for c in group.surface):
            return False
        words = cased_words(group.surface)
        if places and flags["caps"] and len(words) == len(group.key.split()):
            return all(words[i][:1].isupper() for i in flags["caps"] if i < len(words))
        return True

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
        """False when the gemeente's name is part of another name (module docstring)."""
        tokens = doc_tokens(doc)
        start = group.start
        if _after_compass(doc, start):
            return False  # Oost-Groningen, West-Brabant: a region
        starts = [start]
        # Also from the start of a hyphenated pair it ends: "ressort Arnhem-Leeuwarden".
        while start >= 2 and tokens.text[start - 1] in ("-", "–") and _titled(doc, start - 2):
            start -= 2
            starts.append(start)
        for first in starts:
            window = range(max(0, first - 2), first)
            before = [tokens.lower[k] for k in window if tokens.text[k] not in ("-", "–")]
            if before and (before[-1] in CLUB_WORDS or before[-1] in INSTITUTION_BEFORE):
                return False
            if len(before) == 2 and before[-1] == "van" and before[0] in INSTITUTION_BEFORE_VAN:
                return False
        if _listed_after(doc, start, INSTITUTION_BEFORE) or _among_provinces(doc, group):
            return False
        if group.end >= len(tokens.text):
            return True
        nxt_lower, nxt_text = tokens.lower[group.end], tokens.text[group.end]
        return not (nxt_lower in INSTITUTION_AFTER and nxt_text[:1].isupper())

    def _make(self, group: _Group, eid: str, verdict: str) -> Candidate:
        if verdict == "context":
            return Candidate(group.start, group.end, eid, "context", 1.0, "experiment X")
        return Candidate(group.start, group.end, eid, self.table.method(eid, group.key))


def _titled(doc: Doc, i: int) -> bool:
    """True when token ``i`` starts with a capital (or is ``'s``/``’s``)."""
    text = doc_tokens(doc).text[i]
    return text[:1].isupper() or text in ("'s", "’s")


def _after_compass(doc: Doc, start: int) -> bool:
    """True for a name glued behind a compass word: ``Oost-Groningen``."""
    tokens = doc_tokens(doc)
    return (
        start >= 2
        and tokens.text[start - 1] == "-"
        and tokens.space[start - 2] == ""
        and tokens.space[start - 1] == ""
        and tokens.lower[start - 2] in COMPASS_WORDS
    )


def _listed_after(doc: Doc, start: int, words: frozenset[str]) -> bool:
    """True when the name at ``start`` is a later item of a list of names that follows one
    of ``words``: ``de provincies Groningen, Friesland en Drenthe``, ``de luchthavens
    Eelde, Maastricht of Rotterdam``."""
    tokens = doc_tokens(doc)
    sentence = sentence_starts(doc)[start] if start < len(tokens.text) else 0
    crossed = False
    j = start - 1
    while j >= max(sentence, start - _LIST_REACH):
        lower = tokens.lower[j]
        if lower in _LIST_SEPARATORS:
            crossed = True
        elif not (_titled(doc, j) or lower in ("-", "–")):
            return crossed and lower in words
        j -= 1
    return False


def _among_provinces(doc: Doc, group: _Group) -> bool:
    """True for a province's name (``Groningen``, ``Utrecht``) next to another province in
    a list: ``Groningen, Friesland en Drenthe``."""
    if group.key not in PROVINCES:
        return False
    tokens = doc_tokens(doc)
    neighbours: list[str] = []
    for step in (-1, 1):
        j = group.start - 1 if step < 0 else group.end
        seen = 0
        while 0 <= j < len(tokens.text) and seen < 2:
            if tokens.lower[j] in _LIST_SEPARATORS:
                seen += 1
            elif tokens.text[j].strip():
                lo, hi = j, j + 1
                if step > 0 and hi + 1 < len(tokens.text) and tokens.text[hi] == "-":
                    hi += 2  # Noord-Holland
                elif step < 0 and lo >= 2 and tokens.text[lo - 1] == "-":
                    lo -= 2
                neighbours.append("".join(tokens.lower[lo:hi]))
                break
            j += step
    return any(n in PROVINCES and n != group.key for n in neighbours)


__all__ = [
    "CLUB_WORDS",
    "COMPASS_WORDS",
    "INSTITUTION_AFTER",
    "INSTITUTION_BEFORE",
    "INSTITUTION_BEFORE_VAN",
    "PROVINCES",
    "SPANS_KEY",
    "TYPE_ORDER",
    "Candidate",
    "ContextRules",
    "EntityTable",
    "is_sentence_initial",
    "pick",
    "type_rank",
]
