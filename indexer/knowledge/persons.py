"""People named in the text, recognised without a statistical model.

Persons are not in the curated registry.  :class:`PersonRules` finds them by
rule and gives them the id ``persoon/<slug>``, where the slug is made from the
surname without its particles, the part a Dutch name is sorted by (``oud-minister Van
der Laan`` → ``persoon/laan``, ``Prof. dr. Evelien Tonkens`` → ``persoon/tonkens``), so
that one person written with and without particles is one entity (``staatssecretaris
Heemskerk`` and ``de heer Van Heemskerk`` → ``persoon/heemskerk``); the method is
``context``.

Rules (the ``rule`` of the mention):

``titel``
    a title or function followed by a name: ``minister Klink``, ``staatssecretaris
    Bussemaker``, ``oud-minister Van der Laan``, ``de heer Van Heemskerk``,
    ``wethouder Bert van Alphen``, ``Rijksbouwmeester Liesbeth Van der Pol``,
    ``Prof. dr. Evelien Tonkens``.  ``minister van VWS`` and ``de minister voor WWI``
    are functions, not names.
``heren``
    ``de heren Deetman en Mans``, ``de heren Deetman, Van der Lans en Scherpenisse``.
``motie``
    the submitter of a motion or amendment: ``motie Van Gerven``, ``motie-Dijsselbloem``.
``apposition``
    a first name and surname followed by a function in brackets: ``Lex Pouw
    (voormalig voorzitter ...)``.
``coreference``
    the surname of a person found earlier in the same passage, on its own
    (``Tonkens geeft aan``).
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token

from indexer.knowledge.candidates import Candidate, doc_tokens
from kennisbank.registry import normalise

TITLES = frozenset(
    {
        "minister",
        "staatssecretaris",
        "premier",
        "wethouder",
        "burgemeester",
        "rijksbouwmeester",
        "professor",
        "prof",
        "prof.",
        "dr",
        "dr.",
        "drs.",
        "mr.",
        "ir.",
        "dhr.",
        "mevrouw",
        "mevr.",
        "heer",
        "kamerlid",
    }
)
MOTION_WORDS = frozenset({"motie", "amendement"})
PLURAL_TITLES = frozenset({"heren", "ministers", "staatssecretarissen"})
PARTICLES = frozenset({"van", "der", "den", "de", "ter", "ten", "te", "het", "'t", "in", "op"})
APPOSITION_WORDS = frozenset(
    {"voormalig", "voormalige", "voorzitter", "directeur", "wethouder", "hoogleraar", "oud"}
)
#: Capitalised words that follow a title but are a portfolio, not a name.
NOT_NAMES = frozenset(
    {
        "president",
        "ruimtelijke",
        "ordening",
        "wonen",
        "wijken",
        "integratie",
        "jeugd",
        "gezin",
        "justitie",
        "financiën",
        "economische",
        "binnenlandse",
        "sociale",
        "zaken",
        "volksgezondheid",
        "onderwijs",
        "cultuur",
        "landbouw",
        "verkeer",
        "defensie",
        "algemene",
        "buitenlandse",
        "volkshuisvesting",
        "werkgelegenheid",
        "koninkrijksrelaties",
        "welzijn",
        "sport",
        "milieu",
        "universiteit",
        "hogeschool",
        "gemeente",
        "ministerie",
        "stichting",
        "raad",
        "provincie",
        "kamer",
        "commissie",
        "stad",
        "wijk",
    }
)
#: Tokens (lowercase) at which a rule can start.
_TRIGGERS = TITLES | PLURAL_TITLES | MOTION_WORDS | {"("}
_SKIP_AFTER_TITLE = frozenset({"-", ")", "(", ",", "‘", "’", "'", '"', "“", "”"})
_MAX_NAME_TOKENS = 6


def _is_initial(tok: Token) -> bool:
    text = tok.text
    return len(text) == 2 and text[0].isupper() and text[1] == "."


def _is_name_word(tok: Token) -> bool:
    text = tok.text
    lower = tok.lower_
    return (
        len(text) >= 2
        and text[0].isupper()
        and any(c.islower() for c in text)
        and text.replace("'", "").replace("’", "").isalpha()
        and lower not in NOT_NAMES
        and lower not in PARTICLES
        and not lower.endswith(("lijke", "ische"))
    )


def parse_name(doc: Doc, i: int) -> int | None:
    """End (exclusive) of a person name starting at token ``i``, or ``None``.

    A name is initials and first names, particles (``van der``) and a surname:
    ``H. Dijkstal``, ``Van der Laan``, ``Bert van Alphen``.  A lowercase particle
    must come after a first name and before a name word (``Vogelaar van WWI``
    stops at ``van``).
    """
    j = i
    words = 0
    last_name_end: int | None = None
    while j < len(doc) and j - i < _MAX_NAME_TOKENS:
        tok = doc[j]
        if _is_initial(tok):
            j += 1
            continue
        if tok.lower_ in PARTICLES:
            lowercase = tok.text[0].islower()
            if lowercase and words == 0:
                break
            k = j
            while k < len(doc) and doc[k].lower_ in PARTICLES:
                k += 1
            if k < len(doc) and _is_name_word(doc[k]):
                j = k
                continue
            break
        if _is_name_word(tok):
            words += 1
            j += 1
            last_name_end = j
            continue
        break
    return last_name_end


def surname_tokens(tokens: list[str]) -> list[str]:
    """The surname part of a name: from the first particle on, else the last word."""
    words = [t for t in tokens if not (len(t) == 2 and t.endswith("."))]
    if not words:
        return tokens[-1:]
    for index, word in enumerate(words):
        if word.lower() in PARTICLES and index < len(words) - 1:
            return words[index:]
    return words[-1:]


def person_id(name: str) -> str:
    """``persoon/<slug of the surname without particles>`` for a written name."""
    surname = surname_tokens(name.split())
    core = [t for t in surname if t.lower() not in PARTICLES] or surname
    slug = "-".join(normalise(" ".join(core)).split())
    return f"persoon/{slug or 'onbekend'}"


def canonical_person_id(entity_id: str) -> str:
    """The current id of a person id made from the surname with its particles
    (``persoon/van-der-laan`` → ``persoon/laan``); other ids are returned as they are."""
    kind, _, slug = entity_id.partition("/")
    if kind != "persoon":
        return entity_id
    words = slug.split("-")
    core = [w for w in words if w not in PARTICLES] or words
    return f"persoon/{'-'.join(core)}"


class PersonRules:
    """Adds ``persoon/…`` candidates to ``doc._.kb_candidates`` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, *, options: dict[str, Any]) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        candidates = doc._.kb_candidates
        if candidates is None:
            candidates = doc._.kb_candidates = []
        found: list[tuple[int, int, str]] = []
        lowers = doc_tokens(doc).lower
        for i, lower in enumerate(lowers):
            if lower not in _TRIGGERS:
                continue
            if lower in TITLES:
                found.extend(self._after(doc, i + 1, "titel", plural=False))
            elif lower in PLURAL_TITLES:
                found.extend(self._after(doc, i + 1, "heren", plural=True))
            elif lower in MOTION_WORDS:
                found.extend(self._after(doc, i + 1, "motie", plural=False))
            elif i + 1 < len(lowers) and lowers[i + 1] in APPOSITION_WORDS:  # "("
                found.extend(self._apposition(doc, i))
        if not found:
            return doc
        taken = {i for c in candidates if c.method != "context" for i in range(c.start, c.end)}
        found = [f for f in found if not any(k in taken for k in range(f[0], f[1]))]
        found.extend(self._coreferences(doc, found, taken))
        seen: set[tuple[int, int]] = set()
        for start, end, rule in found:
            if (start, end) in seen:
                continue
            seen.add((start, end))
            pid = person_id(doc[start:end].text)
            candidates.append(Candidate(start, end, pid, "context", 1.0, rule))
        return doc

    @staticmethod
    def _after(doc: Doc, i: int, rule: str, *, plural: bool) -> list[tuple[int, int, str]]:
        while i < len(doc) and (
            doc[i].text in _SKIP_AFTER_TITLE or doc[i].lower_ in TITLES or doc[i].is_space
        ):
            i += 1
        names: list[tuple[int, int, str]] = []
        while i < len(doc):
            end = parse_name(doc, i)
            if end is None:
                break
            names.append((i, end, rule))
            if not plural:
                break
            if end + 1 < len(doc) and doc[end].lower_ in (",", "en"):
                i = end + 1
                continue
            break
        return names

    @staticmethod
    def _apposition(doc: Doc, bracket: int) -> list[tuple[int, int, str]]:
        for start in range(max(0, bracket - _MAX_NAME_TOKENS), bracket - 1):
            if not _is_name_word(doc[start]) or (start > 0 and _is_name_word(doc[start - 1])):
                continue
            if parse_name(doc, start) == bracket:
                return [(start, bracket, "apposition")]
        return []

    @staticmethod
    def _coreferences(
        doc: Doc, found: list[tuple[int, int, str]], taken: set[int]
    ) -> list[tuple[int, int, str]]:
        surnames = {tuple(surname_tokens([t.text for t in doc[s:e]])) for s, e, _ in found}
        used = {k for s, e, _ in found for k in range(s, e)} | taken
        extra: list[tuple[int, int, str]] = []
        for surname in surnames:
            size = len(surname)
            if size == 1 and len(surname[0]) < 4:
                continue
            for i in range(len(doc) - size + 1):
                if tuple(t.text for t in doc[i : i + size]) != surname:
                    continue
                if any(k in used for k in range(i, i + size)):
                    continue
                extra.append((i, i + size, "coreference"))
                used.update(range(i, i + size))
        return extra


__all__ = ["PersonRules", "canonical_person_id", "parse_name", "person_id", "surname_tokens"]
