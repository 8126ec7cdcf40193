"""Parser for PDF-extracted plain text (``.txt``) and markdown-ish text (``.md``).

:func:`parse_text` turns the text into ordered :class:`~kennisbank.model.Block`
objects.  It repairs the text (joins hard-wrapped lines, undoes end-of-line
hyphenation using a corpus vocabulary, drops page numbers and running
headers, rejoins paragraphs split by page breaks or footnote blocks), finds
the structure (title, chapters, sections, boxes, experiments, appendices,
good-practice blocks), links footnotes to the paragraphs that cite them and
recognises lists and tables.  Line-level helpers live in
:mod:`indexer.parsers.textrepair`, footnotes in :mod:`indexer.parsers.textnotes`,
tables in :mod:`indexer.parsers.texttables` and the cutting into units in
:mod:`indexer.parsers.textunits`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from pathlib import PurePath

from indexer.parsers.textnotes import Footnote, cited_labels, extract_footnotes
from indexer.parsers.textrepair import (
    build_vocabulary,
    clean_inline,
    collapse_spaces,
    hyphen_prefixes,
    is_blank,
    join_lines,
    remove_page_numbers,
    remove_running_lines,
)
from indexer.parsers.texttables import find_tables
from indexer.parsers.textunits import (
    BIJLAGE_RE,
    BOX_RE,
    CHAPTER_RE,
    ENUM_RE,
    EXPERIMENT_RE,
    PLAINNUM_RE,
    SUBNUM_RE,
    Unit,
    is_strong_heading,
    merge_units,
    promote_headings,
    split_units,
)
from kennisbank.model import Block, ParsedDocument

__all__ = ["build_vocabulary", "parse_text"]

#: Unnumbered headings that open or close a document at chapter level.
CHAPTER_WORDS = frozenset(
    {
        "inleiding",
        "voorwoord",
        "samenvatting",
        "tot slot",
        "ten slotte",
        "tenslotte",
        "conclusie",
        "conclusies",
        "slotbeschouwing",
        "afsluiting",
        "nawoord",
    }
)
_PLACE_LEAD_RE = re.compile(r"^[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}\s*[:,]\s+\S")
_LID_RE = re.compile(
    r"^(?:Eerste|Tweede|Derde|Vierde|Vijfde|Zesde|Zevende|Achtste|Negende|Tiende) lid$|"
    r"^Onderdeel [a-z]$",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
#: How much wider than body text a box paragraph is (hard-wrapped text only).
_BOX_EXTRA_WIDTH = 7


def _prepare(text: str) -> tuple[list[str], list[str], list[int]]:
    """Split into raw and cleaned lines; return them with the page-break positions."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw: list[str] = []
    page_breaks: list[int] = []
    for piece in text.split("\n"):
        if "\f" in piece:
            page_breaks.append(len(raw))
            parts = piece.split("\f")
            for part in parts[:-1]:
                if part.strip():
                    raw.append(part)
                raw.append("")
            piece = parts[-1]
        raw.append(piece)
    lines = [clean_inline(line).rstrip() for line in raw]
    lines = [line.replace("\u00a0", " ") for line in lines]
    page_breaks.extend(remove_page_numbers(lines))
    remove_running_lines(lines, page_breaks)
    return raw, lines, page_breaks


def _layout(lines: list[str]) -> tuple[bool, int]:
    """Whether the text is hard-wrapped, and its typical line width."""
    lengths = [len(line.strip()) for line in lines if line.strip() and "\t" not in line]
    long_lines = [n for n in lengths if n >= 40]
    if not long_lines:
        return True, 80
    very_long = sum(1 for n in long_lines if n > 200)
    hard = very_long * 10 < len(long_lines)
    width = int(statistics.median(long_lines)) if long_lines else 80
    return hard, max(width, 40)


def _chunk_width(units: list[Unit], fallback: int) -> int:
    """Median width of multi-line paragraphs: the body text width."""
    widths = [u.width for u in units if u.kind == "para" and len(u.lines) >= 3]
    return int(statistics.median(widths)) if widths else fallback


class _Outline:
    """Assigns heading levels and roles while walking through the document."""

    def __init__(self, hard: bool, body_width: int) -> None:
        self.hard = hard
        self.body_width = body_width
        self.chapter_seen = False
        self.last_chapter = 0
        self.base = 0
        self.parent = 0
        self.box_level: int | None = None

    def _container(self, level: int, role: str) -> tuple[int, str]:
        self.base = level
        self.parent = level
        self.box_level = None
        if level == 1:
            self.chapter_seen = True
        return level, role

    def _boxed(self, role: str) -> tuple[int, str]:
        level = self.base + 1
        self.parent = level
        self.box_level = level
        return level, role

    def _sub(self) -> tuple[int, str]:
        return self.parent + 1, "subheading"

    def _section(self) -> tuple[int, str]:
        return self._container(2 if self.chapter_seen else 1, "section")

    def place(self, unit: Unit, text: str, following: list[Unit]) -> tuple[int, str]:
        """Level and role of the heading ``text``; ``following`` are the units after it."""
        if unit.md_level:
            return self._markdown(unit.md_level, text)
        if BOX_RE.match(text):
            return self._boxed("box")
        if EXPERIMENT_RE.match(text):
            return self._boxed("experiment")
        if BIJLAGE_RE.match(text):
            return self._container(1, "bijlage")
        if SUBNUM_RE.match(text):
            return self._container(2, "section")
        numbered = self._numbered(text)
        if numbered is not None:
            return numbered
        if ENUM_RE.match(text) or _LID_RE.match(text):
            return self._sub()
        if text.lower().rstrip(",:.") in CHAPTER_WORDS:
            return self._container(1, "chapter")
        if _PLACE_LEAD_RE.match(text) or self._wide_box(following):
            return self._boxed("praktijkvoorbeeld")
        return self._section()

    def _numbered(self, text: str) -> tuple[int, str] | None:
        chapter = CHAPTER_RE.match(text)
        plain = PLAINNUM_RE.match(text)
        match = chapter or plain
        if match is None:
            return None
        number = int(match.group(1))
        ellipsis = "..." in text[:8] or "…" in text[:8]
        dotted = chapter is not None and not ellipsis
        next_chapter = number == self.last_chapter + 1
        if ellipsis or (dotted and next_chapter and is_strong_heading(text)):
            self.last_chapter = number
            return self._container(1, "chapter")
        if self.box_level is not None:
            # Numbered points inside a box ("1 is wijkgericht") belong to the box.
            return self.box_level + 1, "subheading"
        if next_chapter and not dotted:
            self.last_chapter = number
            return self._container(1, "chapter")
        return self._sub()

    def _wide_box(self, following: list[Unit]) -> bool:
        """True if the text under a heading is set wider than body text (a box)."""
        if not self.hard:
            return False
        seen = 0
        for unit in following:
            if unit.kind == "heading" or seen >= 2:
                return False
            if unit.kind != "para":
                continue
            seen += 1
            if len(unit.lines) >= 2 and unit.width >= self.body_width + _BOX_EXTRA_WIDTH:
                return True
            if len(unit.lines) >= 3:
                return False
        return False

    def _markdown(self, level: int, text: str) -> tuple[int, str]:
        for pattern, role in ((BOX_RE, "box"), (EXPERIMENT_RE, "experiment")):
            if pattern.match(text):
                self.parent = level
                self.box_level = level
                return level, role
        if BIJLAGE_RE.match(text):
            return self._container(level, "bijlage")
        if level == 1:
            return self._container(1, "chapter")
        if level == 2:
            return self._container(2, "section")
        self.parent = level
        return level, "subheading"


def _heading_text(unit: Unit) -> str:
    text = collapse_spaces(" ".join(line.strip() for line in unit.lines))
    if text.endswith(",") or (text.endswith(".") and not text.endswith("..")):
        text = text[:-1].rstrip()
    return text


def _find_title(units: list[Unit], lines: list[str]) -> int | None:
    """Index of the unit that is the document title, if the text opens with one."""
    if len(units) < 2 or units[0].kind != "heading":
        return None
    first = units[0]
    if any(not is_blank(line) for line in lines[: first.start]):
        return None
    text = _heading_text(first)
    if first.md_level:
        return 0 if first.md_level == 1 else None
    if is_strong_heading(text) or PLAINNUM_RE.match(text) or ENUM_RE.match(text):
        return None
    if text.lower() in CHAPTER_WORDS or len(text) > 120:
        return None
    return 0


def _title_from_name(name: str, body: str) -> str:
    """The document's name as the text itself writes it, if it does."""
    if not name:
        return ""
    stem = PurePath(name).name
    for suffix in (".txt", ".md", ".markdown"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    words = [w for w in re.split(r"[-_\s]+", stem) if w]
    if len(words) < 2:
        return ""
    pattern = r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\b"
    match = re.search(pattern, body, re.IGNORECASE)
    return collapse_spaces(match.group(0)) if match else ""


class _BlockBuilder:
    """Turns units into blocks and places footnotes after their citing blocks."""

    def __init__(self, vocab: set[str], notes: list[Footnote]) -> None:
        self.vocab = vocab
        self.prefixes = hyphen_prefixes(vocab)
        self.notes = {note.label: note for note in notes}
        self.blocks: list[Block] = []
        self.starts: list[int] = []
        self.emitted: set[str] = set()

    def join(self, lines: list[str]) -> str:
        return join_lines(lines, self.vocab, self.prefixes)

    def add(self, block: Block, start: int) -> None:
        texts = [block.text, *block.items, *(cell for row in block.rows for cell in row)]
        for label in cited_labels(" ".join(texts), self.notes):
            if label not in block.notes:
                block.notes.append(label)
        self.blocks.append(block)
        self.starts.append(start)
        for label in block.notes:
            if label not in self.emitted:
                self.emitted.add(label)
                self.blocks.append(self._note_block(label))
                self.starts.append(start)

    def _note_block(self, label: str) -> Block:
        return Block(kind="footnote", text=self.join(self.notes[label].lines), label=label)

    def place_orphans(self) -> list[str]:
        warnings: list[str] = []
        for label, note in self.notes.items():
            if label in self.emitted:
                continue
            warnings.append(f"voetnoot {label}: niet geciteerd in de tekst")
            index = sum(1 for s in self.starts if s <= note.line)
            self.blocks.insert(index, self._note_block(label))
            self.starts.insert(index, note.line)
            self.emitted.add(label)
        return warnings


def _table_caption_from(previous: Block | None) -> str:
    """The sentence of the preceding paragraph that announces a caption-less table."""
    if previous is None or previous.kind != "paragraph" or previous.role:
        return ""
    sentences = re.split(r"(?<=[.:;!?])\s+", previous.text)
    for sentence in reversed(sentences):
        if re.search(r"\btabel(len)?\b", sentence, re.IGNORECASE):
            return sentence.strip()
    return ""


def _unit_blocks(
    units: list[Unit], builder: _BlockBuilder, outline: _Outline, title: int | None
) -> Iterator[tuple[Block, int]]:
    """Yield ``(block, start_line)`` for every unit, grouping list items into lists."""
    previous: Block | None = None
    for block, start in _raw_unit_blocks(units, builder, outline, title):
        if block.kind == "table" and not block.caption:
            caption = _table_caption_from(previous)
            if caption:
                block.caption = caption
                block.text = f"{caption}\n{block.text}"
        previous = block
        yield block, start


def _raw_unit_blocks(
    units: list[Unit], builder: _BlockBuilder, outline: _Outline, title: int | None
) -> Iterator[tuple[Block, int]]:
    """Convert units one by one; consecutive list items become one list block."""
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "item":
            items: list[str] = []
            while i < len(units) and units[i].kind == "item":
                items.append(builder.join(units[i].lines))
                i += 1
            text = "\n".join(f"• {item}" for item in items)
            yield Block(kind="list", text=text, items=items), unit.start
            continue
        i += 1
        if unit.kind == "table" and unit.block is not None:
            yield unit.block, unit.start
        elif unit.kind == "heading":
            text = _heading_text(unit)
            if i - 1 == title:
                yield Block(kind="heading", text=text, level=0, role="title"), unit.start
                continue
            level, role = outline.place(unit, text, units[i : i + 6])
            yield Block(kind="heading", text=text, level=level, role=role), unit.start
        elif unit.kind == "caption":
            parts: list[list[str]] = [[]]
            for n, line in enumerate(unit.lines):
                if n in unit.breaks and parts[-1]:
                    parts.append([])
                parts[-1].append(line)
            text = "\n".join(builder.join(part) for part in parts)
            yield Block(kind="paragraph", text=text, role="caption"), unit.start
        else:
            yield Block(kind="paragraph", text=builder.join(unit.lines)), unit.start


def parse_text(text: str, *, vocabulary: set[str] | None = None, name: str = "") -> ParsedDocument:
    """Parse PDF-extracted or markdown-ish plain text into a :class:`ParsedDocument`.

    ``vocabulary`` is the set of lower-case words of the whole corpus (see
    :func:`build_vocabulary`); it decides whether an end-of-line hyphen is
    kept (``leer-werkplekken``) or removed (``verbeteringen``).  Without it the
    document's own words are used.  ``name`` (a file name) is only used to
    recognise the title when the text has no title line but names itself.
    """
    text = text or ""
    vocab = vocabulary if vocabulary is not None else build_vocabulary([text])
    raw, lines, _ = _prepare(text)
    notes, warnings = extract_footnotes(lines, raw)
    tables = {region.start: (region.end, region.block) for region in find_tables(lines)}
    hard, width = _layout(lines)
    units = merge_units(promote_headings(split_units(lines, tables, hard, width)))
    outline = _Outline(hard, _chunk_width(units, width))
    title_index = _find_title(units, lines)
    builder = _BlockBuilder(vocab, notes)
    for block, start in _unit_blocks(units, builder, outline, title_index):
        builder.add(block, start)
    warnings.extend(builder.place_orphans())
    blocks = [b for b in builder.blocks if b.text or b.rows or b.items]

    title = next((b.text for b in blocks if b.kind == "heading" and b.role == "title"), "")
    metadata: dict[str, int] = {}
    if not title:
        title = _title_from_name(name, collapse_spaces(" ".join(lines)))
    if title:
        year = _YEAR_RE.search(title)
        if year:
            metadata["year"] = int(year.group(1))
    else:
        title = next((b.text for b in blocks if b.kind == "heading"), "")
    return ParsedDocument(title=title, blocks=blocks, metadata=metadata, warnings=warnings)
