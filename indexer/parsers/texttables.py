"""Tables in PDF-extracted plain text.

Recognised layouts, each turned into a table :class:`~kennisbank.model.Block`:

* tab-separated rows (possibly interrupted by blank lines at page breaks);
* cross matrices: ``Gemeente X  X`` rows under a stacked column header;
* space-separated number rows (``1 5 9 6 8``) under a header of ranges;
* a single line laid out in columns separated by wide gaps.

The caption is the short line just above the table (``Tabel: ...`` or a title
line); ``Bron: ...`` and ``*)`` notes just below are appended to the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parsers.textrepair import collapse_spaces, is_blank
from kennisbank.model import Block

_X_ROW_RE = re.compile(
    r"^\s*(?P<name>[A-Z][^\t]*?[a-zà-ÿ.)])\s+(?P<rest>(?:X|\*\))(?:\s+(?:X|\*\)))*)$"
)


def _x_row(line: str) -> re.Match[str] | None:
    """``_X_ROW_RE.match(line)``, skipping the regex (a scan of the whole line) when the
    line cannot end in ``X`` or ``*)``."""
    if not line.rstrip("\n").endswith(("X", "*)")):
        return None
    return _X_ROW_RE.match(line)


_NUM_TOKEN_RE = re.compile(r"^\d+(?:[.,]\d+)?%?(?:-(?:\d+(?:[.,]\d+)?%?)?)?$")
_ROW_NUMBER_RE = re.compile(r"^\d{1,3}\.$")
_LIST_START_RE = re.compile(r"^\s*(?:[•�▪◦\-–]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")
_NOTE_START_RE = re.compile(r"^\s*(?:Bron|bron|Noot|\*\)|\*\s)")
_WIDE_GAP_RE = re.compile(r"\s{4,}")


@dataclass
class TableRegion:
    """A table found in the lines: ``lines[start:end]`` are consumed by it."""

    start: int
    end: int
    block: Block


def make_table(rows: list[list[str]], caption: str = "", note: str = "") -> Block:
    """Build a table block: ``text`` is the caption, one line per row, then the note."""
    clean_rows = [[collapse_spaces(cell) for cell in row] for row in rows]
    parts = [caption] if caption else []
    parts.extend(" | ".join(row) for row in clean_rows)
    if note:
        parts.append(note)
    return Block(kind="table", text="\n".join(parts), rows=clean_rows, caption=caption)


def _is_caption(line: str) -> bool:
    text = line.strip()
    if not text or "\t" in text or len(text) > 120:
        return False
    if text[-1] in ".;,:" or _LIST_START_RE.match(line) or _NOTE_START_RE.match(line):
        return False
    return not _x_row(line)


def _caption_above(lines: list[str], start: int, used: set[int]) -> tuple[str, int]:
    """The caption line above ``start`` (skipping up to two blank lines) and its index."""
    i = start - 1
    skipped = 0
    while i >= 0 and is_blank(lines[i]) and skipped < 3:
        i -= 1
        skipped += 1
    if i >= 0 and i not in used and _is_caption(lines[i]):
        return collapse_spaces(lines[i]), i
    return "", start


def _note_below(lines: list[str], end: int) -> tuple[str, int]:
    """A ``Bron:``/``*)`` note below ``end`` and the index just after it."""
    i = end
    skipped = 0
    while i < len(lines) and is_blank(lines[i]) and skipped < 3:
        i += 1
        skipped += 1
    if i >= len(lines) or not _NOTE_START_RE.match(lines[i]) or "\t" in lines[i]:
        return "", end
    parts: list[str] = []
    while i < len(lines) and not is_blank(lines[i]) and "\t" not in lines[i]:
        parts.append(lines[i].strip())
        i += 1
    return collapse_spaces(" ".join(parts)), i


def _tab_tables(lines: list[str], used: set[int]) -> list[TableRegion]:
    regions: list[TableRegion] = []
    i = 0
    while i < len(lines):
        if "\t" not in lines[i] or i in used:
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(lines):
            if "\t" in lines[j]:
                last = j
                j += 1
                continue
            k = j
            while k < len(lines) and is_blank(lines[k]) and k - j < 3:
                k += 1
            if k < len(lines) and k > j and "\t" in lines[k]:
                j = k
                continue
            break
        rows = []
        for line in lines[i : last + 1]:
            if "\t" in line:
                cells = [cell.strip() for cell in line.split("\t")]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
        width = len(rows[0])
        for r, row in enumerate(rows):
            if len(row) == width + 1 and _ROW_NUMBER_RE.match(row[0]) and len(row) > 1:
                rows[r] = [f"{row[0]} {row[1]}", *row[2:]]
        caption, start = _caption_above(lines, i, used)
        note, end = _note_below(lines, last + 1)
        regions.append(TableRegion(start, end, make_table(rows, caption, note)))
        i = end
    return regions


def _stacked_header(header_lines: list[str]) -> list[str]:
    """Cells of a header whose wrapped cells continue on lines of one word."""
    cells: list[str] = []
    for line in header_lines:
        tokens = line.split()
        if len(tokens) == 1 and cells:
            joiner = "" if cells[-1].endswith("-") else " "
            cells[-1] = f"{cells[-1]}{joiner}{tokens[0]}"
        else:
            cells.extend(tokens)
    return cells


def _x_tables(lines: list[str], used: set[int]) -> list[TableRegion]:
    regions: list[TableRegion] = []
    i = 0
    while i < len(lines):
        if i in used or not _x_row(lines[i]):
            i += 1
            continue
        row_idx = [i]
        j = i + 1
        while j < len(lines) and (is_blank(lines[j]) or _x_row(lines[j])):
            if not is_blank(lines[j]):
                row_idx.append(j)
            elif j + 1 < len(lines) and is_blank(lines[j + 1]):
                break
            j += 1
        if len(row_idx) < 3:
            i += 1
            continue
        parsed: list[tuple[str, list[str]]] = []
        for r in row_idx:
            match = _x_row(lines[r])
            assert match is not None
            parsed.append((match.group("name").strip(), match.group("rest").split(" ")))
        ncols = max(len(cells) for _, cells in parsed)
        header_idx: list[int] = []
        h = i - 1
        while h >= 0 and len(header_idx) < 6:
            text = lines[h].strip()
            if not text:
                h -= 1
                continue
            if len(text) > 40 or text[-1] in ".:;" or h in used:
                break
            header_idx.insert(0, h)
            h -= 1
        header = _stacked_header([lines[k] for k in header_idx])
        rows = [[name, *(cells + [""] * ncols)[:ncols]] for name, cells in parsed]
        caption = ""
        if len(header) == ncols:
            rows.insert(0, ["", *header])
        elif header:
            caption = collapse_spaces(" ".join(lines[k] for k in header_idx))
        start = header_idx[0] if header_idx else i
        note, end = _note_below(lines, row_idx[-1] + 1)
        regions.append(TableRegion(start, end, make_table(rows, caption, note)))
        i = end
    return regions


def _numeric_tokens(line: str) -> list[str] | None:
    tokens = line.split()
    if tokens and all(_NUM_TOKEN_RE.match(tok) for tok in tokens):
        return tokens
    return None


def _numeric_tables(lines: list[str], used: set[int]) -> list[TableRegion]:
    regions: list[TableRegion] = []
    i = 0
    while i < len(lines):
        tokens = _numeric_tokens(lines[i]) if i not in used else None
        if not tokens or len(tokens) < 4:
            i += 1
            continue
        rows: list[list[str]] = [["", *tokens]]
        pending: list[str] = []
        last = i
        j = i + 1
        while j < len(lines) and j not in used:
            text = lines[j].strip()
            if not text:
                j += 1
                continue
            more = _numeric_tokens(text)
            if more and len(more) == 1 and rows[-1][-1].endswith("-") and not pending:
                rows[-1][-1] += more[0]
                last = j
            elif more:
                rows.append([" ".join(pending), *more])
                pending = []
                last = j
            elif len(text) <= 30 and len(text.split()) <= 3 and text[-1] not in ".:;,":
                pending.append(text)
            else:
                break
            j += 1
        if len(rows) < 2:
            i += 1
            continue
        caption, start = _caption_above(lines, i, used)
        note, end = _note_below(lines, last + 1)
        regions.append(TableRegion(start, end, make_table(rows, caption, note)))
        i = end
    return regions


def _column_lines(lines: list[str], used: set[int]) -> list[TableRegion]:
    """Single lines laid out in columns (``De griffier,      De voorzitter,``)."""
    regions: list[TableRegion] = []
    for i, line in enumerate(lines):
        text = line.strip()
        if i in used or not text or "\t" in text:
            continue
        cells = _WIDE_GAP_RE.split(text)
        if len(cells) < 2 or any(len(cell) > 40 for cell in cells) or text[-1] in ".?!":
            continue
        alone = (i == 0 or is_blank(lines[i - 1])) and (
            i + 1 >= len(lines) or is_blank(lines[i + 1])
        )
        if alone:
            regions.append(TableRegion(i, i + 1, make_table([cells])))
    return regions


def find_tables(lines: list[str]) -> list[TableRegion]:
    """All tables in ``lines``, in document order, without overlaps."""
    used: set[int] = set()
    found: list[TableRegion] = []
    for finder in (_tab_tables, _x_tables, _numeric_tables, _column_lines):
        for region in finder(lines, used):
            span = set(range(region.start, region.end))
            if span & used:
                continue
            used |= span
            found.append(region)
    found.sort(key=lambda r: r.start)
    return found
