"""Generations of the whole index: build into a fresh folder, then switch atomically.

Layout inside the data directory::

    CURRENT                   text file naming the live generation folder
    gen-<stamp>/              one complete generation:
        kennisbank.sqlite       the SQLite store (documents, passages, graph …)
        search/                 the Whoosh full-text index
        manifest.json           counts and checksums (see :mod:`kennisbank.manifest`)
    index.lock                the indexer's lock file (see :mod:`kennisbank.lock`)

A build writes a new generation into its own folder; only when it is complete and
verified is ``CURRENT`` replaced (a temporary file, ``fsync`` and ``os.replace``,
atomic on POSIX).  Readers resolve the pointer per request, so a running server
picks up the new generation on its next request while requests in flight keep
using the folder they opened.

Retention rule: at a publish the new generation and the one it replaces (the
*previous* generation, named in the new manifest) are kept and every other
generation is removed.  A request that started on the previous generation
therefore finishes on intact files unless two publishes happen during it.

The old layout (``kennisbank.sqlite`` directly in the data directory, or a
``search.current`` pointer with ``search-*`` folders) is no index at all for the
indexer: it builds a full new generation and then removes the old files.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

#: The live-generation pointer file in the data directory.
POINTER = "CURRENT"
#: Prefix of every generation folder.
PREFIX = "gen-"
#: Name of the SQLite file inside a generation.
DB_FILENAME = "kennisbank.sqlite"
#: Name of the full-text index folder inside a generation.
SEARCH_DIRNAME = "search"
#: Name of the manifest inside a generation.
MANIFEST_FILENAME = "manifest.json"
#: Files and folders of the old layout (before generations held everything).
LEGACY_POINTER = "search.current"
LEGACY_PREFIX = "search-"
LEGACY_FILES = (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm", LEGACY_POINTER)
#: Temporary pointer files are named ``CURRENT.tmp-<pid>``.
_TMP_MARK = f"{POINTER}.tmp-"


def new_generation_dir(data_dir: Path) -> Path:
    """A fresh, empty folder for the next generation (named by UTC time, unique)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    micro = f"{time.time_ns() // 1000 % 1_000_000:06d}"
    for n in range(1000):
        suffix = f"-{n}" if n else ""
        candidate = data_dir / f"{PREFIX}{stamp}.{micro}Z{suffix}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise RuntimeError("geen vrije generatiemap")  # pragma: no cover - 1000 in one microsecond


def _valid_name(name: str) -> bool:
    return name.startswith(PREFIX) and "/" not in name and "\\" not in name and name != PREFIX


def pointer_name(data_dir: Path) -> str | None:
    """The generation name that ``CURRENT`` holds (even when that folder is gone), or None."""
    try:
        name = (Path(data_dir) / POINTER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if _valid_name(name) else None


def current_dir(data_dir: Path) -> Path | None:
    """The live generation folder, or None when there is none (or it vanished)."""
    name = pointer_name(data_dir)
    if name is None:
        return None
    folder = Path(data_dir) / name
    return folder if folder.is_dir() else None


def db_file(generation: Path) -> Path:
    """The SQLite file of a generation folder."""
    return generation / DB_FILENAME


def search_dir(generation: Path) -> Path:
    """The full-text index folder of a generation folder."""
    return generation / SEARCH_DIRNAME


def previous_name(generation: Path | None) -> str | None:
    """The generation that ``generation`` replaced, as its manifest names it (or None)."""
    if generation is None:
        return None
    try:
        data = json.loads((generation / MANIFEST_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("previous") if isinstance(data, dict) else None
    return name if isinstance(name, str) and _valid_name(name) else None


def list_generations(data_dir: Path) -> list[Path]:
    """Every generation folder in ``data_dir``, oldest first (names sort by time)."""
    return sorted(p for p in Path(data_dir).glob(f"{PREFIX}*") if p.is_dir())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (new, renamed or removed files) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file below ``folder`` and every folder entry to disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(Path(root) / name, "rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(Path(root))


def switch(
    data_dir: Path, generation: Path, before_switch: Callable[[], None] | None = None
) -> None:
    """Point ``CURRENT`` at ``generation``: temporary file, fsync, ``os.replace``, fsync dir.

    ``before_switch`` runs after the temporary pointer is written and flushed, just
    before ``os.replace`` (a test hook).
    """
    data_dir = Path(data_dir)
    tmp = data_dir / f"{_TMP_MARK}{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    if before_switch is not None:
        before_switch()
    os.replace(tmp, data_dir / POINTER)
    fsync_dir(data_dir)


def publish(
    data_dir: Path,
    generation: Path,
    previous: str | None,
    before_switch: Callable[[], None] | None = None,
) -> list[str]:
    """Make ``generation`` the live one, atomically, and prune other generations.

    ``previous`` (the generation being replaced, or None) is kept; every other
    generation folder is removed.  Returns the names of the removed folders.
    """
    switch(data_dir, generation, before_switch)
    keep = {generation.name} | ({previous} if previous else set())
    return prune(data_dir, keep)


def discard(generation: Path) -> None:
    """Remove a generation that was not published (a failed or aborted build)."""
    shutil.rmtree(generation, ignore_errors=True)


def prune(data_dir: Path, keep: set[str]) -> list[str]:
    """Remove every generation folder not named in ``keep``; returns the removed names."""
    removed = []
    for folder in list_generations(data_dir):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def cleanup(data_dir: Path) -> list[str]:
    """Remove what an interrupted build left behind; returns the removed names.

    Keeps the live generation and its previous one; removes every other
    generation folder (partial builds) and stale temporary pointer files.  Call
    only while holding the index lock.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return []
    live = current_dir(data_dir)
    keep = {live.name} if live else set()
    previous = previous_name(live)
    if previous:
        keep.add(previous)
    removed = prune(data_dir, keep)
    for tmp in data_dir.glob(f"{_TMP_MARK}*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp.name)
    return removed


def has_legacy_layout(data_dir: Path) -> bool:
    """True when ``data_dir`` holds files of the old layout (no generations yet)."""
    data_dir = Path(data_dir)
    return any((data_dir / name).exists() for name in LEGACY_FILES) or any(
        p.is_dir() for p in data_dir.glob(f"{LEGACY_PREFIX}*")
    )


def remove_legacy(data_dir: Path) -> list[str]:
    """Remove the old layout's files and folders (after a generation was published)."""
    data_dir = Path(data_dir)
    removed = []
    for name in LEGACY_FILES:
        path = data_dir / name
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(name)
    for folder in data_dir.glob(f"{LEGACY_PREFIX}*"):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
