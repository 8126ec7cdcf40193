"""The live generation of a data directory as an indexing run finds it.

:func:`inspect_live` finds and verifies it; :func:`copy_store` copies its SQLite file into
a new generation; :func:`search_index_stale` tells whether its full-text index was built
by another schema version.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kennisbank import generations, manifest
from kennisbank.errors import IndexMissing
from kennisbank.search.indexing import code_changed_since
from kennisbank.search.meta import SEARCH_SCHEMA_VERSION, read_meta
from kennisbank.store import Store

__all__ = [
    "NO_INDEX",
    "LiveState",
    "copy_store",
    "inspect_live",
    "open_live_store",
    "search_index_stale",
]

#: The problem :func:`inspect_live` reports for a data directory without any index.
NO_INDEX = "er is nog geen index"


@dataclass
class LiveState:
    """The live generation as the run found it."""

    folder: Path | None = None
    #: Why there is no usable live generation (Dutch), None when it is usable.
    problem: str | None = None


def inspect_live(data_dir: Path, *, checksums: bool = True) -> LiveState:
    """Find and verify the live generation of ``data_dir``.

    ``problem`` says, in Dutch, why there is no usable one: none yet, an old
    layout, a pointer to a missing folder, or a generation that fails verification.
    """
    name = generations.pointer_name(data_dir)
    if name is None:
        if (data_dir / generations.POINTER).exists():
            return LiveState(None, "het bestand CURRENT is onleesbaar")
        if generations.has_legacy_layout(data_dir):
            return LiveState(None, "de index heeft nog de oude indeling (zonder generaties)")
        return LiveState(None, NO_INDEX)
    folder = data_dir / name
    if not folder.is_dir():
        return LiveState(None, f"CURRENT verwijst naar {name}, maar die map bestaat niet")
    try:
        manifest.verify(folder, checksums=checksums)
    except manifest.ManifestError as exc:
        text = str(exc).rstrip(".")
        return LiveState(None, text[:1].lower() + text[1:])
    return LiveState(folder, None)


def open_live_store(folder: Path | None) -> Store | None:
    if folder is None:
        return None
    try:
        return Store(generations.db_file(folder))
    except (IndexMissing, sqlite3.Error):
        return None


def copy_store(source: Path, target: Path) -> None:
    """Copy a SQLite store with the backup API (consistent even while others read it)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def search_index_stale(generation: Path) -> bool:
    """True when the generation's full-text index was built by another schema version, or
    by other search code, analysis or data (then even an unchanged corpus is indexed
    again: an upgrade must not leave an index the new code would not build)."""
    folder = generations.search_dir(generation)
    meta = read_meta(folder)
    return meta.get("schema_version") != SEARCH_SCHEMA_VERSION or code_changed_since(folder)
