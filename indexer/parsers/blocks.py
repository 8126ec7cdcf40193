"""Building blocks every structured parser (HTML, XML, Markdown) writes through.

:class:`BlockSink` collects :class:`~kennisbank.model.Block` objects in document order;
:func:`clean_text` normalises the gathered text, turning :data:`INLINE_MARK` element
boundaries into a space where one is needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from kennisbank.model import Block

__all__ = ["BlockSink", "INLINE_MARK", "clean_text"]

#: Marks an element boundary in gathered text; :func:`clean_text` turns it into
#: a space where one is needed between words and drops it elsewhere.
INLINE_MARK = "\ue000"
_OPENING = "([{„“‘'\"\n"
_CLOSING = ")]},.;:!?'\"”’"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BOUNDARY = re.compile(f"[ {INLINE_MARK}]*{INLINE_MARK}[ {INLINE_MARK}]*")


def clean_text(text: str) -> str:
    """Collapse whitespace, resolve :data:`INLINE_MARK` boundaries, NFC-normalise."""
    text = re.sub(r"\s+", " ", text)

    def boundary(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or not after or after in _CLOSING or before in _OPENING:
            return ""
        return " "

    text = _BOUNDARY.sub(boundary, text)
    return unicodedata.normalize("NFC", text.strip())


class BlockSink:
    """Collects :class:`Block` objects in document order, dropping empty ones."""

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.blocks: list[Block] = []
        self.metadata: dict[str, Any] = {} if metadata is None else metadata
        self.has_title = False

    @staticmethod
    def marker(label: str) -> str:
        """The in-text marker of footnote ``label`` (superscript digits)."""
        return label.translate(_SUPERSCRIPT) if label.isdigit() else label

    def heading(self, text: str, level: int, role: str) -> None:
        """Add a heading; ``role='title'`` is used once per document."""
        text = clean_text(text)
        if not text:
            return
        if role == "title":
            self.has_title = True
        elif text.lower().startswith("bijlage"):
            role = "bijlage"
        self.blocks.append(Block("heading", text, level=max(1, min(level, 6)), role=role))

    def paragraph(self, text: str, notes: Iterable[str] = ()) -> None:
        """Add a paragraph citing the footnotes ``notes``."""
        text = clean_text(text)
        if text:
            self.blocks.append(Block("paragraph", text, notes=list(notes)))

    def list(self, items: Iterable[str]) -> None:
        """Add a list block."""
        items = [clean_text(i).lstrip("•▪◦·● ") for i in items]
        items = [i for i in items if i]
        if items:
            self.blocks.append(Block("list", "\n".join(f"• {i}" for i in items), items=items))

    def table(self, rows: list[list[str]], caption: str = "") -> None:
        """Add a table; without a caption the preceding heading is used."""
        rows = [[clean_text(c) for c in row] for row in rows]
        rows = [row for row in rows if any(row)]
        if not rows:
            return
        caption = clean_text(caption)
        if not caption:
            last = next((b for b in reversed(self.blocks) if b.kind == "heading"), None)
            caption = last.text if last else ""
        lines = ([caption] if caption else []) + [" | ".join(row) for row in rows]
        self.blocks.append(Block("table", "\n".join(lines), rows=rows, caption=caption))

    def footnote(self, label: str, text: str) -> None:
        """Add a footnote body."""
        text = clean_text(text)
        if text:
            self.blocks.append(Block("footnote", text, label=clean_text(label)))
