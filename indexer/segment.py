"""Segmentation: parser blocks → passages with stable ids, section paths and offsets.

Rules:

* every heading opens a section; its path is the chain of open headings above it
  (the document title is not part of any path);
* paragraphs become passages; a paragraph longer than :data:`MAX_PASSAGE_CHARS`
  is split at sentence ends only, so a sentence is never cut in two;
* short runs of paragraphs under a ``box`` or ``praktijkvoorbeeld`` heading are
  one passage of that kind;
* footnotes are passages of their own, linked both ways to the passage that
  cites them;
* a passage id is a hash of the document id, the passage kind, its text and how
  often that same text occurred before it in the document: unchanged text keeps
  its id when a file is indexed again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kennisbank.model import Block, Passage, Section

#: Paragraphs longer than this are split at sentence boundaries.
MAX_PASSAGE_CHARS = 1500
#: A box or good-practice block up to this size stays one passage.
MAX_MERGED_BLOCK_CHARS = 1200
#: Separator between passages in the cleaned document text.
PASSAGE_SEPARATOR = "\n\n"

_SECTION_KINDS = {"box": "box", "praktijkvoorbeeld": "praktijkvoorbeeld"}
_ABBREVIATIONS = {
    "nr",
    "nrs",
    "o.a",
    "bijv",
    "d.w.z",
    "m.b.t",
    "i.p.v",
    "t.o.v",
    "e.d",
    "etc",
    "jl",
    "mr",
    "dr",
    "drs",
    "ir",
    "prof",
    "ca",
    "z.g.a",
    "m.n",
    "vgl",
    "zgn",
    "resp",
    "incl",
    "excl",
    "max",
    "min",
    "art",
    "blz",
    "p",
    "dhr",
    "mevr",
    "st",
    "tel",
    "ing",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)]*)\s+(?=[\"'‘“(]?[A-ZÀ-Ý0-9€])")


def split_sentences(text: str) -> list[str]:
    """Split Dutch text into sentences, keeping each sentence's own characters.

    Joining the result with single spaces gives back ``text`` up to whitespace.
    Common Dutch abbreviations (``o.a.``, ``nr.``, ``bijv.``) do not end a sentence.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start(1) + len(match.group(1))
        candidate = text[start:end]
        last_word = candidate.rstrip(".!?…\"'”’)").rsplit(maxsplit=1)[-1:] or [""]
        if last_word[0].lower().rstrip(".") in _ABBREVIATIONS or len(last_word[0]) == 1:
            continue
        sentences.append(candidate.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_long_text(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Cut ``text`` into chunks of at most about ``limit`` characters at sentence ends.

    A single sentence longer than ``limit`` stays whole.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    target = max(limit * 2 // 3, 1)
    for sentence in split_sentences(text):
        if current and size + len(sentence) + 1 > target:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += len(sentence) + 1
    if current:
        # Avoid a tiny last chunk: fold it into the previous one when that stays in bounds.
        tail = " ".join(current)
        if chunks and len(tail) < limit // 4 and len(chunks[-1]) + len(tail) + 1 <= limit:
            chunks[-1] = f"{chunks[-1]} {tail}"
        else:
            chunks.append(tail)
    return chunks


def passage_id(document_id: str, kind: str, text: str, occurrence: int) -> str:
    """The stable id of a passage: a short hash of what identifies it."""
    digest = hashlib.sha1(f"{document_id}\x00{kind}\x00{text}\x00{occurrence}".encode()).hexdigest()
    return digest[:16]


@dataclass
class _Draft:
    kind: str
    text: str
    block: Block
    notes: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)


@dataclass
class Segmented:
    """Result of :func:`segment`: passages, sections and the cleaned text."""

    passages: list[Passage]
    sections: list[Section]
    text: str


def _section_kind(stack: list[tuple[int, str, str]]) -> str | None:
    for _level, _title, role in reversed(stack):
        if role in _SECTION_KINDS:
            return _SECTION_KINDS[role]
    return None


def _path(stack: list[tuple[int, str, str]]) -> list[str]:
    return [title for _, title, _ in stack]


def _drafts(blocks: Iterable[Block]) -> Iterator[_Draft]:
    """Walk blocks with a heading stack and yield passage drafts in order."""
    stack: list[tuple[int, str, str]] = []
    pending: list[Block] = []

    def flush() -> Iterator[_Draft]:
        if not pending:
            return
        kind = _section_kind(stack) or "paragraph"
        path = _path(stack)
        total = sum(len(b.text) for b in pending)
        if kind != "paragraph" and total <= MAX_MERGED_BLOCK_CHARS and len(pending) > 1:
            merged = Block(kind="paragraph", text=" ".join(b.text for b in pending))
            merged.notes = [n for b in pending for n in b.notes]
            yield _Draft(kind, merged.text, merged, list(merged.notes), path)
        else:
            for b in pending:
                for chunk in split_long_text(b.text):
                    yield _Draft(kind, chunk, b, _notes_in(chunk, b.notes), path)
        pending.clear()

    for block in blocks:
        if not block.text.strip():
            continue
        if block.kind == "paragraph" and block.role != "caption":
            pending.append(block)
            # Only box/praktijkvoorbeeld paragraphs are merged; others flush at once.
            if _section_kind(stack) is None:
                yield from flush()
            continue
        yield from flush()
        if block.kind == "paragraph" and block.role == "caption":
            yield _Draft("caption", block.text, block, list(block.notes), _path(stack))
        elif block.kind == "heading":
            if block.role == "title" or block.level <= 0:
                yield _Draft("heading", block.text, block, [], [])
                continue
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text, block.role))
            yield _Draft("heading", block.text, block, [], _path(stack))
        elif block.kind in {"list", "table", "footnote"}:
            yield _Draft(block.kind, block.text, block, list(block.notes), _path(stack))
        else:
            yield _Draft("paragraph", block.text, block, list(block.notes), _path(stack))
    yield from flush()


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _notes_in(chunk: str, labels: list[str]) -> list[str]:
    """The footnote labels whose superscript marker occurs in ``chunk``.

    When a paragraph is split, each chunk keeps only the notes it cites; a label
    whose marker cannot be found stays with every chunk's first piece.
    """
    if not labels:
        return []
    found = [label for label in labels if label.translate(_SUPERSCRIPTS) in chunk]
    return found if found else []


def segment(document_id: str, blocks: list[Block]) -> Segmented:
    """Turn parser blocks into passages and sections for ``document_id``."""
    drafts = list(_drafts(blocks))
    _assign_unplaced_notes(drafts)
    passages: list[Passage] = []
    sections: list[Section] = []
    seen: dict[tuple[str, str], int] = {}
    offset = 0
    parts: list[str] = []
    for seq, draft in enumerate(drafts):
        key = (draft.kind, draft.text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        pid = passage_id(document_id, draft.kind, draft.text, occurrence)
        if parts:
            offset += len(PASSAGE_SEPARATOR)
        start, end = offset, offset + len(draft.text)
        parts.append(draft.text)
        offset = end
        passage = Passage(
            id=pid,
            document_id=document_id,
            seq=seq,
            kind=draft.kind,
            section_path=draft.path if draft.kind != "heading" else draft.path[:-1] or [],
            text=draft.text,
            start=start,
            end=end,
            label=draft.block.label if draft.kind == "footnote" else "",
            rows=draft.block.rows if draft.kind == "table" else [],
            caption=draft.block.caption if draft.kind == "table" else "",
        )
        passage.notes = list(draft.notes)  # labels for now; resolved to ids below
        passages.append(passage)
        if draft.kind == "heading" and draft.path:
            sections.append(
                Section(
                    id=pid,
                    title=draft.text,
                    level=draft.block.level,
                    role=draft.block.role,
                    path=list(draft.path),
                    passage_id=pid,
                )
            )
    _link_footnotes(passages)
    return Segmented(passages=passages, sections=sections, text=PASSAGE_SEPARATOR.join(parts))


def _assign_unplaced_notes(drafts: list[_Draft]) -> None:
    """Give a split paragraph's notes whose markers were not found to its first chunk."""
    by_block: dict[int, list[_Draft]] = {}
    for draft in drafts:
        by_block.setdefault(id(draft.block), []).append(draft)
    for group in by_block.values():
        block = group[0].block
        if block.kind == "footnote" or not block.notes:
            continue
        placed = {n for d in group for n in d.notes}
        missing = [n for n in block.notes if n not in placed]
        group[0].notes.extend(missing)


def _link_footnotes(passages: list[Passage]) -> None:
    """Resolve footnote labels to passage ids, both ways.

    A footnote with label L belongs to the nearest earlier passage that cites L and
    has not yet been given a footnote L.  A footnote nobody cites keeps an empty
    ``cited_by``.
    """
    open_labels: dict[str, list[Passage]] = {}
    resolved: dict[str, list[str]] = {p.id: [] for p in passages}
    for passage in passages:
        if passage.kind == "footnote":
            citing = open_labels.get(passage.label)
            if citing:
                source = citing.pop()
                resolved[source.id].append(passage.id)
                passage.cited_by.append(source.id)
            continue
        for label in passage.notes:
            open_labels.setdefault(label, []).append(passage)
    for passage in passages:
        passage.notes = resolved[passage.id] if passage.kind != "footnote" else []
