"""Cut cleaned text lines into units: headings, paragraphs, list items, captions.

A *chunk* is a run of non-blank lines.  Within a chunk, list items start at
bullets and enumerators, headings are recognised by shape (short, capitalised,
no sentence-final punctuation) and position (first or last line of a chunk,
or the first line of a new page), and hard-wrapped paragraphs are split where
a short line ends a sentence.  :func:`merge_units` then rejoins units that a
page break or footnote block cut in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parsers.textrepair import (
    CONNECTORS,
    ends_sentence_strict,
    ends_with_connector,
    first_letter,
    is_blank,
    starts_lower,
)
from kennisbank.model import Block

MD_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^([•�▪◦‣∙·●■□➢►\uf0b7\uf0a7])\s*(.*)$")
DASH_RE = re.compile(r"^([-–—])\s+(\S.*)$")
SOFT_BULLET_RE = re.compile(r"^([o*])\s+(\S.*)$")
ENUM_RE = re.compile(r"^(\(?\d{1,3}[.)]|\(?[a-z][.)]|\([a-z0-9]{1,3}\))\s+(\S.*)$")
CAPTION_RE = re.compile(
    r"^(?:Grafiek|Figuur|Afbeelding|Kaart|Schema|Foto|Uit|Bron|bron|Tabel)\s*:"
    r"|^(?:Grafiek|Figuur|Afbeelding|Kaart|Schema|Tabel)\s+(?![a-z]+\s)(?!.*[.;]$).{0,110}$"
)
NOTE_RE = re.compile(r"^(?:Bron|bron)\s*:|^\*\s")
BOX_RE = re.compile(r"^(?:Box|Kader)\s+\d+[a-z]?\s*[:.–-]\s*\S", re.IGNORECASE)
EXPERIMENT_RE = re.compile(r"^Experiment\s+\d+\s*[:.–-]\s*\S")
BIJLAGE_RE = re.compile(
    r"^(?:Bijlage|BIJLAGE|Appendix)\s+(?:\d{1,2}|[IVX]{1,4}|[A-Z])\b\s*[:.–-]?\s*(.*)$"
)
CHAPTER_RE = re.compile(r"^(\d{1,2})(?:\.(?![\d.])|\s+(?:\.{3}|…))\s*(\S.*)$")
SUBNUM_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+[A-ZÀ-Ý]")
PLAINNUM_RE = re.compile(r"^(\d{1,2})\s+([^\d\s].*)$")
ARTIKEL_RE = re.compile(r"^(?:Artikel|ARTIKEL)\s+\d+[a-z]?\b")
NAME_LEAD_RE = re.compile(r"^[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,2}:\s")


@dataclass
class Unit:
    """A piece of the document before it becomes a :class:`Block`."""

    kind: str
    lines: list[str]
    start: int
    marker: str = ""
    md_level: int = 0
    page_start: bool = False
    tentative: bool = False
    width: int = 0
    breaks: set[int] = field(default_factory=set)
    block: Block | None = None

    @property
    def first(self) -> str:
        """The first line, stripped."""
        return self.lines[0].strip() if self.lines else ""

    @property
    def last(self) -> str:
        """The last line, stripped."""
        return self.lines[-1].strip() if self.lines else ""


def is_strong_heading(text: str) -> bool:
    """Headings recognised by their wording alone (box, experiment, bijlage, chapter)."""
    if BOX_RE.match(text) or EXPERIMENT_RE.match(text) or ARTIKEL_RE.match(text):
        return True
    if SUBNUM_RE.match(text):
        return True
    bijlage = BIJLAGE_RE.match(text)
    if bijlage and len(text) <= 100:
        return True
    chapter = CHAPTER_RE.match(text)
    if chapter:
        body = chapter.group(2)
        return "…" in text[:8] or "..." in text[:8] or body[:1].isupper()
    return False


def heading_like(text: str, hard: bool) -> bool:
    """True if a line has the shape of a heading (short, capitalised, unpunctuated)."""
    t = text.strip()
    if not t or "\t" in t:
        return False
    words = t.split()
    if len(t) > 100 or len(words) > 14:
        return False
    if CAPTION_RE.match(t) or BULLET_RE.match(t) or DASH_RE.match(t) or t.startswith("*"):
        return False
    strong = is_strong_heading(t)
    last = t[-1]
    if last in ".,;:":
        if last == "," and len(words) <= 3 and t[0].isupper() and t.count(",") == 1:
            return True
        return False
    if last in "?!" and not strong:
        return False
    if strong:
        return True
    if ENUM_RE.match(t):
        return False
    if t[0].isdigit():
        return bool(PLAINNUM_RE.match(t)) and len(words) >= 2
    if t.startswith(("..", "…")):
        return True
    if t[0] in "‘“'\"„":
        capitalised = len(t) > 1 and t[1].isupper()
    else:
        capitalised = t[0].isupper()
    return capitalised and words[-1].lower() not in CONNECTORS


#: Pronouns and verbs that make a short line a sentence rather than a title.
_SENTENCE_WORDS = frozenset(
    "ik we wij u zij hij het dat dit er is zijn was waren wordt worden werd heeft hebben had "
    "kan kunnen zal zullen moet moeten gaat gaan ziet zien blijkt geeft komt staat".split()
)


def tentative_heading(text: str, hard: bool) -> bool:
    """``Financiën Wijkenaanpak.``: a very short line that may be a heading with a period.

    Whether it is one depends on what follows (see :func:`promote_headings`).
    """
    t = text.strip()
    words = t.split()
    if not hard or not t.endswith(".") or t.endswith("..") or not 1 <= len(words) <= 5:
        return False
    if not t[0].isupper() or any(ch in t[:-1] for ch in ".,;:!?") or is_list_start(t):
        return False
    return not any(word.lower().strip(".") in _SENTENCE_WORDS for word in words)


def _enum_heading(text: str, nxt: str | None) -> bool:
    """``a) Projectencarrousel`` followed by body text (not by ``b)``) is a subheading."""
    t = text.strip()
    if len(t) > 70 or t[-1] in ".,;:?!" or is_list_start(nxt or ""):
        return False
    if CHAPTER_RE.match(t) and is_strong_heading(t):
        return nxt is None or not starts_lower(nxt)
    return nxt is not None and bool(first_letter(nxt)) and first_letter(nxt).isupper()


def is_list_start(text: str) -> bool:
    """True if the line starts with a bullet or an enumerator."""
    t = text.strip()
    return bool(BULLET_RE.match(t) or DASH_RE.match(t) or ENUM_RE.match(t))


def _starts_block(text: str) -> bool:
    letter = first_letter(text)
    return (bool(letter) and letter.isupper()) or is_list_start(text)


class _ChunkSplitter:
    """Split one chunk (consecutive non-blank lines) into units."""

    def __init__(self, hard: bool, width: int) -> None:
        self.hard = hard
        self.width = width
        self.units: list[Unit] = []
        self.cur: Unit | None = None

    def _flush(self) -> None:
        if self.cur is not None:
            self.units.append(self.cur)
            self.cur = None

    def _new(self, kind: str, line: str, index: int, page: bool, marker: str = "") -> None:
        self._flush()
        self.cur = Unit(kind, [line], index, marker=marker, page_start=page)

    def _heading(self, line: str, index: int, page: bool, md_level: int = 0) -> None:
        self._flush()
        self.units.append(Unit("heading", [line], index, md_level=md_level, page_start=page))

    def _short(self, text: str) -> bool:
        return not self.hard or len(text) <= 0.7 * self.width

    def _para_break(self, prev: str, text: str) -> bool:
        if not self.hard:
            return ends_sentence_strict(prev) or not (
                starts_lower(text) or ends_with_connector(prev)
            )
        if not ends_sentence_strict(prev) or starts_lower(text):
            return False
        return len(prev) < 0.8 * self.width or bool(NAME_LEAD_RE.match(text))

    def split(self, chunk: list[str], start: int) -> list[Unit]:
        """Units of ``chunk`` whose first line has index ``start``."""
        count = len(chunk)
        for k, raw in enumerate(chunk):
            text = raw.strip()
            page = raw[:1].isspace()
            prev = chunk[k - 1].strip() if k else None
            nxt = chunk[k + 1].strip() if k + 1 < count else None
            prev_heading = (
                bool(self.units) and self.cur is None and self.units[-1].kind == "heading"
            )
            in_list = self.cur is not None and self.cur.kind == "item"
            index = start + k
            md = MD_RE.match(text)
            if md:
                self._heading(md.group(2), index, page, md_level=len(md.group(1)))
                continue
            if CAPTION_RE.match(text):
                if self.cur is not None and self.cur.kind == "caption" and NOTE_RE.match(text):
                    self.cur.breaks.add(len(self.cur.lines))
                    self.cur.lines.append(text)
                else:
                    self._new("caption", text, index, page)
                continue
            if self._list_item(text, prev, nxt, in_list, prev_heading, index, page):
                continue
            if self._is_heading(text, k, count, prev, nxt, page, prev_heading):
                self._heading(text, index, page)
                continue
            if self.cur is None or prev is None:
                self._new("para", text, index, page)
                assert self.cur is not None
                self.cur.tentative = count == 1 and tentative_heading(text, self.hard)
            elif self.cur.kind == "item":
                if self._item_ends(prev, text):
                    self._new("para", text, index, page)
                else:
                    self.cur.lines.append(text)
            elif self.cur.kind == "caption" and NOTE_RE.match(text):
                self.cur.breaks.add(len(self.cur.lines))
                self.cur.lines.append(text)
            elif self._para_break(prev, text):
                self._new("para", text, index, page)
            else:
                self.cur.lines.append(text)
        self._flush()
        for unit in self.units:
            unit.width = max((len(line.rstrip()) for line in unit.lines), default=0)
        return self.units

    def _list_item(
        self,
        text: str,
        prev: str | None,
        nxt: str | None,
        in_list: bool,
        prev_heading: bool,
        index: int,
        page: bool,
    ) -> bool:
        bullet = BULLET_RE.match(text)
        if bullet:
            self._new("item", bullet.group(2), index, page)
            return True
        opened = prev is None or prev_heading or ends_sentence_strict(prev)
        dash = DASH_RE.match(text)
        if dash and (in_list or opened):
            self._new("item", dash.group(2), index, page)
            return True
        soft = SOFT_BULLET_RE.match(text)
        if soft:
            o_run = soft.group(1) == "o" and bool(SOFT_BULLET_RE.match(nxt or ""))
            if in_list or (prev or "").endswith(":") or o_run:
                self._new("item", soft.group(2), index, page)
                return True
        enum = ENUM_RE.match(text)
        if not enum:
            return False
        if in_list:
            self._new("item", text, index, page, marker=enum.group(1))
            return True
        if opened or (prev or "").endswith(","):
            if _enum_heading(text, nxt) and (heading_like(text, self.hard) or self._short(text)):
                self._heading(text, index, page)
            else:
                self._new("item", text, index, page, marker=enum.group(1))
            return True
        return False

    def _is_heading(
        self,
        text: str,
        k: int,
        count: int,
        prev: str | None,
        nxt: str | None,
        page: bool,
        prev_heading: bool,
    ) -> bool:
        if not heading_like(text, self.hard):
            return False
        if k == 0:
            if count == 1:
                return True
            assert nxt is not None
            return self._short(text) and _starts_block(nxt) and not ends_with_connector(text)
        assert prev is not None
        last = k == count - 1
        if is_strong_heading(text) and (last or page):
            return True
        if not (prev_heading or ends_sentence_strict(prev)):
            return False
        if last:
            return True
        assert nxt is not None
        return (page or prev_heading) and _starts_block(nxt) and self._short(text)

    def _item_ends(self, prev: str, text: str) -> bool:
        if not self.hard:
            return ends_sentence_strict(prev) or not starts_lower(text)
        if not ends_sentence_strict(prev) or starts_lower(text):
            return False
        return len(prev) < 0.8 * self.width


def split_units(
    lines: list[str], tables: dict[int, tuple[int, Block]], hard: bool, width: int
) -> list[Unit]:
    """Cut ``lines`` into units; ``tables`` maps a start index to ``(end, table block)``."""
    units: list[Unit] = []
    i = 0
    n = len(lines)
    while i < n:
        if i in tables:
            end, block = tables[i]
            units.append(Unit("table", [], i, block=block))
            i = max(end, i + 1)
            continue
        if is_blank(lines[i]):
            i += 1
            continue
        j = i
        while j < n and not is_blank(lines[j]) and j not in tables:
            j += 1
        units.extend(_ChunkSplitter(hard, width).split(lines[i:j], i))
        i = j
    return units


def _continues(prev: Unit, unit: Unit) -> bool:
    """True if ``unit`` is the rest of ``prev``, cut off by a page break or footnotes."""
    if prev.kind not in ("para", "item", "caption") or ends_sentence_strict(prev.last):
        return False
    if unit.kind == "heading":
        # A "heading" under an unfinished paragraph is usually its last line,
        # moved below a page break: join it unless its wording alone says heading.
        if prev.kind == "caption" or unit.md_level or is_strong_heading(unit.first):
            return False
        return ends_with_connector(prev.last) or unit.first.endswith((".", "!", "?"))
    if unit.kind != "para":
        return False
    if starts_lower(unit.first):
        return True
    return prev.kind != "caption" and ends_with_connector(prev.last)


def merge_units(units: list[Unit]) -> list[Unit]:
    """Rejoin units split by page breaks, footnote blocks and blank lines.

    A paragraph or list item that does not end a sentence absorbs the next
    paragraph when that starts in lower case (or when the first ends in a
    comma or a word that cannot end a sentence).  A caption absorbs the
    ``Bron:`` or ``* note`` lines below it.  A ``Bijlage N`` heading absorbs
    the title line under it.
    """
    out: list[Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if prev is not None and _heading_was_sentence(prev, unit):
            prev.kind = "para"
        if prev is not None and _continues(prev, unit):
            prev.lines.extend(unit.lines)
            prev.width = max(prev.width, unit.width)
            continue
        if (
            prev is not None
            and prev.kind == "caption"
            and ((unit.kind in ("para", "caption")) and NOTE_RE.match(unit.first))
        ):
            prev.breaks.add(len(prev.lines))
            prev.breaks.update(len(prev.lines) + b for b in unit.breaks)
            prev.lines.extend(unit.lines)
            continue
        if (
            prev is not None
            and prev.kind == "heading"
            and unit.kind == "heading"
            and not prev.md_level
            and _bare_bijlage(prev.first)
            and not is_strong_heading(unit.first)
            and not unit.first.endswith((".", ":", ","))
        ):
            prev.lines = [f"{prev.first}: {unit.first}"]
            continue
        out.append(unit)
    return out


def _heading_was_sentence(prev: Unit, unit: Unit) -> bool:
    """A heading-shaped line followed by lower-case text was the start of a sentence."""
    if prev.kind != "heading" or prev.md_level or unit.kind != "para":
        return False
    if is_strong_heading(prev.first) or ENUM_RE.match(prev.first):
        return False
    return starts_lower(unit.first) and not ends_sentence_strict(prev.last)


def _bare_bijlage(text: str) -> bool:
    match = BIJLAGE_RE.match(text)
    return bool(match) and not match.group(1).strip()


def promote_headings(units: list[Unit]) -> list[Unit]:
    """Make a tentative one-line paragraph a heading when a full paragraph follows it.

    ``Financiën Wijkenaanpak.`` between blank lines, after a finished
    paragraph or a heading and before a paragraph of several lines, is a
    heading; ``Tekst.`` at the end of a short text is not.
    """
    for i, unit in enumerate(units):
        if not unit.tentative or unit.kind != "para" or i + 1 >= len(units):
            continue
        before = units[i - 1] if i else None
        after = units[i + 1]
        if after.kind != "para" or len(after.lines) < 2 or not _starts_block(after.first):
            continue
        if before is None or before.kind == "heading" or ends_sentence_strict(before.last):
            unit.kind = "heading"
    return units
