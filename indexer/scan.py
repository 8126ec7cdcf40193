"""Scanning the corpus: which files are documents, and which changed since the live build.

Nothing is parsed here: every file (with its ``.meta.json`` sidecar and official companion
metadata) is read and checksummed, and compared with the files table of the live store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.acquisition.official import is_companion_metadata, read_companion
from indexer.metadata import is_sidecar, read_sidecar
from indexer.report import Skipped
from indexer.sources import SourceFile, read_source
from kennisbank.config import Settings
from kennisbank.errors import SkipFile

__all__ = [
    "CorpusScan",
    "ProgressFactory",
    "corpus_files",
    "file_checksum",
    "scan_corpus",
]

#: Files in the corpus folder that are never documents.
_IGNORED_NAMES = re.compile(r"^(\.|catalog\.|README|SOURCES)", re.IGNORECASE)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file below ``corpus_dir`` (sub-folders too), sorted."""
    found = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if (
            path.is_file()
            and not is_sidecar(path)
            and not is_companion_metadata(path)
            and not _IGNORED_NAMES.match(path.name)
        ):
            found.append(path)
    return found


def _checksum(data: bytes, sidecar: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(b"\x00sidecar\x00")
    digest.update(sidecar)
    return digest.hexdigest()


ProgressFactory = Callable[[list[Path]], Iterable[Path]]


@dataclass
class CorpusScan:
    """The corpus compared with the files table of the live store (no parsing yet)."""

    paths: list[Path]
    #: (source, relative path, checksum, sidecar) of new and changed files.
    todo: list[tuple[SourceFile, str, str, dict[str, Any]]] = field(default_factory=list)
    #: Files that could not be read: (path, checksum, size, status, reason).
    file_rows: list[tuple[str, str, int, str, str | None]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Relative paths of files that are new (not in the files table).
    added: list[str] = field(default_factory=list)
    #: Relative paths of known files whose checksum differs.
    changed: list[str] = field(default_factory=list)

    def differs(self, known: dict[str, dict[str, Any]]) -> bool:
        """True when storing this scan would change the store."""
        if self.todo or self.removed:
            return True
        for rel, checksum, _size, status, reason in self.file_rows:
            before = known.get(rel)
            if before is None or (before["checksum"], before["status"], before["reason"]) != (
                checksum,
                status,
                reason,
            ):
                return True
        return False


def file_checksum(path: Path, settings: Settings) -> tuple[SourceFile, str, dict[str, Any]]:
    """Read one corpus file with its sidecar: (source, checksum, sidecar); raises SkipFile."""
    sidecar, sidecar_raw = read_sidecar(path)
    # Official metadata next to the file (kst-….metadata.xml / metadata.xml) merges in;
    # the .meta.json sidecar still wins, and a change to either re-parses the document.
    companion, companion_raw = read_companion(path)
    sidecar = {**companion, **sidecar}
    sidecar_raw = companion_raw + sidecar_raw
    src = read_source(path, max_bytes=settings.max_file_bytes)
    return src, _checksum(src.data, sidecar_raw), sidecar


def scan_corpus(
    settings: Settings,
    known: dict[str, dict[str, Any]],
    progress: ProgressFactory | None = None,
) -> CorpusScan:
    """Compare every corpus file's checksum with ``known`` (the store's files table)."""
    corpus = settings.corpus_dir
    paths = corpus_files(corpus)
    scan = CorpusScan(paths=paths)
    iterator = progress(paths) if progress else paths
    for path in iterator:
        rel = path.relative_to(corpus).as_posix()
        previous = known.get(rel)
        try:
            src, checksum, sidecar = file_checksum(path, settings)
        except SkipFile as exc:
            scan.skipped.append(Skipped(rel, exc.reason))
            scan.file_rows.append((rel, "-", _size(path), "skipped", exc.reason))
            if previous is None:
                scan.added.append(rel)
            elif previous["checksum"] != "-":
                scan.changed.append(rel)
            continue
        if previous and previous["checksum"] == checksum:
            if previous["status"] == "skipped":
                scan.skipped.append(Skipped(rel, previous["reason"] or ""))
            else:
                scan.unchanged.append(rel)
            continue
        (scan.changed if previous else scan.added).append(rel)
        scan.todo.append((src, rel, checksum, sidecar))
    present = {p.relative_to(corpus).as_posix() for p in paths}
    scan.removed = sorted(set(known) - present)
    return scan


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
