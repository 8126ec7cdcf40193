"""The manifest of a generation: what it holds, checked before it goes live.

``gen-<stamp>/manifest.json`` records

* ``counts`` — documents, passages, sections, refs, entities, mentions, links,
  commitments (rows in the SQLite store) and ``search_passages`` (documents in the
  Whoosh index, one per passage);
* ``sqlite`` — size and sha256 of ``kennisbank.sqlite``;
* ``search`` — size and sha256 of every file of the Whoosh index (segments, TOC,
  vocabulary, catalog, meta);
* ``generation``, ``previous`` (the generation it replaced), ``built_at``,
  ``full_build``, ``seconds`` and ``stages`` (timings of the build).

:func:`verify` re-reads a generation from disk and compares it with its manifest:
the counts in SQLite, the number of documents in the search index (which must
equal the passages) and, unless ``checksums=False``, every checksum.  The
indexer publishes a generation only after :func:`verify` passed; ``kennisbank
serve`` and ``kennisbank index`` verify the live generation at start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from kennisbank import generations
from kennisbank.errors import KennisbankError

#: Version of the manifest format.
MANIFEST_FORMAT = 1
#: Row counts of the SQLite store recorded in the manifest.
STORE_COUNTS = (
    "documents",
    "passages",
    "sections",
    "refs",
    "entities",
    "mentions",
    "links",
    "commitments",
)
#: Count of documents in the full-text index.
SEARCH_COUNT = "search_passages"
_CHUNK = 1 << 20


class ManifestError(KennisbankError):
    """A generation does not match its manifest (or has none); ``problems`` are Dutch."""

    def __init__(self, generation: Path, problems: list[str]) -> None:
        self.generation = Path(generation)
        self.problems = problems
        super().__init__(
            f"De indexgeneratie {self.generation.name} is onvolledig of beschadigd: "
            + "; ".join(problems)
            + "."
        )


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def store_counts(db_path: Path) -> dict[str, int]:
    """Rows per table (:data:`STORE_COUNTS`) of a SQLite store; raises sqlite3.Error."""
    if not Path(db_path).is_file():
        raise sqlite3.OperationalError(f"{db_path} ontbreekt")
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA query_only = ON")
        return {
            table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in STORE_COUNTS
        }
    finally:
        conn.close()


def search_doc_count(folder: Path) -> int:
    """Documents in the search index in ``folder``; raises on a missing or broken index."""
    # Loaded on use: the search backend (Whoosh, numpy) is not needed to read a manifest.
    from kennisbank.search.whoosh_backend.reader import doc_count  # noqa: PLC0415 - start-up

    return doc_count(folder)


def _is_lock(name: str) -> bool:
    return name.endswith("WRITELOCK") or name.endswith("_LOCK")


def search_files(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file of a search index folder (lock files left out)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not _is_lock(path.name):
            rel = path.relative_to(folder).as_posix()
            found[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    return found


def build_manifest(generation: Path, *, counts: dict[str, int], **facts: Any) -> dict[str, Any]:
    """The manifest of a finished generation (its SQLite file must be closed).

    ``counts`` are the store's row counts plus :data:`SEARCH_COUNT`; ``facts`` are
    added as they are (``previous``, ``built_at``, ``full_build``, ``seconds`` …).
    """
    db = generations.db_file(generation)
    wanted = (*STORE_COUNTS, SEARCH_COUNT)
    return {
        "format": MANIFEST_FORMAT,
        "generation": generation.name,
        **facts,
        "counts": {key: int(counts.get(key, 0)) for key in wanted},
        "sqlite": {
            "file": db.name,
            "bytes": db.stat().st_size,
            "sha256": sha256_file(db),
        },
        "search": {"files": search_files(generations.search_dir(generation))},
    }


def write_manifest(generation: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into ``generation`` (temporary file, fsync, rename)."""
    target = generation / generations.MANIFEST_FILENAME
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def read_manifest(generation: Path) -> dict[str, Any]:
    """The manifest of ``generation``; raises :class:`ManifestError` when unreadable."""
    path = Path(generation) / generations.MANIFEST_FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(generation, ["manifest.json ontbreekt"]) from None
    except (OSError, ValueError):
        raise ManifestError(generation, ["manifest.json is onleesbaar"]) from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(generation, ["manifest.json heeft een onbekende indeling"])
    return data


def verify(generation: Path, *, checksums: bool = True) -> dict[str, Any]:
    """Check ``generation`` against its manifest; returns the manifest.

    Raises :class:`ManifestError` listing every problem (in Dutch): a missing
    folder or file, a size or checksum that differs (``checksums=False`` compares
    sizes only), counts in SQLite that differ, or a search index whose number of
    documents differs from the manifest or from the passages.
    """
    generation = Path(generation)
    if not generation.is_dir():
        raise ManifestError(generation, [f"de map {generation} bestaat niet"])
    manifest = read_manifest(generation)
    problems: list[str] = []
    expected = manifest.get("counts") or {}
    _check_sqlite(generation, manifest.get("sqlite") or {}, expected, checksums, problems)
    _check_search(generation, manifest.get("search") or {}, expected, checksums, problems)
    if expected.get(SEARCH_COUNT) != expected.get("passages"):
        problems.append(
            f"het manifest noemt {expected.get(SEARCH_COUNT)} documenten in de zoekindex"
            f" maar {expected.get('passages')} passages"
        )
    if problems:
        raise ManifestError(generation, problems)
    return manifest


def _check_sqlite(
    generation: Path,
    recorded: dict[str, Any],
    expected: dict[str, Any],
    checksums: bool,
    problems: list[str],
) -> None:
    db = generations.db_file(generation)
    if not db.is_file():
        problems.append(f"{db.name} ontbreekt")
        return
    size = db.stat().st_size
    if size != recorded.get("bytes"):
        problems.append(
            f"{db.name} is {size} bytes groot in plaats van {recorded.get('bytes')}"
            " (afgekapt of gewijzigd)"
        )
        return
    if checksums and sha256_file(db) != recorded.get("sha256"):
        problems.append(f"de controlesom van {db.name} klopt niet")
        return
    try:
        actual = store_counts(db)
    except sqlite3.Error as exc:
        problems.append(f"{db.name} is niet te lezen ({exc})")
        return
    for key in STORE_COUNTS:
        if actual.get(key) != expected.get(key):
            problems.append(
                f"{key}: {actual.get(key)} in de database, {expected.get(key)} volgens het manifest"
            )


def _check_search(
    generation: Path,
    recorded: dict[str, Any],
    expected: dict[str, Any],
    checksums: bool,
    problems: list[str],
) -> None:
    folder = generations.search_dir(generation)
    before = len(problems)
    if not folder.is_dir():
        problems.append("de zoekindex (search/) ontbreekt")
        return
    files: dict[str, dict[str, Any]] = recorded.get("files") or {}
    present = {
        p.relative_to(folder).as_posix(): p
        for p in folder.rglob("*")
        if p.is_file() and not _is_lock(p.name)
    }
    for rel, facts in sorted(files.items()):
        path = present.get(rel)
        if path is None:
            problems.append(f"zoekindexbestand {rel} ontbreekt")
        elif path.stat().st_size != facts.get("bytes"):
            problems.append(f"zoekindexbestand {rel} heeft een andere grootte")
        elif checksums and sha256_file(path) != facts.get("sha256"):
            problems.append(f"de controlesom van zoekindexbestand {rel} klopt niet")
    extra = sorted(set(present) - set(files))
    if extra:
        problems.append("onbekende bestanden in de zoekindex: " + ", ".join(extra[:5]))
    if len(problems) > before:
        return
    try:
        count = search_doc_count(folder)
    except Exception as exc:  # noqa: BLE001 - any failure to open means: broken
        problems.append(f"de zoekindex is niet te openen ({type(exc).__name__})")
        return
    if count != expected.get(SEARCH_COUNT):
        problems.append(
            f"de zoekindex heeft {count} documenten, {expected.get(SEARCH_COUNT)} volgens het"
            " manifest"
        )
