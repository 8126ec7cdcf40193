"""Find toezeggingen (commitments) in passages.

:func:`find_commitments` splits every passage into sentences (list items first)
and keeps a sentence when one of three kinds of cue occurs in it, tried in this
order:

1. **the word itself**: ``toegezegd``, ``toezegging(en)``, ``zeg ik (u) toe``
   (``zoals toegezegd``, ``heb ik u toegezegd``, ``is uw Kamer toegezegd``);
2. **informing parliament** in the future: ``wordt u ... geïnformeerd``,
   ``uw Kamer wordt ... geïnformeerd``, ``zal/zullen ... u / de Kamer ...
   informeren``, ``zult u ... ontvangen``, ``ontvangt uw Kamer``.  Whoever in the
   government is the subject (``De minister van VWS zal ... de Kamer hierover
   informeren``), a promise to inform the Kamer is a commitment.  The perfect
   tense (``U bent ... geïnformeerd``) reports what was done and is not one;
3. **the government's own future**: ``ik zal``, ``zal ik``, ``wij/we zullen``
   (also with a few words in between: ``dat we ons gezamenlijk zullen
   inzetten``), ``het kabinet / de regering / het rijk zal``.  A third party's
   future (``Het CBS zal ... publiceren``, ``Eind 2008 zal Rotterdam ...``,
   ``Het platform zal ...``) and an impersonal passive (``zal ... worden
   versterkt``) are *not* commitments.

The items of a list announced by a commitment sentence that ends in a colon or
semicolon (the 2008 report's "Met deze voortgangsrapportage kom ik tegemoet aan
de volgende toezeggingen ...;") are commitments item by item, whole.

Some sentences with a cue promise nothing: an oath (``Ik zweer dat ik getrouw zal
zijn``), a document informing its reader now (``Door middel van deze circulaire wordt u
geïnformeerd``) and a rhetorical question (``zult u zich wellicht afvragen``).

Where a sentence stands matters as much (:mod:`indexer.knowledge.genre`): in a
parliamentary document (Kamerstuk, Kamerbrief, Handelingen, voortgangsrapportage) every
cue counts; in a statute, regulation, circulaire, plan or other document only a sentence
that states a toezegging *to parliament* (``Gezien mijn toezegging aan de Eerste Kamer``,
``Bij de parlementaire behandeling heb ik toegezegd``).  Without document profiles every
passage is read as a parliamentary one.

For each commitment the module records the cue, the first full date stated after
the cue (else the first in the sentence) as ISO ``YYYY-MM-DD``, the Kamerstuk
references in the sentence or, when it has none, in the footnotes whose markers
(``³``) it carries, the vergaderjaar of those references, and the entities
mentioned in the sentence.  Ids are a hash of passage id and span.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from indexer.knowledge.genre import (
    PARLIAMENTARY,
    DocumentProfile,
    genre,
    states_parliamentary_commitment,
)
from indexer.knowledge.link import index_mentions, sentence_spans, unit_spans
from kennisbank.model import Commitment, Mention, Passage
from kennisbank.refs import find_refs

_KAMER = r"(?:u|uw\s+kamer|de\s+(?:tweede\s+)?kamer)"
_FEW = r"(?:\S+\s+){0,6}?"
_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # 1. the word itself
        r"\b(?:zoals\s+(?:u\s+)?|tevens\s+|eerder\s+|reeds\s+)?toegezegd\b",
        r"\btoezegging(?:en)?\b",
        r"\bzeg(?:t|gen)?\s+(?:ik|wij|we|het\s+kabinet)\s+(?:u\s+|uw\s+kamer\s+)?toe\b",
        r"\b(?:ik|wij|we)\s+zeg(?:gen)?\s+(?:u\s+|uw\s+kamer\s+)?toe\b",
        # 2. informing parliament
        rf"\b(?:wordt|worden)\s+{_KAMER}\s+{_FEW}ge[iï]nformeerd\b",
        rf"\b{_KAMER}\s+(?:wordt|worden)\s+{_FEW}ge[iï]nformeerd\b",
        rf"\b(?:zal|zullen)\s+(?:\S+\s+){{0,8}}?{_KAMER}\s+{_FEW}informeren\b",
        r"\bzult\s+u\b",
        rf"\bontvangt\s+{_KAMER}\b",
        # 3. the government's own future
        r"\b(?:ik\s+zal|zal\s+ik|(?:wij|we)\s+zullen|zullen\s+(?:wij|we))\b",
        r"\b(?:het\s+kabinet|de\s+regering|het\s+rijk)\s+zal\b",
        r"\bzal\s+(?:het\s+kabinet|de\s+regering|het\s+rijk)\b",
        r"\b(?:ik|wij|we)\s+(?:(?!dat\b|die\b|als\b|of\b|wat\b|het\b|de\b|een\b|er\b|dit\b|deze\b)"
        r"\w+\s+){1,3}?(?:zal|zullen)\b",
    )
)
#: Sentences with a cue that promise nothing (module docstring).
_NO_PROMISE = re.compile(
    r"\bzweer\b|\bbelo(?:o)?f\b|\bzweren\b"
    r"|\b(?:door\s+middel\s+van|in|met|bij)\s+(?:deze|dit|de\s+onderhavige)\s+"
    r"(?:circulaire|publicatie|brief|regeling|besluit|mededeling)\s+(?:wordt|worden)\s+u\b"
    r"|\bzult\s+u\s+(?:zich|zichzelf)\b",
    re.IGNORECASE,
)
#: Every cue pattern contains one of these (lowercase): a sentence without any of them
#: is no commitment, and most sentences are skipped without trying the patterns.
_CUE_WORDS_NEEDED = ("toe", "nformeer", "zult", "ontvangt", "zal", "zullen")
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
        start=1,
    )
}
_DATE = re.compile(
    r"\b(?P<d>\d{1,2})\s+(?P<m>" + "|".join(_MONTHS) + r")\s+(?P<y>\d{4})\b"
    r"|\b(?P<nd>\d{1,2})-(?P<nm>\d{1,2})-(?P<ny>\d{4})\b",
    re.IGNORECASE,
)
_SUPERSCRIPT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
#: A full stop between a word and the capitalised next word, without a space.
_GLUED_STOP = re.compile(r"(?<=[a-zà-ÿ]{2})[.!?](?=[A-Z][a-zà-ÿ])")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SKIPPED_KINDS = ("heading", "table")
#: Longer cue phrases are shortened to their first word and last three words.
_CUE_WORDS = 6


def _find_cue(sentence: str) -> tuple[str, int] | None:
    """(cue phrase, its offset) of the first cue pattern that occurs in ``sentence``."""
    lowered = sentence.lower()
    if not any(word in lowered for word in _CUE_WORDS_NEEDED):
        return None
    for pattern in _CUES:
        match = pattern.search(sentence)
        if match:
            words = match.group(0).split()
            if len(words) > _CUE_WORDS:
                words = [words[0], "…", *words[-3:]]
            return " ".join(words), match.start()
    return None


def _promise(sentence: str, parliamentary: bool = True) -> tuple[str, int] | None:
    """(cue phrase, offset) when ``sentence`` is a commitment in a document that is
    ``parliamentary`` or not (module docstring), else ``None``."""
    found = _find_cue(sentence)
    if found is None or _NO_PROMISE.search(sentence):
        return None
    if not parliamentary and not states_parliamentary_commitment(sentence):
        return None
    return found


def commitment_cue(sentence: str, profile: DocumentProfile = PARLIAMENTARY) -> str | None:
    """The phrase that makes ``sentence`` a commitment in a document with ``profile``
    (default: a parliamentary document), or ``None`` (see the module doc)."""
    found = _promise(sentence, genre(profile) == "parlementair")
    return found[0] if found else None


def parse_date(text: str, after: int = 0) -> str | None:
    """The first full date in ``text`` at or after ``after`` (else anywhere) as ISO ``YYYY-MM-DD``.

    Recognised: ``19 maart 2008`` and ``1-1-2009``.  Dates without a day or year
    (``afgelopen september``, ``juli 2008``) give ``None``.
    """
    found = [m for m in _DATE.finditer(text) if _to_iso(m)]
    later = [m for m in found if m.start() >= after]
    chosen = (later or found)[:1]
    return _to_iso(chosen[0]) if chosen else None


def _to_iso(match: re.Match[str]) -> str | None:
    if match.group("d"):
        day, month, year = int(match.group("d")), _MONTHS[match.group("m").lower()], match["y"]
    else:
        day, month, year = int(match.group("nd")), int(match.group("nm")), match["ny"]
    try:
        return date(int(year), month, day).isoformat()
    except ValueError:
        return None


def commitment_id(passage_id: str, start: int, end: int) -> str:
    """The stable id of a commitment: a short hash of its passage id and span."""
    return hashlib.sha1(f"{passage_id}\x00{start}\x00{end}".encode()).hexdigest()[:16]


class _Footnotes:
    """Kamerstuk references of footnote passages, looked up by citing passage and marker."""

    def __init__(
        self, passages: Sequence[Passage], refs_by_passage: Mapping[str, Sequence[str]] | None
    ) -> None:
        self._by_id = {p.id: p for p in passages if p.kind == "footnote"}
        self._given = refs_by_passage or {}

    def refs(self, passage: Passage, sentence: str) -> tuple[list[str], str | None]:
        """Refs (and vergaderjaar) of the footnotes the sentence's markers point to.

        When none of the passage's footnote markers can be found anywhere in the
        passage text (markers lost in extraction), all its footnotes count.
        """
        notes = [self._by_id[n] for n in passage.notes if n in self._by_id]
        labels = {m.group(0).translate(_FROM_SUPERSCRIPT) for m in _SUPERSCRIPT.finditer(sentence)}
        in_text = {
            m.group(0).translate(_FROM_SUPERSCRIPT) for m in _SUPERSCRIPT.finditer(passage.text)
        }
        if any(note.label in in_text for note in notes):
            notes = [note for note in notes if note.label in labels]
        identifiers: list[str] = []
        year: str | None = None
        for note in notes:
            found = find_refs(note.text)
            year = year or next((r.vergaderjaar for r in found if r.vergaderjaar), None)
            ids = list(self._given.get(note.id, ())) or [r.identifier for r in found]
            identifiers += [i for i in ids if i not in identifiers]
        return identifiers, year


def _announced_items(
    passage: Passage, previous: Passage | None, parliamentary: bool = True
) -> bool:
    """True when ``passage`` is a list announced by a commitment sentence ending in ``:``/``;``."""
    if passage.kind != "list" or previous is None or previous.kind == "heading":
        return False
    if previous.section_path != passage.section_path:
        return False
    spans = sentence_spans(previous.text)
    if not spans:
        return False
    last = previous.text[spans[-1][0] : spans[-1][1]].rstrip()
    return last.endswith((":", ";")) and _promise(last, parliamentary) is not None


def _units(passage: Passage, announced: bool) -> list[tuple[int, int]]:
    if announced:
        return unit_spans(passage.text)
    return [piece for span in sentence_spans(passage.text) for piece in _glued(passage.text, span)]


def _glued(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """``span`` split where a full stop is glued to the next sentence (``mogelijk.Het``),
    as in text converted without the space after a full stop."""
    start, end = span
    pieces: list[tuple[int, int]] = []
    for match in _GLUED_STOP.finditer(text, start, end):
        pieces.append((start, match.end()))
        start = match.end()
    pieces.append((start, end))
    return [(s, e) for s, e in pieces if text[s:e].strip()]


def find_commitments(
    passages: Sequence[Passage],
    mentions: Iterable[Mention] = (),
    refs_by_passage: Mapping[str, Sequence[str]] | None = None,
    profiles: Mapping[str, DocumentProfile] | None = None,
) -> list[Commitment]:
    """Return the commitments in ``passages`` (in document order; see the module doc).

    ``mentions`` fill each commitment's ``entities``.  ``refs_by_passage`` maps a
    passage id to the ``kst-…`` identifiers already found in it; it is used for
    footnote passages (a sentence's own references are located with
    :func:`kennisbank.refs.find_refs`, which gives their position).  ``profiles`` maps a
    document id to its :class:`~indexer.knowledge.genre.DocumentProfile`; a document
    without one is read as not parliamentary.  Without ``profiles`` at all every
    document is read as parliamentary.
    """
    ordered = list(passages)
    index = index_mentions(mentions)
    footnotes = _Footnotes(ordered, refs_by_passage)
    found: list[Commitment] = []
    previous: Passage | None = None
    genres: dict[str, bool] = {}
    for passage in ordered:
        if passage.kind in _SKIPPED_KINDS:
            previous = passage
            continue
        doc = passage.document_id
        if doc not in genres:
            profile = PARLIAMENTARY if profiles is None else profiles.get(doc, DocumentProfile())
            genres[doc] = genre(profile) == "parlementair"
        parliamentary = genres[doc]
        announced = _announced_items(passage, previous, parliamentary)
        intro = _find_cue(previous.text) if announced and previous else None
        for start, end in _units(passage, announced):
            text = passage.text[start:end]
            cue = _promise(text, parliamentary) or ((intro[0], 0) if intro else None)
            if cue:
                found.append(_commitment(passage, (start, end), cue, index, footnotes))
        if passage.kind != "footnote":  # a footnote sits between a passage and the next
            previous = passage
    return found


def _commitment(
    passage: Passage,
    span: tuple[int, int],
    cue: tuple[str, int],
    index: Mapping[str, list[Mention]],
    footnotes: _Footnotes,
) -> Commitment:
    start, end = span
    text = passage.text[start:end]
    refs = find_refs(text)
    identifiers = list(dict.fromkeys(r.identifier for r in refs))
    year = next((r.vergaderjaar for r in refs if r.vergaderjaar), None)
    if not identifiers:
        identifiers, year = footnotes.refs(passage, text)
    inside = [m for m in index.get(passage.id, []) if start <= m.start < m.end <= end]
    entities = [m.entity_id for m in inside]
    return Commitment(
        id=commitment_id(passage.id, start, end),
        passage_id=passage.id,
        document_id=passage.document_id,
        text=text,
        start=start,
        end=end,
        cue=cue[0],
        date=parse_date(text, cue[1]),
        vergaderjaar=year,
        refs=identifiers,
        entities=list(dict.fromkeys(entities)),
    )


__all__ = ["commitment_cue", "commitment_id", "find_commitments", "parse_date"]
