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
