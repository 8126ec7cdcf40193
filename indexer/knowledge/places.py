"""Context rules that decide which wijk or buurt a place name is.

Context rules, tried in this order (X = a wijk/buurt name, Y = a gemeente or its
adjective such as ``Haagse``):

``Y X`` / ``Y-X``
    ``Gouda Oost``, ``Delfzijl-Noord``: one mention of the wijk spanning both.
``Y, X`` / ``Y: X`` / ``Y | X``
    ``Den Haag, Schilderswijk``, a table row ``Leerdam | West``.
``X in Y`` / ``X (Y)`` / ``X, Y`` / ``X | Y``
    ``Hatert in Nijmegen``, ``Overvecht (Utrecht)``, ``Poelenburg, Zaanstad``.
``wijk X`` / ``stadsdeel X`` / ``de Y-se wijk X``
    ``de wijk Zuidwest`` (the gemeente named elsewhere in the sentence),
    ``de Haagse wijk Schilderswijk``; a list after the keyword continues the rule.
``tabelrij``
    a table row whose gemeente cell (or the last one above it) names Y.  A compass name
    counts only in a row that names Y itself or continues such a row (its first cell is
    empty: ``Amsterdam | Oost/Ind. Buurt`` then `` | Oost/Transvaalbuurt``), and only
    when it starts its cell (``| Oost/Ind. Buurt``), not inside a longer name in a cell
    (``| knp. Ridderkerk Noord |``).
``gemeente in zin``
    a name several gemeenten share, when exactly one of them is in the sentence.

An explicit ``X in Y``, ``X (Y)``, ``Y X``, ``Y-X`` or table row with a gemeente
that has no place of that name vetoes the match: it is another place with the
same name.  So does a sentence that names exactly one gemeente, not X's own
(``Amsterdam ... met uitzondering van Transvaal``: Amsterdam's Transvaal, not the
Haagse wijk).  A compass word glued to a word by a hyphen (``Oost-Watergraafsmeer``,
``Noord-Brabant``, ``Noord-ingang``) is never a wijk by itself, and a place name followed
by a house number (``Het Zand 41``, ``Tussendijken 54``) is a street address.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from indexer.knowledge.candidates import (
    LIST_GLUE,
    QUOTES,
    Candidate,
    EntityTable,
    doc_tokens,
    pick,
    sentence_starts,
)
from kennisbank.registry import normalise

WIJK_KEYWORDS = frozenset(
    {
        "wijk",
        "wijken",
        "stadsdeel",
        "deelgemeente",
        "krachtwijk",
        "krachtwijken",
        "aandachtswijk",
        "aandachtswijken",
        "buurt",
    }
)
_VETO = "veto"


def _glued(doc: Doc, i: int) -> bool:
    """True when token ``i`` has no whitespace after it."""
    return doc_tokens(doc).space[i] == ""


def _newline_between(doc: Doc, first: int, last: int) -> bool:
    """True when a line break separates token ``first`` from token ``last``.

    (spaCy keeps line breaks in whitespace tokens; ``whitespace_`` is only ever a space.)
    """
    texts = doc_tokens(doc).text
    return any("\n" in texts[k] and texts[k].isspace() for k in range(first, last))


def _is_compound(doc: Doc, start: int, end: int) -> bool:
    """True for a name glued to a word by a hyphen: ``Oost-Watergraafsmeer``, ``Nieuw-West``."""
    texts = doc_tokens(doc).text
    after = (
        end + 1 < len(texts)
        and texts[end] == "-"
        and _glued(doc, end - 1)
        and _glued(doc, end)
        and texts[end + 1][:1].isalpha()
    )
    before = (
        start >= 2
        and texts[start - 1] == "-"
        and _glued(doc, start - 2)
        and _glued(doc, start - 1)
        and texts[start - 2][:1].isalpha()
    )
    return after or before


_HOUSE_NUMBER = re.compile(r"^\d{1,4}[a-zA-Z]?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def is_address(doc: Doc, end: int) -> bool:
    """True when a house number follows the name ending at token ``end``: ``Het Zand 41``."""
    tokens = doc_tokens(doc)
    if end >= len(tokens.text) or tokens.space[end - 1] != " ":
        return False
    number = tokens.text[end]
    return bool(_HOUSE_NUMBER.match(number)) and not _YEAR.match(number)


def _starts_cell(doc: Doc, i: int) -> bool:
    """True when token ``i`` begins a table cell (after ``|`` or at the start of a line)."""
    tokens = doc_tokens(doc)
    j = i - 1
    while j >= 0 and tokens.text[j].isspace() and "\n" not in tokens.text[j]:
        j -= 1
    return j < 0 or tokens.text[j] == "|" or "\n" in tokens.text[j]


@dataclass
class Place:
    """A registry match that names wijken and/or buurten (``ids``); ``compass`` when the
    name is compass words only."""

    start: int
    end: int
    ids: list[str]
    compass: bool


class Rows:
    """Table lines (``a | b | c``) of a doc, with the gemeente of each row."""

    def __init__(self, doc: Doc) -> None:
        tokens = doc_tokens(doc)
        text = tokens.doc_text if "|" in tokens.text else ""
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines = text.split("\n")
        self.table = [" | " in line or line.startswith("| ") for line in self.lines]
        self.gemeente: dict[int, str] = {}
        #: The gemeente of the rows that name it or continue a row that does.
        self.own: dict[int, str] = {}
        self.prefer: str | None = None
        for line, is_table in zip(self.lines, self.table, strict=True):
            if is_table and normalise(line.split("|", 1)[0]) == "buurt":
                self.prefer = "buurt"

    def line_of(self, doc: Doc, i: int) -> int:
        """The line number of token ``i``."""
        return bisect.bisect_right(self.starts, doc_tokens(doc).idx[i]) - 1

    def assign(self, doc: Doc, gemeenten: list[Candidate]) -> None:
        """Give each table row the first gemeente in it, else the row above's gemeente
        (``own``: only when the row's first cell is empty, a continuation)."""
        first: dict[int, str] = {}
        for cand in gemeenten:
            first.setdefault(self.line_of(doc, cand.start), cand.entity_id)
        current: str | None = None
        own: str | None = None
        for index, (line, is_table) in enumerate(zip(self.lines, self.table, strict=True)):
            if not is_table:
                current = own = None
                continue
            continues = not line.split("|", 1)[0].strip()
            current = first.get(index, current)
            own = first.get(index, own if continues else None)
            if current:
                self.gemeente[index] = current
            if own:
                self.own[index] = own

    def row_gemeente(self, doc: Doc, i: int, *, own: bool = False) -> str | None:
        """The gemeente of the table row of token ``i`` (``None`` outside tables); with
        ``own`` only one the row names or continues."""
        found = self.own if own else self.gemeente
        if not found:
            return None
        return found.get(self.line_of(doc, i))


class PlaceRules:
    """Applies the context rules (module docstring) to the place names of a doc."""

    def __init__(self, table: EntityTable) -> None:
        self.table = table

    def candidates(
        self,
        doc: Doc,
        places: list[Place],
        gemeenten: list[Candidate],
        rows: Rows,
        prefer: str | None,
        keys: dict[tuple[int, int], str],
    ) -> list[Candidate]:
        """Candidates for ``places``: the plain registry entity when the name is unambiguous
        (and not vetoed), plus what the context rules conclude.  ``keys`` maps a span to
        its normalised surface."""
        ends: dict[int, list[Candidate]] = {}
        starts: dict[int, list[Candidate]] = {}
        by_sentence: dict[int, set[str]] = {}
        sent_of = sentence_starts(doc)
        for cand in gemeenten:
            ends.setdefault(cand.end, []).append(cand)
            starts.setdefault(cand.start, []).append(cand)
            by_sentence.setdefault(sent_of[cand.start], set()).add(cand.entity_id)
        found: list[Candidate] = []
        chain: tuple[int, str | None, str, str] | None = None  # (end, gemeente, type, rule)
        for place in places:
            if is_address(doc, place.end):
                continue
            ids = place.ids
            row = rows.row_gemeente(doc, place.start, own=place.compass)
            if row is not None and place.compass and not _starts_cell(doc, place.start):
                row = None  # "| knp. Ridderkerk Noord |": part of a longer name
            if row is not None:
                ids = [e for e in ids if self.table.gemeente(e) in (row, None)]
                if not ids:
                    continue
            hit = self._adjacent(doc, place, ids, ends, starts, prefer)
            if hit == _VETO:
                continue
            key = keys.get((place.start, place.end), "")
            ambiguous = place.compass or pick(ids, self.table, prefer) is None
            sentence = by_sentence.get(sent_of[place.start], set())
            if hit is None and row is None and not ambiguous and len(sentence) == 1:
                if not sentence & {self.table.gemeente(e) for e in ids}:
                    continue  # "Amsterdam ... met uitzondering van Transvaal"
            if not ambiguous:
                eid = pick(ids, self.table, prefer)
                assert eid is not None
                found.append(Candidate(place.start, place.end, eid, self.table.method(eid, key)))
            if isinstance(hit, Candidate):
                found.append(hit)
                continue
            if place.compass and _is_compound(doc, place.start, place.end):
                continue
            keyword = self._keyword(doc, place, ids, ends, sentence, prefer, chain)
            if keyword is not None:
                cand, gemeente, ktype = keyword
                found.append(cand)
                chain = (place.end, gemeente, ktype, cand.rule)
                continue
            if row is not None:
                eid = pick([e for e in ids if self.table.gemeente(e) == row], self.table, prefer)
                if eid:
                    found.append(Candidate(place.start, place.end, eid, "context", 1.0, "tabelrij"))
                    continue
            if ambiguous and not place.compass:
                eid = pick([e for e in ids if self.table.gemeente(e) in sentence], self.table)
                if eid:
                    found.append(
                        Candidate(place.start, place.end, eid, "context", 1.0, "gemeente in zin")
                    )
        return found

    def _adjacent(
        self,
        doc: Doc,
        place: Place,
        ids: list[str],
        ends: dict[int, list[Candidate]],
        starts: dict[int, list[Candidate]],
        prefer: str | None,
    ) -> Candidate | str | None:
        """Rules ``Y X``, ``Y-X``, ``Y, X``, ``Y: X``, ``Y | X`` and ``X in Y``, ``X (Y)`` ..."""
        tokens = doc_tokens(doc)
        j, conn = place.start, ""
        if j > 0 and tokens.text[j - 1] in ("-", "/", ",", ":", "|"):
            conn, j = tokens.text[j - 1], j - 1
        for gem in ends.get(j, []):
            if _newline_between(doc, gem.end - 1, place.start):
                continue
            eid = pick(
                [e for e in ids if self.table.gemeente(e) == gem.entity_id], self.table, prefer
            )
            if eid is None:
                if conn in ("", "-", "/", "|"):
                    return _VETO
                continue
            if conn in ("", "-", "/"):
                rule = "Y X" if conn == "" else "Y-X"
                return Candidate(gem.start, place.end, eid, "context", 1.0, rule)
            return Candidate(
                place.start, place.end, eid, "context", 1.0, f"Y{conn} X".replace("Y|", "Y |")
            )
        k = place.end
        after = tokens.lower[k : k + 3]
        options = (
            (["in", "de", "gemeente"], "X in Y"),
            (["in"], "X in Y"),
            (["("], "X (Y)"),
            ([","], "X, Y"),
            (["|"], "X | Y"),
        )
        for words, rule in options:
            if after[: len(words)] != words:
                continue
            for gem in starts.get(k + len(words), []):
                if _newline_between(doc, place.end - 1, gem.start):
                    continue
                members = [e for e in ids if self.table.gemeente(e) == gem.entity_id]
                eid = pick(members, self.table, prefer)
                if eid is None:
                    if rule != "X, Y" and not members:
                        return _VETO
                    continue
                return Candidate(place.start, place.end, eid, "context", 1.0, rule)
        return None

    def _keyword(
        self,
        doc: Doc,
        place: Place,
        ids: list[str],
        ends: dict[int, list[Candidate]],
        sentence: set[str],
        prefer: str | None,
        chain: tuple[int, str | None, str, str] | None,
    ) -> tuple[Candidate, str | None, str] | None:
        """Rules ``wijk X``, ``stadsdeel X``, ``de Y-se wijk X`` and lists after them."""
        tokens = doc_tokens(doc)
        i = place.start - 1
        while i >= 0 and tokens.text[i] in QUOTES:
            i -= 1
        gemeente: str | None = None
        if i >= 0 and tokens.lower[i] in WIJK_KEYWORDS:
            word = tokens.lower[i]
            ktype = "buurt" if word == "buurt" else "wijk"
            adjective = ends.get(i, [])
            gemeente = adjective[0].entity_id if adjective else None
            if gemeente:
                rule = "de Y-se wijk X"
            elif word in ("stadsdeel", "deelgemeente"):
                rule = "stadsdeel X"
            else:
                rule = "wijk X"
        elif (
            chain is not None
            and chain[0] <= place.start
            and all(w in LIST_GLUE for w in tokens.lower[chain[0] : place.start])
        ):
            _, gemeente, ktype, rule = chain
        else:
            return None
        if gemeente:
            members = [e for e in ids if self.table.gemeente(e) == gemeente]
        else:
            members = [e for e in ids if self.table.type(e) == ktype] or ids
            if place.compass or pick(members, self.table, ktype) is None:
                members = [e for e in members if self.table.gemeente(e) in sentence]
        eid = pick(members, self.table, ktype)
        if eid is None:
            return None
        return Candidate(place.start, place.end, eid, "context", 1.0, rule), gemeente, ktype


__all__ = ["WIJK_KEYWORDS", "Place", "PlaceRules", "Rows", "is_address"]
