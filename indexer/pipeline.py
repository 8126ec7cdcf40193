"""The indexing run: walk the corpus, parse what changed, segment, find references, store.

A run is incremental: a file whose content (and sidecar) checksum is unchanged is
not parsed again, so its passage ids stay as they are.  All writes of one run
happen in a single SQLite transaction: a reader sees the old or the new index.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.knowledge import build_knowledge, needs_rebuild
from indexer.metadata import is_sidecar, read_sidecar, resolve_metadata
from indexer.segment import segment
from indexer.sources import SourceFile, decode_text, parse_source, read_source
from kennisbank import generations
from kennisbank.config import Settings
from kennisbank.errors import SkipFile
from kennisbank.model import Document
from kennisbank.refs import find_refs
from kennisbank.store import Store

#: Files in the corpus folder that are never documents.
_IGNORED_NAMES = re.compile(r"^(\.|catalog\.|README|SOURCES)", re.IGNORECASE)
_TEXT_FORMATS = {"text", "markdown"}


@dataclass
class Skipped:
    """A corpus file that was not indexed, with the Dutch reason."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one ``kennisbank index`` run did."""

    files_seen: int = 0
    parsed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    harvested: list[dict[str, Any]] = field(default_factory=list)
    search: dict[str, Any] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every file was indexed, 2 when some were skipped."""
        return 2 if self.skipped else 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        return {
            "files_seen": self.files_seen,
            "parsed": self.parsed,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "removed": self.removed,
            "warnings": self.warnings,
            "harvested": self.harvested,
            "search_index": self.search,
            **self.totals,
        }


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file below ``corpus_dir`` (sub-folders too), sorted."""
    found = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not is_sidecar(path) and not _IGNORED_NAMES.match(path.name):
            found.append(path)
    return found


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


def _checksum(data: bytes, sidecar: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(b"\x00sidecar\x00")
    digest.update(sidecar)
    return digest.hexdigest()


def build_vocabulary_for(sources: Iterable[SourceFile]) -> set[str]:
    """Lower-case words of every text-like source, for de-hyphenation decisions."""
    from indexer.parsers.text import build_vocabulary

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


ProgressFactory = Callable[[list[Path]], Iterable[Path]]


def run_index(settings: Settings, progress: ProgressFactory | None = None) -> IndexReport:
    """Index ``settings.corpus_dir`` into ``settings.data_dir``; return what happened."""
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise SkipFile(str(corpus), "de corpusmap bestaat niet")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    report = IndexReport()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with Store(settings.db_path, create=True) as store:
        known = store.files()
        paths = corpus_files(corpus)
        report.files_seen = len(paths)
        todo: list[tuple[SourceFile, str, str, dict[str, Any]]] = []
        file_rows: list[tuple[str, str, int, str, str | None]] = []
        iterator = progress(paths) if progress else paths
        for path in iterator:
            rel = path.relative_to(corpus).as_posix()
            try:
                sidecar, sidecar_raw = read_sidecar(path)
                src = read_source(path, max_bytes=settings.max_file_bytes)
            except SkipFile as exc:
                report.skipped.append(Skipped(rel, exc.reason))
                file_rows.append((rel, "-", _size(path), "skipped", exc.reason))
                continue
            checksum = _checksum(src.data, sidecar_raw)
            previous = known.get(rel)
            if previous and previous["checksum"] == checksum:
                if previous["status"] == "skipped":
                    report.skipped.append(Skipped(rel, previous["reason"] or ""))
                else:
                    report.unchanged.append(rel)
                continue
            todo.append((src, rel, checksum, sidecar))
        vocabulary = (
            build_vocabulary_for(_all_text_sources(paths, todo, settings)) if todo else None
        )
        taken = {f["document_id"] for p, f in known.items() if f["document_id"]}
        built: list[tuple[Document, list[dict[str, Any]], int]] = []
        for src, rel, checksum, sidecar in todo:
            previous_id = known.get(rel, {}).get("document_id")
            doc_id = previous_id or document_id(rel, taken)
            taken.add(doc_id)
            try:
                doc, refs = build_document(src, rel, doc_id, checksum, sidecar, vocabulary)
            except SkipFile as exc:
                report.skipped.append(Skipped(rel, exc.reason))
                file_rows.append((rel, checksum, src.size, "skipped", exc.reason))
                continue
            report.parsed.append(rel)
            report.warnings.extend(f"{rel}: {w}" for w in doc.warnings)
            built.append((doc, refs, src.size))
        present = {p.relative_to(corpus).as_posix() for p in paths}
        report.removed = sorted(set(known) - present)
        with store.transaction():
            for rel in report.removed:
                store.forget_file(rel)
            for doc, refs, size in built:
                store.put_document(doc, refs)
                store.record_file(doc.path, doc.checksum, size, "indexed", None, doc.id, now)
            for rel, checksum, size, status, reason in file_rows:
                # A file that became unreadable keeps its previous document serving.
                kept = known.get(rel, {}).get("document_id")
                store.record_file(rel, checksum, size, status, reason, kept, now)
            graph_rebuilt = needs_rebuild(store, bool(built or report.removed), settings)
            if graph_rebuilt:
                report.harvested = build_knowledge(store, settings=settings).harvested
            store.set_meta("built_at", now)
            store.set_meta("corpus_dir", str(corpus.resolve()))
        if graph_rebuilt or search_index_stale(settings.data_dir):
            report.search = refresh_search_index(store, settings.data_dir)
        report.totals = store.counts()
    return report


def search_index_stale(data_dir: Path) -> bool:
    """True when there is no live full-text index or it was built by another schema."""
    from kennisbank.searchindex import SEARCH_SCHEMA_VERSION, read_meta

    live = generations.current_dir(data_dir)
    return live is None or read_meta(live).get("schema_version") != SEARCH_SCHEMA_VERSION


def refresh_search_index(store: Store, data_dir: Path) -> dict[str, Any]:
    """Build the full-text index into a new generation folder and switch to it atomically.

    When the build fails, the half-built folder is removed and the live index stays.
    """
    from kennisbank.searchindex import build_search_index

    target = generations.new_generation_dir(data_dir)
    try:
        counts = build_search_index(store, target)
    except BaseException:
        generations.discard(target)
        raise
    generations.publish(data_dir, target)
    return counts


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _all_text_sources(
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
