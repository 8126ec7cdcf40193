"""A scale corpus published as a real index generation, so ``kennisbank serve`` opens it.

The search benchmark leaves a scale corpus as a bare store (``kennisbank.sqlite``) and a
Whoosh index folder.  :func:`publish_generation` lays them out as ``kennisbank index``
does (:mod:`kennisbank.generations`): a fresh ``gen-…`` folder with the store, the index
in ``search/`` and a ``manifest.json`` (:mod:`kennisbank.manifest`), verified from disk,
then ``CURRENT`` switched to it.  Files are hard-linked (copied when linking fails), so
the store and index the benchmark measured stay as they are.  ``serve`` verifies the
live generation at start and builds nothing when it passes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from kennisbank import generations, manifest

#: Recorded in the manifest as ``built_by``.
BUILT_BY = "benchmarks.publish"
#: Whoosh lock files, which a generation does not carry (the manifest leaves them out too).
LOCK_SUFFIXES = ("WRITELOCK", "_LOCK")


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target``; copy it when the file system refuses."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _checkpoint(db: Path) -> None:
    """Fold a left-over write-ahead log into the store file, so the file alone is whole."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def publish_generation(
    store_path: Path, index_dir: Path, data_dir: Path, *, corpus_dir: Path | None = None
) -> Path:
    """Publish ``store_path`` + ``index_dir`` as the live generation of ``data_dir`` and
    return the generation folder.

    Raises :class:`~kennisbank.manifest.ManifestError` when the new generation does not
    verify (it is then removed and nothing is published).
    """
    store_path, index_dir = Path(store_path), Path(index_dir)
    _checkpoint(store_path)
    target = generations.new_generation_dir(Path(data_dir))
    try:
        link_or_copy(store_path, generations.db_file(target))
        search = generations.search_dir(target)
        search.mkdir()
        for path in sorted(index_dir.rglob("*")):
            if path.is_file() and not path.name.endswith(LOCK_SUFFIXES):
                copy = search / path.relative_to(index_dir)
                copy.parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(path, copy)
        counts = {
            **manifest.store_counts(generations.db_file(target)),
            manifest.SEARCH_COUNT: manifest.search_doc_count(search),
        }
        facts = {
            "previous": None,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "full_build": True,
            "built_by": BUILT_BY,
            "corpus_dir": str(Path(corpus_dir).resolve()) if corpus_dir else None,
        }
        generations.fsync_tree(target)
        manifest.write_manifest(target, manifest.build_manifest(target, counts=counts, **facts))
        generations.fsync_dir(target)
        manifest.verify(target)
    except BaseException:
        generations.discard(target)
        raise
    generations.publish(Path(data_dir), target, None)
    return target
