"""One corpus file into one :class:`~kennisbank.model.Document`: parse, segment, describe.

Also the stable document id of a file (:func:`document_id`) and the vocabulary of the
text-like files that de-hyphenation decisions read (:func:`build_vocabulary_for`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from indexer.metadata import resolve_metadata
from indexer.parsers.text import build_vocabulary
from indexer.segment import segment
from indexer.sources import SourceFile, decode_text, parse_source, read_source
from kennisbank.config import Settings
from kennisbank.errors import SkipFile
from kennisbank.model import Document
from kennisbank.refs import find_refs

__all__ = ["build_document", "build_vocabulary_for", "document_id", "text_sources"]

_TEXT_FORMATS = {"text", "markdown"}


def document_id(rel_path: str, taken: set[str]) -> str:
    """A URL-safe, stable slug for a corpus file (extension dropped unless needed)."""

    def slug(value: str) -> str:
        folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "document"

    stem = rel_path.rsplit(".", 1)[0] if "." in Path(rel_path).name else rel_path
    candidate = slug(stem)
    if candidate in taken:
        candidate = slug(rel_path)
    return candidate


def build_vocabulary_for(sources: Iterable[SourceFile]) -> set[str]:
    """Lower-case words of every text-like source, for de-hyphenation decisions."""
    texts = []
    for src in sources:
        if src.format in _TEXT_FORMATS:
            texts.append(decode_text(src.data, str(src.path))[0])
    return build_vocabulary(texts)


def build_document(
    src: SourceFile,
    rel_path: str,
    doc_id: str,
    checksum: str,
    sidecar: dict[str, Any],
    vocabulary: set[str] | None,
) -> tuple[Document, list[dict[str, Any]]]:
    """Parse, segment and describe one file; returns the document and its references."""
    parsed = parse_source(src, vocabulary=vocabulary)
    seg = segment(doc_id, parsed.blocks)
    if not seg.passages:
        raise SkipFile(rel_path, "geen tekst gevonden")
    fields = resolve_metadata(src.path, parsed, sidecar, seg.text)
    doc = Document(
        id=doc_id,
        path=rel_path,
        format=src.format,
        checksum=checksum,
        text=seg.text,
        sections=seg.sections,
        passages=seg.passages,
        warnings=list(parsed.warnings),
        **fields,
    )
    refs = []
    for passage in seg.passages:
        for ref in find_refs(passage.text):
            record = ref.to_dict()
            record["passage_id"] = passage.id
            record["start"] = passage.start + ref.start
            record["end"] = passage.start + ref.end
            refs.append(record)
    return doc, refs


def text_sources(
    paths: list[Path], todo: list[tuple[SourceFile, str, str, dict[str, Any]]], settings: Settings
) -> list[SourceFile]:
    """The text sources of the whole corpus (reusing those already read)."""
    have = {src.path: src for src, *_ in todo}
    sources = []
    for path in paths:
        if path in have:
            sources.append(have[path])
            continue
        try:
            sources.append(read_source(path, max_bytes=settings.max_file_bytes))
        except SkipFile:
            continue
    return sources
