"""Markdown parser: ATX/setext headings, pipe tables, lists, paragraphs, front matter.

Deliberately small and forgiving: it reads the Markdown found in the corpus
(e.g. the ``laws-markdown`` regulations, whose headings lack the space after
``#`` and which start with a stray ``<meta>`` line).  Inline markup (links,
emphasis, code, HTML tags) is reduced to its text; ``[^1]`` footnote
references become superscript markers and ``[^1]: …`` definitions footnotes.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.parsers.blocks import BlockSink, clean_text
from indexer.parsers.common import normalise_date
from kennisbank.model import ParsedDocument

__all__ = ["parse_markdown", "parse_front_matter"]

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?!#)\s*(.*?)(?:\s+#+)?\s*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_HTML_LINE = re.compile(r"^\s*(<[^>]*>\s*)+$")
_NOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
_NOTE_REF = re.compile(r"\[\^([^\]]+)\]")
_INLINE_RULES = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"<!--.*?-->|</?[A-Za-z][^>]*>"), " "),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
)


def _inline(text: str) -> str:
    for pattern, repl in _INLINE_RULES:
        text = pattern.sub(repl, text)
    return clean_text(text)


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML-style front matter (simple ``key: value`` and ``- item`` lines) off ``text``."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    meta: dict[str, Any] = {}
    key = ""
    for line in match.group(1).split("\n"):
        if m := re.match(r"^([A-Za-z_][\w -]*?)\s*:\s*(.*)$", line):
            key = m.group(1).strip().lower().replace(" ", "_")
            value = m.group(2).strip().strip("\"'")
            meta[key] = value if value else []
        elif (m := re.match(r"^\s*-\s+(.*)$", line)) and key:
            if not isinstance(meta.get(key), list):
                meta[key] = [meta[key]] if meta.get(key) else []
            meta[key].append(m.group(1).strip().strip("\"'"))
    return meta, text[match.end() :]


def _split_row(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [_inline(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", line)]


class _Reader:
    def __init__(self, lines: list[str], sink: BlockSink) -> None:
        self.lines = lines
        self.sink = sink
        self.para: list[str] = []
        self.raw_levels: list[int] = []

    def flush(self) -> None:
        if not self.para:
            return
        notes: list[str] = []

        def ref(match: re.Match[str]) -> str:
            notes.append(match.group(1))
            return self.sink.marker(match.group(1))

        text = _NOTE_REF.sub(ref, " ".join(self.para))
        self.sink.paragraph(_inline(text), notes)
        self.para = []

    def heading(self, text: str, level: int) -> None:
        self.flush()
        before = len(self.sink.blocks)
        self.sink.heading(_inline(text), level, "")
        if len(self.sink.blocks) > before:
            self.raw_levels.append(len(self.sink.blocks) - 1)

    def run(self) -> None:
        lines, i = self.lines, 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not stripped:
                self.flush()
            elif fence := _FENCE.match(line):
                self.flush()
                end = next(
                    (j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence[1])),
                    len(lines),
                )
                self.sink.paragraph("\n".join(lines[i + 1 : end]))
                i = end
            elif stripped.startswith("<!--"):
                self.flush()
                while i < len(lines) and "-->" not in lines[i]:
                    i += 1
            elif _HTML_LINE.match(line):
                self.flush()
            elif m := _HEADING.match(line):
                self.heading(m.group(2), len(m.group(1)))
            elif self.para and len(self.para) == 1 and re.match(r"^\s*(=+|-+)\s*$", line):
                text = self.para.pop()
                self.heading(text, 1 if "=" in line else 2)
            elif _HR.match(line):
                self.flush()
            elif "|" in stripped and (stripped.startswith("|") or _TABLE_SEP.match(nxt)):
                i = self.table(i) - 1
            elif _ITEM.match(line):
                i = self.list(i) - 1
            elif m := _NOTE_DEF.match(stripped):
                self.flush()
                body = [m.group(2)]
                while i + 1 < len(lines) and lines[i + 1].startswith(("    ", "\t")):
                    i += 1
                    body.append(lines[i].strip())
                self.sink.footnote(m.group(1), _inline(" ".join(body)))
            else:
                self.para.append(re.sub(r"^\s*>\s?", "", stripped))
            i += 1
        self.flush()

    def table(self, i: int) -> int:
        self.flush()
        rows = []
        while i < len(self.lines) and "|" in self.lines[i]:
            if not _TABLE_SEP.match(self.lines[i]):
                rows.append(_split_row(self.lines[i]))
            i += 1
        self.sink.table(rows)
        return i

    def list(self, i: int) -> int:
        self.flush()
        items: list[str] = []
        lines = self.lines
        ordered = _ITEM.match(lines[i]).group(2)[0].isdigit()  # type: ignore[union-attr]
        while i < len(lines):
            line = lines[i]
            if m := _ITEM.match(line):
                marker = m.group(2)
                if items and not m.group(1) and marker[0].isdigit() != ordered:
                    break
                items.append(f"{marker} {m.group(3)}" if marker[0].isdigit() else m.group(3))
            elif line.strip() and not _HEADING.match(line) and "|" not in line:
                items[-1] += " " + line.strip()
            elif not line.strip():
                ahead = next((x for x in lines[i + 1 :] if x.strip()), "")
                if not _ITEM.match(ahead):
                    break
            else:
                break
            i += 1
        self.sink.list(_inline(_NOTE_REF.sub(r"\1", item)) for item in items)
        return i


def _fix_levels(blocks: list, heading_idx: list[int], title: str) -> bool:
    """Make the shallowest heading level 1; a lone first top heading becomes the title."""
    if not heading_idx:
        return False
    levels = [blocks[i].level for i in heading_idx]
    top = min(levels)
    has_title = levels[0] == top and levels.count(top) == 1 and blocks[heading_idx[0]].text == title
    rest = levels[1:] if has_title else levels
    shift = (min(rest) if rest else top) - 1
    for n, i in enumerate(heading_idx):
        block = blocks[i]
        if n == 0 and has_title:
            block.level, block.role = 1, "title"
            continue
        block.level = max(1, block.level - shift)
        if block.role != "bijlage":
            block.role = {1: "chapter", 2: "section"}.get(block.level, "subheading")
    return has_title


def parse_markdown(
    text: str, *, name: str = "", vocabulary: set[str] | None = None
) -> ParsedDocument:
    """Parse Markdown text into a :class:`ParsedDocument`.

    ``vocabulary`` is accepted for signature compatibility with the other text
    parsers and not used.  Front-matter keys land in ``metadata`` (``date`` is
    normalised to ISO and ``year`` derived from it).
    """
    del vocabulary
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    front, body = parse_front_matter(text)
    metadata: dict[str, Any] = dict(front)
    if isinstance(front.get("date"), str) and (date := normalise_date(front["date"])):
        metadata["date"] = date
        metadata["year"] = int(date[:4])
    sink = BlockSink(metadata)
    reader = _Reader(body.split("\n"), sink)
    reader.run()
    title = str(front.get("title") or "")
    if not title:
        first = next((sink.blocks[i] for i in reader.raw_levels), None)
        title = first.text if first else ""
    _fix_levels(sink.blocks, reader.raw_levels, title)
    return ParsedDocument(title=title or name, blocks=sink.blocks, metadata=metadata)
