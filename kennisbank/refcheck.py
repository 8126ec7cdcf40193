"""Is a cited Kamerstuk what it claims to be?  Checks before a citation is shown as official.

A reference read from a source can be wrong in the source itself: the 2010 report's
footnote "317323, nrs. 1 en 2" has a six-digit dossier (a typo), and it cites "vergaderjaar
2008 – 2009, 30 995, nr. 81" for a letter the citing sentence dates "7 juli 2010", while
nrs. 80 and 82 of the same dossier are 2009/10.  Showing such a reference with an official
link presents an error as a fact.  :func:`check_references` decides, per identifier:

1. **Well-formed** (:func:`form_problem`): a dossier of 5 digits (4 for the oldest
   dossiers) with an optional Roman or letter suffix, and an ondernummer of at most 4
   digits or 1–2 letters.
2. **Vergaderjaar against the citing text**: a date in the sentence that cites the paper
   (for a footnote: the sentence of the text that carries its marker) lies in a
   vergaderjaar (:func:`vergaderjaar_of`, which opens on Prinsjesdag, the third Tuesday of
   September); a cited vergaderjaar that is none of those dates' is suspect.
3. **Vergaderjaar against its neighbours**: ondernummers of one dossier are given out in
   order, so a paper's vergaderjaar lies between those of the nearest lower and higher
   numbers of the same dossier the corpus knows with a vergaderjaar.

A reference that fails a check is not official: it is shown as the source wrote it, with
"bron lijkt onjuist: …" and the reasons, and without a link to officielebekendmakingen.nl.

Completing a citation: a missing Kamer or vergaderjaar is taken from another occurrence of
the same paper; a missing Kamer also from the other papers of the same dossier when they
all name the same Kamer ("Kamerstukken II …").  Each completion says where it came from.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

#: Dutch month names → month number.
MONTHS = {
    name: n
    for n, name in enumerate(
        (
            "januari februari maart april mei juni juli augustus september oktober "
            "november december"
        ).split(),
        start=1,
    )
}
_DATE_RE = re.compile(
    r"(?<![0-9])([1-9]|[12][0-9]|3[01])\s+("
    + "|".join(MONTHS)
    + r")\s+((?:19|20)[0-9]{2})(?![0-9])",
    re.IGNORECASE,
)
_DOSSIER_RE = re.compile(r"(?P<digits>[0-9]+)(?:-(?P<suffix>[IVXL]{1,6}[AB]?|[A-Z]|[0-9]{2}))?")
_ONDERNUMMER_RE = re.compile(r"[1-9][0-9]{0,3}|[A-Z]{1,2}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\u00c0-\u00de])")
#: Prefix of the note shown with a reference that fails a check.
SUSPECT = "bron lijkt onjuist"


def vergaderjaar_of(day: date) -> str:
    """The vergaderjaar of ``day`` ("2009-2010"): it opens on the third Tuesday of September.

    >>> vergaderjaar_of(date(2010, 7, 7)), vergaderjaar_of(date(2010, 9, 21))
    ('2009-2010', '2010-2011')
    """
    first = date(day.year, 9, 1)
    first_tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    opening = first_tuesday + timedelta(days=14)
    start = day.year if day >= opening else day.year - 1
    return f"{start}-{start + 1}"


def dates_in(text: str) -> list[date]:
    """Dates written in Dutch ("7 juli 2010") in ``text``, in order; impossible ones skipped."""
    found = []
    for m in _DATE_RE.finditer(text):
        try:
            found.append(date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))))
        except ValueError:
            continue
    return found


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds the span ``start``–``end``."""
    left = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() >= start:
            right = m.start() if m.start() >= end else len(text)
            return text[left:right].strip()
        left = m.end()
    return text[left:].strip()


def form_problem(dossier: str, ondernummer: str) -> str | None:
    """Why ``dossier``/``ondernummer`` cannot be a Kamerstuk number (Dutch), or None."""
    m = _DOSSIER_RE.fullmatch(dossier)
    if m is None:
        return f"dossiernummer {dossier} heeft niet de vorm van een Kamerstukdossier"
    digits = m.group("digits")
    if len(digits) not in (4, 5):
        return (
            f"dossiernummer {_grouped(digits)} heeft {len(digits)} cijfers; "
            "een Kamerstukdossier heeft er 5"
        )
    if not (
        re.fullmatch(r"[1-9][0-9]{0,3}", ondernummer) or re.fullmatch(r"[A-Z]{1,2}", ondernummer)
    ):
        return f"ondernummer {ondernummer} is geen nummer van een Kamerstuk"
    return None


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return " ".join(parts)


def _short(vergaderjaar: str) -> str:
    y1, y2 = vergaderjaar.split("-")
    return f"{y1}/{y2[2:]}"


@dataclass(frozen=True)
class Occurrence:
    """One place a Kamerstuk is cited: what the source wrote and the sentence around it."""

    identifier: str
    dossier: str
    ondernummer: str
    kamer: str | None
    vergaderjaar: str | None
    text: str
    context: str = ""


@dataclass(frozen=True)
class RefCheck:
    """The verdict on one cited Kamerstuk (see the module docstring)."""

    identifier: str
    official: bool
    reasons: tuple[str, ...] = ()
    kamer: str | None = None
    vergaderjaar: str | None = None
    completed: tuple[str, ...] = ()
    as_written: str = ""
    checks: tuple[str, ...] = field(default=("vorm", "datum", "buren"))

    @property
    def note(self) -> str | None:
        """``"bron lijkt onjuist: …"`` for a suspect reference, else None."""
        return f"{SUSPECT}: {'; '.join(self.reasons)}" if self.reasons else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON twins (``official``, ``reasons``, ``note``, …)."""
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["completed"] = list(self.completed)
        data["checks"] = list(self.checks)
        data["note"] = self.note
        return data


def _majority(values: Iterable[str | None]) -> str | None:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else None


def check_references(occurrences: Iterable[Occurrence]) -> dict[str, RefCheck]:
    """A :class:`RefCheck` for every identifier among ``occurrences``."""
    by_id: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in occurrences:
        by_id[occ.identifier].append(occ)
    year_of = {i: _majority(o.vergaderjaar for o in occs) for i, occs in by_id.items()}
    kamer_of = {i: _majority(o.kamer for o in occs) for i, occs in by_id.items()}
    numbered: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    dossier_kamers: dict[str, set[str]] = defaultdict(set)
    for identifier, occs in by_id.items():
        first = occs[0]
        if kamer_of[identifier]:
            dossier_kamers[first.dossier].add(str(kamer_of[identifier]))
        year = year_of[identifier]
        if year and first.ondernummer.isdigit() and form_problem(first.dossier, "1") is None:
            numbered[first.dossier].append((int(first.ondernummer), year, identifier))
    dated = {i: _date_problem(occs, year_of[i]) for i, occs in by_id.items()}
    outliers: dict[str, str] = {}
    for known in numbered.values():
        outliers.update(_order_outliers(known))
    results = {}
    for identifier, occs in by_id.items():
        first = occs[0]
        reasons = []
        problem = form_problem(first.dossier, first.ondernummer)
        if problem:
            reasons.append(problem)
        if dated[identifier]:
            reasons.append(str(dated[identifier]))
        year = year_of[identifier]
        if identifier in outliers:
            reasons.append(outliers[identifier])
        completed = []
        kamer = kamer_of[identifier]
        if kamer and not all(o.kamer for o in occs):
            completed.append(f"Kamer {kamer} uit een andere vermelding van dit stuk")
        if not kamer and len(dossier_kamers[first.dossier]) == 1 and not problem:
            kamer = next(iter(dossier_kamers[first.dossier]))
            completed.append(
                f"Kamer {kamer}: de andere stukken van dossier {_grouped(first.dossier)} "
                f"in de bronnen zijn van Kamer {kamer}"
            )
        if year and not all(o.vergaderjaar for o in occs):
            completed.append(f"vergaderjaar {_short(year)} uit een andere vermelding van dit stuk")
        results[identifier] = RefCheck(
            identifier=identifier,
            official=not reasons,
            reasons=tuple(reasons),
            kamer=kamer,
            vergaderjaar=year,
            completed=tuple(completed),
            as_written=_as_written(occs),
        )
    return results


def _as_written(occs: list[Occurrence]) -> str:
    """The citation as the source wrote it: the longest occurrence that names the dossier
    (a continuation "en 2" alone does not), else dossier and number as the source has them."""
    first = occs[0]
    digits = first.dossier.split("-")[0]
    named = [o.text for o in occs if digits in o.text.replace(" ", "")]
    return max(named, key=len) if named else f"{first.dossier}, nr. {first.ondernummer}"


def _date_problem(occs: list[Occurrence], year: str | None) -> str | None:
    if not year:
        return None
    for occ in occs:
        days = dates_in(occ.context)
        if days and all(vergaderjaar_of(d) != year for d in days):
            day = days[0]
            written = f"{day.day} {list(MONTHS)[day.month - 1]} {day.year}"
            return (
                f"vergaderjaar {_short(year)} past niet bij de datum {written} in de tekst die "
                f"ernaar verwijst (vergaderjaar {_short(vergaderjaar_of(day))})"
            )
    return None


def _order_outliers(known: list[tuple[int, str, str]]) -> dict[str, str]:
    """The papers of one dossier whose vergaderjaar breaks the order of the numbers.

    A pair breaks it when the lower number has the later vergaderjaar.  The paper in the
    most such pairs is the outlier; it is set aside and the rest checked again, so one
    wrong year (nr. 81 "2008/09" among 2009/10) does not make its neighbours suspect.
    """
    items = sorted(known)
    found: dict[str, str] = {}
    while True:
        clashes: Counter[int] = Counter()
        for i, (n1, y1, _) in enumerate(items):
            for n2, y2, _ in items[i + 1 :]:
                if n1 < n2 and y1[:4] > y2[:4]:
                    clashes[n1] += 1
                    clashes[n2] += 1
        if not clashes:
            return found
        worst = max(clashes, key=lambda n: (clashes[n], n))
        number, year, identifier = next(item for item in items if item[0] == worst)
        items = [item for item in items if item[0] != worst]
        lower = max((k for k in items if k[0] < number), default=None)
        higher = min((k for k in items if k[0] > number), default=None)
        around = [f"nr. {k[0]} is van {_short(k[1])}" for k in (lower, higher) if k]
        found[identifier] = (
            f"vergaderjaar {_short(year)} past niet bij de nummers eromheen in hetzelfde "
            f"dossier ({', '.join(around)})"
        )


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _citing_sentences(
    passage: dict[str, Any], row: dict[str, Any], passages: dict[str, Any]
) -> str:
    """The sentence(s) that cite the paper: around the reference in its passage, and for a
    footnote the sentence of each passage that carries its marker."""
    found = []
    start, end = row["start"] - passage["start"], row["end"] - passage["start"]
    if 0 <= start <= end <= len(passage["text"]):
        found.append(sentence_at(passage["text"], start, end))
    if passage.get("kind") == "footnote":
        label = str(passage.get("label") or "")
        for pid in passage.get("cited_by") or []:
            body = passages.get(pid)
            if body is None or not label:
                continue
            for marker in (label.translate(_SUPERSCRIPT), label):
                at = body["text"].find(marker)
                if at >= 0:
                    found.append(sentence_at(body["text"], at, at + len(marker)))
                    break
    return " ".join(found)


def store_occurrences(store: Any) -> list[Occurrence]:
    """Every cited Kamerstuk of a :class:`kennisbank.store.Store`, with its citing sentences."""
    rows = store.refs()
    by_doc: dict[str, dict[str, Any]] = {}
    found = []
    for row in rows:
        doc_id = row["document_id"]
        if doc_id not in by_doc:
            by_doc[doc_id] = {p["id"]: p for p in store.passages(doc_id)}
        passage = by_doc[doc_id].get(row["passage_id"])
        context = _citing_sentences(passage, row, by_doc[doc_id]) if passage else ""
        found.append(
            Occurrence(
                identifier=row["identifier"],
                dossier=row["dossier"],
                ondernummer=row["ondernummer"],
                kamer=row["kamer"],
                vergaderjaar=row["vergaderjaar"],
                text=row["text"],
                context=context,
            )
        )
    return found


__all__ = [
    "MONTHS",
    "SUSPECT",
    "Occurrence",
    "RefCheck",
    "check_references",
    "dates_in",
    "form_problem",
    "sentence_at",
    "store_occurrences",
    "vergaderjaar_of",
]
