"""Find and normalise Kamerstuk citations (Dutch parliamentary papers) in text.

A Kamerstuk is identified by its *dossier* (``30995``, optionally with a
chapter: ``32123-XVIII``) and its *ondernummer* (``78``, or a letter such as
``A`` for Eerste Kamer papers).  Citations in the corpus come in many shapes::

    Tweede Kamer, vergaderjaar 2009 – 2010, 30 995, nr. 78
    (kamerstuk 2007-2008, 30995, 43)
    (TK 2007-2008, 30995.47)
    Kamerstukken I 2008/09, 31 700 XVIII, A
    Kamerstukken II 2009/10, 30 995, nrs. 1 en 2
    kst-30995-81

:func:`find_refs` returns one :class:`KamerstukRef` per cited paper, in text
order; :func:`parse_ref` reads a short string a user typed;
:func:`normalize_identifier` canonicalises ``kst-…`` identifiers.

Design notes:

* Only ASCII digits count; whitespace (including newlines, as in text taken
  from PDF) may occur between any two tokens.
* A number is only taken for a reference when a context word says so
  (``kamerstuk``, ``Kamerstukken``, ``TK``, ``Tweede Kamer``, ``vergaderjaar``,
  ``kst-`` or ``nr.``).  Without a context word other than ``nr.`` the form
  must read ``30 995, nr. 78`` or ``30995 nr. 78``.
* An unspaced four-digit number between 1900 and 2099 is never read as a
  dossier number (it is almost always a year); ``kst-`` identifiers are exempt.
* All matching is done with small anchored regular expressions without
  nested quantifiers, so the work is linear in the length of the text.

Why one module (over 500 lines): the citation grammar is one unit: the token
patterns at the top are used by every ``_parse_*`` function below them and by
:class:`KamerstukRef`'s validation, and splitting the grammar from its patterns
would only add an import of private names between two files.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from kennisbank.errors import InvalidInput

__all__ = ["KamerstukRef", "find_refs", "parse_ref", "normalize_identifier", "BASE_URL"]

#: Where the official publications live; ``url`` is ``BASE_URL + identifier + ".html"``.
BASE_URL = "https://zoek.officielebekendmakingen.nl/"

# --------------------------------------------------------------------------- #
# Building blocks of the patterns
# --------------------------------------------------------------------------- #

#: Letters that may glue onto a word (ASCII plus the Latin-1/Latin Extended-A/B
#: range for Dutch diacritics).  Superscript footnote markers are *not* letters.
_L = "A-Za-z\u00c0-\u024f"
#: Dashes between the two years of a vergaderjaar (and the slash of 2009/10).
_YEAR_DASH = "\\-\u00ad\u2010\u2011\u2012\u2013\u2014\u2212/"
#: Hyphens that join a dossier and its chapter or ondernummer.
_HYPHEN = "\\-\u2010\u2011"
#: Spaces that may group the digits of a dossier number ("30 995").
_GROUP_SPACE = " \u00a0\u2009\u202f"

_DOSSIER = (
    rf"(?<![0-9])(?P<d>[1-9][0-9]{{0,2}}[{_GROUP_SPACE}][0-9]{{3}}|[1-9][0-9]{{3,5}})(?![0-9])"
)
_DIGITS_NUM = rf"[1-9][0-9]{{0,3}}(?![0-9{_L}])"
_LETTER_NUM = rf"[A-Z]{{1,2}}(?![{_L}0-9])"
#: A following space-group of three digits means we stand on a grouped number.
_NOT_GROUPED = rf"(?![{_GROUP_SPACE}][0-9]{{3}}(?![0-9]))"
_NUM = rf"(?:{_DIGITS_NUM}{_NOT_GROUPED}|{_LETTER_NUM})"

_HEAD_RE = re.compile(
    rf"""
    (?<![{_L}0-9])
    (?:
        (?P<kst>(?i:kamerstukken|kamerstuknummer|kamerstuk|kamerst\.|kst\.))
            (?:\s*(?P<kk>II|I)(?![{_L}0-9]))?
      | (?P<tk>(?i:tweede\s+kamer)(?:\s+(?i:der\s+staten-generaal))?|TK)
      | (?P<ek>(?i:eerste\s+kamer)(?:\s+(?i:der\s+staten-generaal))?|EK)
      | (?P<vj>(?i:vergaderjaar))
    )
    (?![{_L}0-9])
    """,
    re.VERBOSE,
)
_SEP_RE = re.compile(r"[\s,;:]*")
_VJ_RE = re.compile(rf"(?i:vergaderjaar)(?![{_L}0-9])\s*:?\s*")
_YEAR_RE = re.compile(
    rf"(?<![0-9])(?P<y1>(?:19|20)[0-9]{{2}})\s*[{_YEAR_DASH}]\s*(?P<y2>[0-9]{{4}}|[0-9]{{2}})(?![0-9])"
)
#: A word between the year and the dossier: "…, Vergaderjaar 2009-2010, Kamerstuk 28 684".
_MIDWORD_RE = re.compile(
    rf"(?i:kamerstukken|kamerstuknummer|kamerstuk|dossiernummer|dossier)(?![{_L}0-9])\s*:?\s*"
)
_DOSSIER_RE = re.compile(_DOSSIER)
_CHAPTER_ROMAN_RE = re.compile(
    rf"(?:\s*[{_HYPHEN}]\s*|\s+)(?P<ch>[IVXL]{{1,6}}[AB]?|[A-Z])(?![{_L}0-9])"
)
_CHAPTER_NUM_RE = re.compile(rf"\s*[{_HYPHEN}]\s*(?P<ch>[0-9]{{2}})(?![0-9])")
_MARKER_RE = re.compile(
    rf"\s*(?P<comma>[,;:])?\s*(?P<m>(?i:nummers|nummer|nrs|nr))(?P<dot>\.)?(?![{_L}])"
    rf"\s*(?P<num>{_NUM})"
)
_COMMA_NUM_RE = re.compile(rf"\s*,\s*(?P<num>{_NUM})")
_DOT_NUM_RE = re.compile(rf"\.(?P<num>[1-9][0-9]{{0,3}})(?![0-9{_L}]|[.,][0-9])")
_HYPHEN_NUM_RE = re.compile(rf"\s*[{_HYPHEN}]\s*(?P<num>{_DIGITS_NUM})")
#: ``TK 2009/10 30995 77``: the ondernummer after a space, only after a Kamer and a year.
#: It must end the text or be followed by punctuation (not "30 995 2 bijlagen").
_SPACE_NUM_RE = re.compile(r"[ \t]+(?P<num>[1-9][0-9]{0,2})(?=[ \t]*(?:$|[,;.)\]\n]))")
_CONNECTOR_RE = re.compile(rf"\s*(?:,\s*(?:(?i:en)(?![{_L}0-9])|&)?|;|&|(?i:en)(?![{_L}0-9]))\s*")
_CONT_NUM_RE = re.compile(
    rf"(?P<num>{_NUM})(?!\s*(?:%|(?i:procent|euro|miljoen|miljard)(?![{_L}])))"
)
_PAGE_RE = re.compile(
    rf"\s*,?\s*(?:(?i:pp|p|pag|blz)\.|(?i:pagina|bladzijde|blz)(?![{_L}0-9]))\s*"
    rf"(?P<page>[0-9]{{1,5}}(?:\s*[-\u2013]\s*[0-9]{{1,5}})?)(?![0-9])"
)
_KST_RE = re.compile(
    rf"(?<![{_L}0-9])kst-(?P<d>[1-9][0-9]{{3,5}})(?:-(?P<ch>[IVXL]{{1,6}}[AB]?|[A-Z]|[0-9]{{2}}))?"
    rf"-(?P<n>[1-9][0-9]{{0,3}}|[A-Z]{{1,2}})(?![{_L}0-9])",
    re.IGNORECASE,
)
#: Where a parse may start: a ``kst-`` identifier, a context word or a number.
_ANCHOR_RE = re.compile(
    rf"(?<![{_L}0-9])(?:(?i:kst-|kst\.|kamerst|tweede|eerste|vergaderjaar)|TK|EK|[1-9])"
)
#: Left context that makes a bare number an amount or another publication.
_BAD_LEFT_RE = re.compile(
    rf"(?:[€$£ƒ]|[0-9][.,]|(?<![{_L}])(?i:eur|euro|fl|stb|stcrt|trb|staatsblad|staatscourant"
    rf"|tractatenblad|handelingen|blz|pag|p)(?![{_L}])\.?)\s*\Z"
)

_DOSSIER_FULL_RE = re.compile(r"[1-9][0-9]{3,5}(?:-(?:[IVXL]{1,6}[AB]?|[A-Z]|[0-9]{2}))?", re.ASCII)
_ONDERNUMMER_FULL_RE = re.compile(r"[1-9][0-9]{0,3}|[A-Z]{1,2}", re.ASCII)
_VERGADERJAAR_FULL_RE = re.compile(r"((?:19|20)[0-9]{2})-([0-9]{4})", re.ASCII)
_PAGE_FULL_RE = re.compile(r"[0-9]{1,5}(?:-[0-9]{1,5})?", re.ASCII)


# --------------------------------------------------------------------------- #
# The reference
# --------------------------------------------------------------------------- #


def _group_thousands(digits: str) -> str:
    """``"30995"`` → ``"30 995"`` (official citation style)."""
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return " ".join(parts)


@dataclass(frozen=True)
class KamerstukRef:
    """One cited Kamerstuk.

    ``dossier`` is ``"30995"`` or, with a chapter, ``"32123-XVIII"``;
    ``ondernummer`` is ``"78"`` or a letter (``"A"``); ``kamer`` is ``"I"``,
    ``"II"`` or ``None``; ``vergaderjaar`` is ``"2009-2010"`` or ``None``;
    ``start``/``end`` is the span of the match in the searched text and
    ``text`` the matched text itself; ``page`` is the cited page, if any.

    Raises :class:`~kennisbank.errors.InvalidInput` when a field is malformed.
    """

    dossier: str
    ondernummer: str
    kamer: str | None = None
    vergaderjaar: str | None = None
    start: int = 0
    end: int = 0
    text: str = ""
    page: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.dossier, str) or not _DOSSIER_FULL_RE.fullmatch(self.dossier):
            raise InvalidInput(f"Ongeldig dossiernummer: {self.dossier!r}.")
        if not isinstance(self.ondernummer, str) or not _ONDERNUMMER_FULL_RE.fullmatch(
            self.ondernummer
        ):
            raise InvalidInput(f"Ongeldig ondernummer: {self.ondernummer!r}.")
        if self.kamer not in (None, "I", "II"):
            raise InvalidInput(f"Ongeldige Kamer: {self.kamer!r} (verwacht I of II).")
        if self.vergaderjaar is not None:
            m = (
                _VERGADERJAAR_FULL_RE.fullmatch(self.vergaderjaar)
                if isinstance(self.vergaderjaar, str)
                else None
            )
            if m is None or int(m.group(2)) != int(m.group(1)) + 1:
                raise InvalidInput(
                    f"Ongeldig vergaderjaar: {self.vergaderjaar!r} (verwacht bijv. 2009-2010)."
                )
        if self.page is not None and (
            not isinstance(self.page, str) or not _PAGE_FULL_RE.fullmatch(self.page)
        ):
            raise InvalidInput(f"Ongeldig paginanummer: {self.page!r}.")
        if not (
            isinstance(self.start, int)
            and isinstance(self.end, int)
            and 0 <= self.start <= self.end
        ):
            raise InvalidInput(f"Ongeldige positie van de verwijzing: {self.start}-{self.end}.")

    @property
    def identifier(self) -> str:
        """The official identifier, e.g. ``"kst-30995-78"`` or ``"kst-32123-XVIII-41"``."""
        return f"kst-{self.dossier}-{self.ondernummer}"

    @property
    def url(self) -> str:
        """Link to the paper on zoek.officielebekendmakingen.nl."""
        return f"{BASE_URL}{self.identifier}.html"

    @property
    def citation(self) -> str:
        """Official citation, e.g. ``"Kamerstukken II 2009/10, 30 995, nr. 78"``.

        Unknown parts are left out: ``"Kamerstukken 2009/10, 30 995, nr. 78"``,
        ``"Kamerstukken II, 30 995, nr. 78"``, ``"Kamerstukken 30 995, nr. 78"``.
        A letter ondernummer is cited bare: ``"…, 31 700 XVIII, A"``.
        """
        head = "Kamerstukken"
        if self.kamer:
            head += f" {self.kamer}"
        if self.vergaderjaar:
            y1, y2 = self.vergaderjaar.split("-")
            head += f" {y1}/{y2[2:] if y1[:2] == y2[:2] else y2}"
        digits, _, chapter = self.dossier.partition("-")
        dossier = _group_thousands(digits)
        if chapter:
            dossier += f"-{chapter}" if chapter.isdigit() else f" {chapter}"
        number = f"nr. {self.ondernummer}" if self.ondernummer.isdigit() else self.ondernummer
        sep = ", " if self.kamer or self.vergaderjaar else " "
        return f"{head}{sep}{dossier}, {number}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output: all fields plus identifier, citation and url."""
        data = asdict(self)
        data["identifier"] = self.identifier
        data["citation"] = self.citation
        data["url"] = self.url
        return data


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #


class _Raw(NamedTuple):
    dossier: str
    ondernummer: str
    start: int
    end: int
    page: str | None


class _First(NamedTuple):
    """A dossier with its first ondernummer."""

    dossier: str
    num: str
    num_end: int
    plural: bool


def _normalise_year(y1_text: str, y2_text: str) -> str | None:
    """``("2009", "10")`` → ``"2009-2010"``; ``None`` unless the years are consecutive."""
    y1 = int(y1_text)
    if len(y2_text) == 2:
        y2 = y1 // 100 * 100 + int(y2_text)
        if y2 < y1:
            y2 += 100
    else:
        y2 = int(y2_text)
    return f"{y1}-{y2}" if y2 == y1 + 1 else None


def _is_year_like(dossier_text: str) -> bool:
    """An unspaced four-digit number 1900-2099 is taken to be a year."""
    return len(dossier_text) == 4 and dossier_text.isdigit() and 1900 <= int(dossier_text) <= 2099


def _first_onder(
    text: str, pos: int, kamer: str | None, context: bool, lenient: bool, spaced: bool = False
) -> tuple[str, int, bool] | None:
    """Read the first ondernummer after a dossier: ``(number, end, plural)``.

    ``spaced``: a number after a plain space counts too (``TK 2009/10 30995 77``; only
    after a Kamer and a vergaderjaar, where nothing else can follow a dossier number).
    """
    letters_ok = kamer != "II"
    m = _MARKER_RE.match(text, pos)
    if m is not None:
        if not (context or lenient or m.group("comma") or m.group("dot")):
            return None
        num = m.group("num")
        if num.isalpha() and not letters_ok:
            return None
        return num, m.end(), m.group("m").lower() in ("nrs", "nummers")
    if context:
        m = _COMMA_NUM_RE.match(text, pos)
        if m is not None and (letters_ok or m.group("num").isdigit()):
            return m.group("num"), m.end(), False
        m = _DOT_NUM_RE.match(text, pos)
        if m is not None:
            return m.group("num"), m.end(), False
    if context or lenient:
        m = _HYPHEN_NUM_RE.match(text, pos)
        if m is not None:
            return m.group("num"), m.end(), False
    if spaced:
        m = _SPACE_NUM_RE.match(text, pos)
        if m is not None:
            return m.group("num"), m.end(), False
    return None


def _dossier_part(
    text: str, pos: int, kamer: str | None, context: bool, lenient: bool, spaced: bool = False
) -> _First | None:
    """Read ``dossier [chapter] <first ondernummer>`` starting exactly at ``pos``."""
    dm = _DOSSIER_RE.match(text, pos)
    if dm is None:
        return None
    raw = dm.group("d")
    if _is_year_like(raw):
        return None
    digits = "".join(c for c in raw if c.isdigit())
    for chapter_re in (_CHAPTER_ROMAN_RE, _CHAPTER_NUM_RE):
        cm = chapter_re.match(text, dm.end())
        if cm is None:
            continue
        onder = _first_onder(text, cm.end(), kamer, context, lenient)
        if onder is not None:
            return _First(f"{digits}-{cm.group('ch')}", onder[0], onder[1], onder[2])
    onder = _first_onder(text, dm.end(), kamer, context, lenient, spaced)
    if onder is None:
        return None
    return _First(digits, onder[0], onder[1], onder[2])


def _parse_tail(
    text: str,
    pos: int,
    start: int,
    kamer: str | None,
    context: bool,
    lenient: bool = False,
    spaced: bool = False,
) -> tuple[list[_Raw], int] | None:
    """Read a dossier part at ``pos`` and any enumeration after it.

    ``start`` is where the first reference's span begins (the context word).
    Enumerations: ``nrs. 1, 2 en 3`` (one ref per number) and
    ``31 311, nr. 20 en 31 430, nr. 2`` (one ref per dossier part).
    """
    part = _dossier_part(text, pos, kamer, context, lenient, spaced)
    if part is None:
        return None
    raws: list[_Raw] = []
    dossier, num, end, plural = part
    while True:
        page = None
        pm = _PAGE_RE.match(text, end)
        if pm is not None:
            page = re.sub(r"\s*[-\u2013]\s*", "-", pm.group("page"))
            end = pm.end()
        raws.append(_Raw(dossier, num, start, end, page))
        cm = _CONNECTOR_RE.match(text, end)
        if cm is None:
            break
        nxt = _dossier_part(text, cm.end(), kamer, context, lenient)
        if nxt is not None:
            start = cm.end()
            dossier, num, end, plural = nxt
            continue
        if plural:
            nm = _CONT_NUM_RE.match(text, cm.end())
            if nm is not None and (kamer != "II" or nm.group("num").isdigit()):
                start, end, num = nm.start(), nm.end(), nm.group("num")
                continue
        break
    return raws, end


def _bad_left_context(text: str, pos: int) -> bool:
    """True when the number at ``pos`` follows a currency sign, a decimal or e.g. ``Stb.``."""
    return _BAD_LEFT_RE.search(text, max(0, pos - 16), pos) is not None


_Parsed = tuple[list[KamerstukRef], int]


def _build(text: str, raws: list[_Raw], kamer: str | None, year: str | None, end: int) -> _Parsed:
    refs = [
        KamerstukRef(
            dossier=r.dossier,
            ondernummer=r.ondernummer,
            kamer=kamer,
            vergaderjaar=year,
            start=r.start,
            end=r.end,
            text=text[r.start : r.end],
            page=r.page,
        )
        for r in raws
    ]
    return refs, end


def _parse_kst(text: str, pos: int) -> _Parsed | None:
    m = _KST_RE.match(text, pos)
    if m is None:
        return None
    dossier = m.group("d") + (f"-{m.group('ch').upper()}" if m.group("ch") else "")
    raw = _Raw(dossier, m.group("n").upper(), m.start(), m.end(), None)
    return _build(text, [raw], None, None, m.end())


def _parse_head(text: str, pos: int) -> _Parsed | None:
    """``Tweede Kamer, vergaderjaar 2009 – 2010, 30 995, nr. 78`` and friends."""
    hm = _HEAD_RE.match(text, pos)
    if hm is None:
        return None
    if hm.group("tk"):
        kamer: str | None = "II"
    elif hm.group("ek"):
        kamer = "I"
    else:
        kamer = hm.group("kk")
    p = _SEP_RE.match(text, hm.end()).end()
    vm = None if hm.group("vj") else _VJ_RE.match(text, p)
    if vm is not None:
        p = vm.end()
    year = None
    ym = _YEAR_RE.match(text, p)
    if ym is not None:
        year = _normalise_year(ym.group("y1"), ym.group("y2"))
        if year is None:
            return None
        p = _SEP_RE.match(text, ym.end()).end()
    elif vm is not None or hm.group("vj"):
        return None
    mw = _MIDWORD_RE.match(text, p)
    if mw is not None:
        p = mw.end()
    tail = _parse_tail(text, p, pos, kamer, context=True, spaced=year is not None)
    if tail is None:
        return None
    return _build(text, tail[0], kamer, year, tail[1])


def _parse_year(text: str, pos: int) -> _Parsed | None:
    """``2009/10, 30 995, nr. 78`` — a year without a Kamer; ``nr.`` is required."""
    ym = _YEAR_RE.match(text, pos)
    if ym is None or _bad_left_context(text, pos):
        return None
    year = _normalise_year(ym.group("y1"), ym.group("y2"))
    if year is None:
        return None
    p = _SEP_RE.match(text, ym.end()).end()
    mw = _MIDWORD_RE.match(text, p)
    if mw is not None:
        p = mw.end()
    tail = _parse_tail(text, p, pos, None, context=mw is not None)
    if tail is None:
        return None
    return _build(text, tail[0], None, year, tail[1])


def _parse_bare(text: str, pos: int, lenient: bool) -> _Parsed | None:
    """``30 995, nr. 78`` (and, when ``lenient``, ``30995 nr 49`` / ``30995-78``)."""
    tail = _parse_tail(text, pos, pos, None, context=False, lenient=lenient)
    if tail is None or _bad_left_context(text, pos):
        return None
    return _build(text, tail[0], None, None, tail[1])


def _parse_at(text: str, pos: int) -> _Parsed | None:
    if text[pos] in "kK":
        found = _parse_kst(text, pos)
        if found is not None:
            return found
    if not text[pos].isdigit():
        return _parse_head(text, pos)
    return _parse_year(text, pos) or _parse_bare(text, pos, lenient=False)


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput(
            f"Verwijzingen zoeken kan alleen in tekst, niet in {type(text).__name__}."
        )
    return text


def find_refs(text: str) -> list[KamerstukRef]:
    """Return every Kamerstuk reference in ``text``, in order of appearance.

    An enumeration yields one reference per paper: ``30 995, nrs. 1 en 2`` gives
    two; in ``31 311, nr. 20 en 31 430, nr. 2`` the second inherits the Kamer
    and vergaderjaar of the first.  Spans never overlap; the first reference
    of a citation spans from its context word, later ones only their own
    dossier/number.  Raises :class:`InvalidInput` if ``text`` is not a string.
    """
    text = _check_text(text)
    refs: list[KamerstukRef] = []
    pos = 0
    while True:
        anchor = _ANCHOR_RE.search(text, pos)
        if anchor is None:
            return refs
        found = _parse_at(text, anchor.start())
        if found is None:
            pos = anchor.start() + 1
            continue
        refs.extend(found[0])
        pos = found[1]


def parse_ref(text: str) -> KamerstukRef | None:
    """Return the first reference in a short string, or ``None``.

    Besides everything :func:`find_refs` finds, bare forms a user pastes into
    a search box are accepted: ``"30995-78"``, ``"30995 nr 49"``,
    ``"32123-XVIII-41"``.  Raises :class:`InvalidInput` if ``text`` is not a string.
    """
    text = _check_text(text)
    refs = find_refs(text)
    if refs:
        return refs[0]
    pos = 0
    while True:
        anchor = _ANCHOR_RE.search(text, pos)
        if anchor is None:
            return None
        if text[anchor.start()].isdigit():
            found = _parse_bare(text, anchor.start(), lenient=True)
            if found is not None:
                return found[0][0]
        pos = anchor.start() + 1


def normalize_identifier(s: str) -> str | None:
    """Canonical ``kst-…`` identifier, or ``None`` if ``s`` is not one.

    ``"KST-30995-78"``, ``"kst-30995-78.html"`` and
    ``"https://zoek.officielebekendmakingen.nl/kst-30995-78.html"`` all give
    ``"kst-30995-78"``; chapter and letter parts are upper-cased
    (``"kst-32123-xviii-41"`` → ``"kst-32123-XVIII-41"``).
    """
    if not isinstance(s, str):
        return None
    candidate = s.strip()
    candidate = candidate.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    candidate = candidate.rsplit("/", 1)[-1]
    base, dot, ext = candidate.rpartition(".")
    if dot and ext.lower() in ("html", "htm", "pdf", "xml", "odt"):
        candidate = base
    m = _KST_RE.fullmatch(candidate)
    if m is None:
        return None
    dossier = m.group("d") + (f"-{m.group('ch').upper()}" if m.group("ch") else "")
    return f"kst-{dossier}-{m.group('n').upper()}"
