"""Footnotes in PDF-extracted plain text.

Two layouts are recognised:

* superscript footnotes (``¹ Tweede Kamer, ...`` on a line of its own), cited
  in the text with the same superscript (``Vernieuwing¹``);
* plain-digit footnotes at the foot of a page, below a separator line of
  spaces or underscores (``1 Een aantal gemeenten ...``), cited in the text
  by a digit glued to a word or punctuation (``gemeenten1``).  Those markers
  are converted to superscripts so the text reads ``gemeenten¹``.

Footnote lines are blanked out of the line list; the caller places the notes
after the blocks that cite them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parsers.textrepair import (
    SUPERSCRIPT_DIGITS,
    from_superscript,
    is_blank,
    starts_lower,
    to_superscript,
)

_SUP_NOTE_RE = re.compile(rf"^\s*([{SUPERSCRIPT_DIGITS}]{{1,3}})\s+(\S.*)$")
_PLAIN_NOTE_RE = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_SEPARATOR_RE = re.compile(r"^[ \t]{20,}$|^\s*[_‗—-]{5,}\s*$")
_SUP_RUN_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")

#: How far above a page's footnote block its markers are searched for.
_MARKER_WINDOW = 80


@dataclass
class Footnote:
    """One footnote: its label, body lines and the line where it stood."""

    label: str
    lines: list[str]
    line: int


def _marker_re(label: str) -> re.Pattern[str]:
    """A plain-digit marker glued to a lower-case word or to punctuation."""
    return re.compile(
        rf"(?<=[a-zà-öø-ÿ)\]’”'\".,;:!?]){re.escape(label)}(?![0-9])(?=[\s.,;:!?)\]’”]|$)"
    )


def _superscript_notes(lines: list[str]) -> list[Footnote]:
    notes: list[Footnote] = []
    i = 0
    while i < len(lines):
        match = _SUP_NOTE_RE.match(lines[i])
        if not match:
            i += 1
            continue
        note = Footnote(from_superscript(match.group(1)), [match.group(2).strip()], i)
        lines[i] = ""
        j = i + 1
        while j < len(lines) and not is_blank(lines[j]) and starts_lower(lines[j]):
            if _SUP_NOTE_RE.match(lines[j]):
                break
            note.lines.append(lines[j].strip())
            lines[j] = ""
            j += 1
        notes.append(note)
        i = j
    return notes


def _plain_regions(lines: list[str], raw: list[str]) -> list[tuple[int, int, list[Footnote]]]:
    """Find ``(start, end, notes)`` for each separator-plus-footnotes region."""
    regions: list[tuple[int, int, list[Footnote]]] = []
    expected = 1
    i = 0
    while i < len(lines) - 1:
        first = _PLAIN_NOTE_RE.match(lines[i + 1])
        if not (_SEPARATOR_RE.match(raw[i]) and first):
            i += 1
            continue
        number = int(first.group(1))
        if number < expected or number > expected + 5:
            i += 1
            continue
        notes: list[Footnote] = []
        j = i + 1
        while j < len(lines) and not is_blank(lines[j]) and not lines[j][:1].isspace():
            match = _PLAIN_NOTE_RE.match(lines[j])
            if match and (not notes or int(match.group(1)) == int(notes[-1].label) + 1):
                notes.append(Footnote(match.group(1), [match.group(2).strip()], j))
            elif notes:
                notes[-1].lines.append(lines[j].strip())
            j += 1
        regions.append((i, j, notes))
        expected = int(notes[-1].label) + 1
        i = j
    return regions


def _link_plain_markers(lines: list[str], notes: list[Footnote], low: int, high: int) -> list[str]:
    """Turn each note's glued digit marker above ``high`` into a superscript."""
    missing: list[str] = []
    for note in notes:
        pattern = _marker_re(note.label)
        for i in range(high - 1, max(low, high - _MARKER_WINDOW) - 1, -1):
            found = list(pattern.finditer(lines[i]))
            if found:
                hit = found[-1]
                sup = to_superscript(note.label)
                lines[i] = lines[i][: hit.start()] + sup + lines[i][hit.end() :]
                break
        else:
            missing.append(note.label)
    return missing


def extract_footnotes(lines: list[str], raw: list[str]) -> tuple[list[Footnote], list[str]]:
    """Remove footnotes from ``lines`` (in place) and return them with warnings.

    ``raw`` holds the same lines before whitespace stripping (separator lines
    consist of spaces only).  Plain-digit markers are converted to
    superscripts in place.
    """
    warnings: list[str] = []
    notes = _superscript_notes(lines)
    low = 0
    for start, end, region_notes in _plain_regions(lines, raw):
        missing = _link_plain_markers(lines, region_notes, low, start)
        warnings.extend(f"voetnoot {label}: verwijzing niet gevonden" for label in missing)
        for i in range(start, end):
            lines[i] = ""
        notes.extend(region_notes)
        low = end
    notes.sort(key=lambda n: n.line)
    return notes, warnings


def cited_labels(text: str, known: set[str] | dict[str, object]) -> list[str]:
    """Labels of known footnotes cited by superscript markers in ``text``, in order."""
    labels: list[str] = []
    for match in _SUP_RUN_RE.finditer(text):
        label = from_superscript(match.group(0))
        if label in known:
            candidates = [label]
        elif all(ch in known for ch in label):
            candidates = list(label)
        else:
            continue
        labels.extend(c for c in candidates if c not in labels)
    return labels
