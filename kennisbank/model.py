"""The document model shared by the indexer, the store and the web app.

A parser turns one file into a :class:`ParsedDocument`: an ordered list of
:class:`Block` objects (headings, paragraphs, lists, tables, footnotes) plus the
metadata the file itself states.  The segmenter turns blocks into
:class:`Passage` objects with stable ids, section paths and character offsets
into the cleaned document text.  Nothing in this module imports a parser,
Whoosh, spaCy or Flask.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Kinds of passages the segmenter produces.
PASSAGE_KINDS: tuple[str, ...] = (
    "paragraph",
    "box",
    "praktijkvoorbeeld",
    "list",
    "table",
    "footnote",
    "heading",
    "caption",
)

#: Document types a sidecar or the content may declare.
DOCUMENT_TYPES: tuple[str, ...] = (
    "voortgangsrapportage",
    "kamerstuk",
    "charter",
    "wijkactieplan",
    "brief",
    "bijlage",
    "handelingen",
    "regeling",
    "overig",
)

#: Roles a heading block can have.  ``box`` and ``praktijkvoorbeeld`` make the
#: passages under them passages of that kind.
HEADING_ROLES: tuple[str, ...] = (
    "title",
    "chapter",
    "section",
    "subheading",
    "box",
    "experiment",
    "bijlage",
    "praktijkvoorbeeld",
)


@dataclass
class Block:
    """One structural unit of a parsed file, in document order.

    ``kind`` is ``heading``, ``paragraph``, ``list``, ``table`` or ``footnote``.

    * heading: ``text`` is the heading, ``level`` its depth (1 = chapter),
      ``role`` one of :data:`HEADING_ROLES`.
    * paragraph: ``text`` is the repaired paragraph (``role="caption"`` for the
      caption of a figure that did not survive extraction); ``notes`` holds the labels
      of the footnotes it cites (``["1", "2"]``); the superscript markers stay
      in the text (``¹``), the footnote bodies do not.
    * list: ``items`` holds the item texts; ``text`` is the items joined by
      newlines, each prefixed with ``• ``.
    * table: ``rows`` holds the cells, ``caption`` the caption; ``text`` is the
      caption plus one line per row with cells joined by `` | ``.
    * footnote: ``label`` is the marker (``"3"``), ``text`` the note body.
    """

    kind: str
    text: str
    level: int = 0
    role: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    label: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """What a parser returns: blocks plus whatever metadata the file states."""

    title: str
    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A heading with its place in the document hierarchy."""

    id: str
    title: str
    level: int
    role: str
    path: list[str]
    passage_id: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class Passage:
    """A paragraph-sized, citable unit of a document.

    ``start``/``end`` are offsets into :attr:`Document.text`.  ``notes`` lists
    the ids of the footnote passages this passage cites; a footnote passage has
    ``cited_by`` with the ids of the passages that cite it.
    """

    id: str
    document_id: str
    seq: int
    kind: str
    section_path: list[str]
    text: str
    start: int
    end: int
    notes: list[str] = field(default_factory=list)
    cited_by: list[str] = field(default_factory=list)
    label: str = ""
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class Document:
    """A segmented document ready to be stored."""

    id: str
    path: str
    title: str
    doctype: str
    format: str
    checksum: str
    text: str
    year: int | None = None
    date: str | None = None
    source: str | None = None
    identifier: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The document without its passages and text, for listings."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "type": self.doctype,
            "format": self.format,
            "year": self.year,
            "date": self.date,
            "source": self.source,
            "identifier": self.identifier,
            "passages": len(self.passages),
            "sections": [s.to_dict() for s in self.sections],
        }


@dataclass
class Mention:
    """An entity recognised in a passage.

    ``start``/``end`` are offsets into the passage text; ``method`` says how the
    surface text was resolved: ``exact``, ``alias``, ``fuzzy``, ``context`` (a
    context rule such as ``wijk X`` or ``X (Y)``) or ``harvested``; ``score`` is
    1.0 for exact matches and the rapidfuzz score (0–1) for fuzzy ones; ``rule``
    names the context rule when one was used.
    """

    entity_id: str
    passage_id: str
    document_id: str
    start: int
    end: int
    surface: str
    method: str
    score: float = 1.0
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)

    def as_row(self) -> tuple[str, str, str, int, int, str, str, float, str]:
        """The fields in declaration order (the ``mentions`` table's column order)."""
        return (
            self.entity_id,
            self.passage_id,
            self.document_id,
            self.start,
            self.end,
            self.surface,
            self.method,
            self.score,
            self.rule,
        )


@dataclass
class Link:
    """A typed relation between two entities, with the passages that show it.

    Types: ``ligt_in`` (wijk → gemeente), ``deelnemer`` (experiment → gemeente),
    ``actief_in`` (alliantiepartner → wijk or gemeente), ``thema`` (passage → thema is
    stored as a mention instead).  ``evidence`` holds passage ids; ``quote`` a short
    excerpt of the first evidence passage; ``origin`` is ``registry`` for facts from
    the curated data or ``text`` for facts read from passages.
    """

    type: str
    source_id: str
    target_id: str
    evidence: list[str] = field(default_factory=list)
    quote: str = ""
    origin: str = "text"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class Commitment:
    """A sentence that makes or reports a toezegging (commitment).

    ``start``/``end`` are offsets into the passage text; ``refs`` holds the ``kst-…``
    identifiers in or near the sentence; ``entities`` the entity ids it concerns;
    ``date`` / ``vergaderjaar`` are set only when the text states them; ``cue`` is the
    phrase that marked the sentence as a commitment (``toegezegd``, ``Ik zal`` …).
    """

    id: str
    passage_id: str
    document_id: str
    text: str
    start: int
    end: int
    cue: str
    date: str | None = None
    vergaderjaar: str | None = None
    refs: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)
