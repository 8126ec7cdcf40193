"""Generations of the full-text index: build into a fresh folder, then switch atomically.

Layout inside the data directory::

    search-<generation>/     one complete Whoosh index per generation
    search.current           text file naming the live generation folder

A new generation is written into its own folder; only when it is complete is
``search.current`` replaced (``os.replace`` of a temporary file, atomic on POSIX).
Readers resolve the pointer when they open a searcher, so a running server picks
up the new generation on its next request while requests in flight keep using the
folder they opened.  Older generations are removed, except the previous one.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

POINTER = "search.current"
PREFIX = "search-"


def new_generation_dir(data_dir: Path) -> Path:
    """A fresh, empty folder for the next generation (named by time, unique)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        candidate = data_dir / f"{PREFIX}{stamp}-{os.getpid()}-{n}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise RuntimeError("geen vrije generatiemap")  # pragma: no cover - 1000 in one second


def current_dir(data_dir: Path) -> Path | None:
    """The live generation folder, or None when there is none (or it vanished)."""
    pointer = data_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name.startswith(PREFIX) or "/" in name or "\\" in name:
        return None
    folder = data_dir / name
    return folder if folder.is_dir() else None


def publish(data_dir: Path, generation: Path) -> None:
    """Make ``generation`` the live one, atomically, and prune older generations."""
    previous = current_dir(data_dir)
    tmp = data_dir / f"{POINTER}.tmp-{os.getpid()}"
    tmp.write_text(generation.name, encoding="utf-8")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, data_dir / POINTER)
    keep = {generation.name} | ({previous.name} if previous else set())
    prune(data_dir, keep)


def discard(generation: Path) -> None:
    """Remove a generation that was not published (a failed or aborted build)."""
    shutil.rmtree(generation, ignore_errors=True)


def prune(data_dir: Path, keep: set[str]) -> None:
    """Remove every generation folder not named in ``keep``."""
    for folder in data_dir.glob(f"{PREFIX}*"):
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
