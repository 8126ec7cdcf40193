"""Parliamentary structure in official XML: speeches of the Handelingen and the fields a
Kamerstuk or a meeting states in its structure (vergaderjaar, Kamer, vergaderdatum).

Used by :mod:`indexer.parsers.xml`: a ``spreekbeurt`` becomes paragraphs that each start
with the speaker (``De heer Wörsdörfer (VVD): …``), so every passage of a speech names who
said it; the speakers (name, form of address, party, function) are listed in the document
metadata under ``sprekers``.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from lxml import etree

from indexer.parsers.blocks import INLINE_MARK, BlockSink, clean_text
from indexer.parsers.common import normalise_vergaderjaar
from indexer.parsers.xmltools import children, first, local_name, plain
from indexer.segment import MAX_PASSAGE_CHARS

__all__ = ["Walker", "speech", "speaker_entry", "structure_metadata"]


class Walker(Protocol):
    """What :func:`speech` needs of the official-XML walker of :mod:`indexer.parsers.xml`."""

    sink: BlockSink

    def inline(self, el: etree._Element, notes: list[str], extra: list) -> str:
        """Text of ``el`` with footnote markers; tables and note bodies go to ``extra``."""
        ...

    def flush_extra(self, extra: list) -> None:
        """Emit the tables and footnote bodies queued in ``extra``."""
        ...

    def walk(self, el: etree._Element, level: int, depth: int = 0) -> None:
        """Emit the blocks of ``el`` and its descendants."""
        ...


_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"
_MONTH_NR = {m: i for i, m in enumerate(_MONTHS.split(), 1)}
_DUTCH_DATE = re.compile(rf"(\d{{1,2}})\s+({'|'.join(_MONTH_NR)})\s+(\d{{4}})", re.I)
_KAMERS = {"tk": "Tweede Kamer der Staten-Generaal", "ek": "Eerste Kamer der Staten-Generaal"}


def speaker_entry(spreker: etree._Element) -> dict[str, str]:
    """Name, form of address, party and function of a ``spreker`` element (empty ones left out)."""
    entry = {
        "naam": plain(first(spreker, "naam")),
        "aanhef": plain(first(spreker, "voorvoegsels")),
        "partij": plain(first(spreker, "politiek")),
        "functie": plain(first(spreker, "functie")),
    }
    return {k: v for k, v in entry.items() if v}


def _is_plain(part: etree._Element) -> bool:
    tag = local_name(part.tag)
    if tag == "al":
        return True
    return tag == "al-groep" and all(local_name(c.tag) == "al" for c in children(part))


def speech(walker: Walker, el: etree._Element, level: int, depth: int) -> None:
    """Emit a ``spreekbeurt`` through ``walker``: paragraphs that each name the speaker.

    The ``al-groep`` paragraphs of one turn are joined into as few paragraphs as fit in one
    passage (:data:`~indexer.segment.MAX_PASSAGE_CHARS`); a motion or other structure
    inside the turn is walked as usual.
    """
    kids = children(el)
    spreker = next((k for k in kids if local_name(k.tag) == "spreker"), None)
    label = plain(spreker) if spreker is not None else ""
    if spreker is not None:
        entry = speaker_entry(spreker)
        speakers = walker.sink.metadata.setdefault("sprekers", [])
        if entry.get("naam") and entry not in speakers:
            speakers.append(entry)
    parts: list[etree._Element] = []
    for child in kids:
        if child is not spreker:
            parts.extend(children(child) if local_name(child.tag) == "tekst" else [child])
    chunk: list[str] = []
    notes: list[str] = []
    extra: list[Any] = []

    def flush() -> None:
        if chunk:
            walker.sink.paragraph(" ".join([label, *chunk]), notes)
        walker.flush_extra(extra)
        chunk.clear()
        notes.clear()
        extra.clear()

    for part in parts:
        if not _is_plain(part):
            flush()
            walker.walk(part, level, depth + 1)
            continue
        pieces = [part] if local_name(part.tag) == "al" else children(part)
        own_notes: list[str] = []
        own_extra: list[Any] = []
        text = clean_text(INLINE_MARK.join(walker.inline(p, own_notes, own_extra) for p in pieces))
        if chunk and len(label) + sum(len(c) + 1 for c in chunk) + len(text) > MAX_PASSAGE_CHARS:
            flush()
        if text:
            chunk.append(text)
        notes.extend(own_notes)
        extra.extend(own_extra)
    flush()


def structure_metadata(root: etree._Element, metadata: dict[str, Any]) -> None:
    """Fill fields the structure states when the metadata does not: ``vergaderjaar``
    (``Vergaderjaar 2009–2010`` → ``2009-2010``), ``organisatie`` (``kamer``, or the
    Kamer of an ``h-tk-``/``h-ek-`` identifier) and ``date`` (the ``vergaderdatum``).
    """
    if vj := plain(first(root, "vergaderjaar")):
        metadata.setdefault("vergaderjaar", normalise_vergaderjaar(vj) or vj)
    if isinstance(metadata.get("vergaderjaar"), str):
        value = metadata["vergaderjaar"]
        metadata["vergaderjaar"] = normalise_vergaderjaar(value) or value
    if kamer := plain(first(root, "kamer")):
        metadata.setdefault("organisatie", kamer)
    if m := re.match(r"a?h-(tk|ek)-", str(metadata.get("identifier", ""))):
        metadata.setdefault("organisatie", _KAMERS[m.group(1)])
    datum = _DUTCH_DATE.search(plain(first(root, "vergaderdatum")))
    if "date" not in metadata and datum:
        day, month, year = int(datum.group(1)), _MONTH_NR[datum.group(2).lower()], datum.group(3)
        metadata["date"] = f"{year}-{month:02d}-{day:02d}"
        metadata.setdefault("year", int(year))
