"""The indexing run: walk the corpus, parse what changed, build a new generation, publish.

A run is incremental: a file whose content (and sidecar) checksum is unchanged is
not parsed again, so its passage ids stay as they are.  Every run that changes
something builds a complete new *generation* (see :mod:`kennisbank.generations`):

1. take the indexer lock (:mod:`kennisbank.lock`; a second indexer stops with exit
   code 3) and remove what an interrupted run left behind;
2. verify the live generation against its manifest; a missing, damaged or
   old-layout index means a full build;
3. scan the corpus (checksums) against the live store; nothing changed → nothing
   is published (the report says ``ongewijzigd``);
4. copy the live SQLite file into ``gen-<stamp>/kennisbank.sqlite`` (SQLite backup
   API), store the parsed documents and rebuild the graph in one transaction;
5. make the full-text index in ``gen-<stamp>/search/``: the live generation's index
   hard-linked and updated with the passages of changed documents
   (:mod:`kennisbank.searchupdate`), or built in full (first build, ``--full``,
   other index code, or when too much changed: the report gives the reason);
6. write ``manifest.json`` (counts, checksums), verify it from disk, and only then
   switch ``CURRENT`` atomically; the previous generation is kept, older ones go.

A crash or SIGKILL at any point leaves the live generation untouched; the next
run removes the partial folder.

Test-only hook: with ``KENNISBANK_TEST_PAUSE_AT=<stage>`` (one of
:data:`PAUSE_STAGES`, comma-separated for several) the indexer prints
``KENNISBANK_TEST_PAUSED <stage> <folder>`` to stderr at that point and waits
until it receives SIGUSR1 or ``KENNISBANK_TEST_PAUSE_SECONDS`` (default 60) have
passed, so a test can kill it there deterministically.  Never set it otherwise.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.knowledge import needs_rebuild
from indexer.knowledge_update import code_changed, update_knowledge
from indexer.metadata import is_sidecar, read_sidecar, resolve_metadata
from indexer.official import is_companion_metadata, read_companion
from indexer.segment import segment
from indexer.sources import SourceFile, decode_text, parse_source, read_source
from kennisbank import generations, manifest
from kennisbank.config import Settings
from kennisbank.errors import IndexMissing, KennisbankError, SkipFile
from kennisbank.lock import IndexLock
from kennisbank.model import Document
from kennisbank.refs import find_refs
from kennisbank.store import Store

#: Files in the corpus folder that are never documents.
_IGNORED_NAMES = re.compile(r"^(\.|catalog\.|README|SOURCES)", re.IGNORECASE)
_TEXT_FORMATS = {"text", "markdown"}

#: Environment variable of the test-only pause hook (see the module docstring).
PAUSE_ENV = "KENNISBANK_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "KENNISBANK_TEST_PAUSE_SECONDS"
#: Points where the pause hook can hold the indexer.
PAUSE_STAGES = (
    "lock",  # lock taken, nothing done yet
    "copy",  # new generation folder holds the copied SQLite file
    "parse",  # changed files parsed, nothing written yet
    "knowledge",  # documents and graph written (transaction committed)
    "search",  # full-text index built, no manifest yet
    "verify",  # manifest written, not yet verified
    "publish",  # temporary pointer written and flushed, CURRENT not yet replaced
    "published",  # CURRENT replaced, older generations not yet removed
)
#: The problem :func:`inspect_live` reports for a data directory without any index.
NO_INDEX = "er is nog geen index"
#: Stages whose seconds the report gives (in this order).
TIMED_STAGES = ("scan", "copy", "parse", "knowledge", "search", "verify", "publish")
_STAGE_LABELS = {
    "scan": "scannen",
    "copy": "kopiëren",
    "parse": "ontleden",
    "knowledge": "kennis",
    "search": "zoekindex",
    "verify": "controle",
    "publish": "publiceren",
}


class VerificationFailed(KennisbankError):
    """A new generation did not match its manifest: it was not published."""

    def __init__(self, cause: manifest.ManifestError) -> None:
        self.cause = cause
        super().__init__(
            f"De nieuwe index is niet gepubliceerd, want de controle faalde. {cause} "
            "De vorige index blijft in gebruik."
        )


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
    #: How the knowledge stage ran (``mode``, passages extracted and reused); {} when skipped.
    knowledge: dict[str, Any] = field(default_factory=dict)
    #: The live generation after the run, and the one it replaced (when published).
    generation: str | None = None
    previous: str | None = None
    #: True when this run published a new generation; False when nothing changed.
    published: bool = False
    #: True when the run started from nothing (no, a damaged or an old-layout index).
    full_build: bool = False
    #: Dutch notes about the run itself (full build and why, stale lock, clean-up).
    notices: list[str] = field(default_factory=list)
    #: Leftovers of interrupted runs that were removed.
    cleaned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every file was indexed, 2 when some were skipped."""
        return 2 if self.skipped else 0

    @property
    def outcome(self) -> str:
        """``volledig`` (full build), ``incrementeel`` or ``ongewijzigd`` (nothing published)."""
        if not self.published:
            return "ongewijzigd"
        return "volledig" if self.full_build else "incrementeel"

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
            "knowledge": self.knowledge,
            "outcome": self.outcome,
            "published": self.published,
            "full_build": self.full_build,
            "generation": self.generation,
            "previous": self.previous,
            "notices": self.notices,
            "cleaned": self.cleaned,
            "seconds": self.seconds,
            "stages": self.stages,
            **self.totals,
        }

    def summary_lines(self) -> list[str]:
        """Dutch lines for ``kennisbank index``: the outcome with the time of each stage."""
        lines = list(self.notices)
        stages = ", ".join(
            f"{_STAGE_LABELS[name]} {self.stages[name]:.1f} s"
            for name in TIMED_STAGES
            if name in self.stages
        )
        if self.outcome == "ongewijzigd":
            lines.append(
                f"Index ongewijzigd: er is niets nieuws gepubliceerd ({self.seconds:.1f} s)."
            )
        else:
            kind = "Volledige bouw" if self.full_build else "Incrementele bouw"
            lines.append(f"{kind}: {self.seconds:.1f} s ({stages})")
            if self.search:
                lines.append(search_summary(self.search))
        if self.generation:
            lines.append(f"Live generatie: {self.generation}")
        return lines


def search_summary(search: dict[str, Any]) -> str:
    """The Dutch line about the full-text index: updated (how much) or rebuilt (why)."""
    seconds = f"{float(search.get('seconds', 0.0)):.1f} s"
    if search.get("mode") == "incremental":
        changed = search.get("reindexed_documents", 0)
        return (
            f"Zoekindex: bijgewerkt ({changed} {'document' if changed == 1 else 'documenten'}"
            f" opnieuw, {search.get('removed_documents', 0)} verwijderd;"
            f" {search.get('added_passages', 0)} passages toegevoegd,"
            f" {search.get('deleted_passages', 0)} verwijderd), {seconds}"
        )
    reason = search.get("reason")
    return f"Zoekindex: opnieuw opgebouwd{f' ({reason})' if reason else ''}, {seconds}"


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


def pause_point(stage: str, where: Path | None = None) -> None:
    """Test-only: hold the indexer at ``stage`` when :data:`PAUSE_ENV` names it.

    Prints ``KENNISBANK_TEST_PAUSED <stage> <where>`` to stderr, then waits for
    SIGUSR1 or :data:`PAUSE_SECONDS_ENV` seconds (default 60).  A no-op otherwise.
    """
    wanted = os.environ.get(PAUSE_ENV, "")
    if stage not in {w.strip() for w in wanted.split(",") if w.strip()}:
        return
    seconds = float(os.environ.get(PAUSE_SECONDS_ENV) or 60)
    resumed = threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGUSR1, lambda *_: resumed.set()) if in_main else None
    try:
        print(f"KENNISBANK_TEST_PAUSED {stage} {where or ''}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + seconds
        while not resumed.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        if in_main:
            signal.signal(signal.SIGUSR1, previous)


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


@contextmanager
def _timed(stages: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = round(stages.get(name, 0.0) + time.perf_counter() - started, 3)


def run_index(
    settings: Settings, progress: ProgressFactory | None = None, *, full: bool = False
) -> IndexReport:
    """Index ``settings.corpus_dir`` into a new generation in ``settings.data_dir``.

    ``full`` rebuilds everything from the corpus (the live generation is not copied,
    but it is kept as the previous one for readers that still use it).  Raises
    :class:`~kennisbank.lock.IndexLocked` when another indexer runs and
    :class:`VerificationFailed` when the new generation fails its manifest check
    (the live generation stays).  See the module docstring for the steps.
    """
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise SkipFile(str(corpus), "de corpusmap bestaat niet")
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report = IndexReport()
    with IndexLock(data_dir) as lock:
        if lock.took_over is not None:
            report.notices.append(
                f"Een achtergebleven slot van proces {lock.took_over.pid} (dat niet meer"
                " bestaat) is overgenomen."
            )
        pause_point("lock", data_dir)
        report.cleaned = generations.cleanup(data_dir)
        if report.cleaned:
            report.notices.append(
                "Resten van een onderbroken indexering opgeruimd: " + ", ".join(report.cleaned)
            )
        live = inspect_live(data_dir)
        if live.problem is not None:
            report.full_build = True
            report.notices.append(f"Volledige nieuwe index: {live.problem}.")
        elif full:
            report.full_build = True
            report.notices.append("Volledige nieuwe index: gevraagd met --full.")
        _run(settings, report, live.folder, progress, full=full)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _open_live_store(folder: Path | None) -> Store | None:
    if folder is None:
        return None
    try:
        return Store(generations.db_file(folder))
    except (IndexMissing, sqlite3.Error):
        return None


def _run(
    settings: Settings,
    report: IndexReport,
    live: Path | None,
    progress: ProgressFactory | None,
    *,
    full: bool = False,
) -> None:
    """The run proper, under the lock: scan, then build and publish when needed.

    ``live`` is the verified live generation (kept as the previous one); unless
    ``full``, its store is the base that the new generation starts from.
    """
    data_dir = settings.data_dir
    stages = report.stages
    base = None if full else _open_live_store(live)
    if live is not None and base is None and not full:
        report.full_build = True
        report.notices.append("Volledige nieuwe index: de live database is niet te openen.")
        live = None
    try:
        with _timed(stages, "scan"):
            known = base.files() if base else {}
            scan = scan_corpus(settings, known, progress)
        report.files_seen = len(scan.paths)
        report.unchanged, report.skipped, report.removed = (
            scan.unchanged,
            scan.skipped,
            scan.removed,
        )
        if (
            base is not None
            and live is not None
            and not scan.differs(known)
            and not needs_rebuild(base, False, settings)
            and not code_changed(base)
            and not search_index_stale(live)
        ):
            report.generation = live.name
            report.totals = base.counts()
            return
    finally:
        if base is not None:
            base.close()
    target = generations.new_generation_dir(data_dir)
    try:
        _build(settings, report, scan, known, live, target, copy=not full)
    except BaseException:
        generations.discard(target)
        raise


def _build(
    settings: Settings,
    report: IndexReport,
    scan: CorpusScan,
    known: dict[str, dict[str, Any]],
    live: Path | None,
    target: Path,
    *,
    copy: bool = True,
) -> None:
    """Fill ``target`` (a new generation folder), verify it and publish it.

    With ``copy`` the live generation's store is the starting point (incremental).
    """
    data_dir = settings.data_dir
    stages = report.stages
    now = datetime.now(UTC).isoformat(timespec="seconds")
    db = generations.db_file(target)
    with _timed(stages, "copy"):
        if live is not None and copy:
            copy_store(generations.db_file(live), db)
    pause_point("copy", target)
    with Store(db, create=True) as store:
        with _timed(stages, "parse"):
            built = _parse_changed(settings, report, scan, known)
        pause_point("parse", target)
        with store.transaction():
            with _timed(stages, "parse"):
                for rel in scan.removed:
                    store.forget_file(rel)
                for doc, refs, size in built:
                    store.put_document(doc, refs)
                    store.record_file(doc.path, doc.checksum, size, "indexed", None, doc.id, now)
                for rel, checksum, size, status, reason in scan.file_rows:
                    # A file that became unreadable keeps its previous document serving.
                    kept = known.get(rel, {}).get("document_id")
                    store.record_file(rel, checksum, size, status, reason, kept, now)
            with _timed(stages, "knowledge"):
                changed = {doc.id for doc, _refs, _size in built} | {
                    known[rel]["document_id"] for rel in scan.removed if known[rel]["document_id"]
                }
                if needs_rebuild(store, bool(built or scan.removed), settings) or code_changed(
                    store
                ):
                    update = update_knowledge(store, changed, settings)
                    report.harvested = update.harvested
                    report.knowledge = update.to_dict()
            store.set_meta("built_at", now)
            store.set_meta("corpus_dir", str(settings.corpus_dir.resolve()))
            store.set_meta("generation", target.name)
        pause_point("knowledge", target)
        with _timed(stages, "search"):
            report.search = _build_search(store, target, live if copy else None)
        counts = store.counts()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pause_point("search", target)
    report.totals = counts
    report.previous = live.name if live is not None else None
    with _timed(stages, "verify"):
        generations.fsync_tree(target)
        facts = {
            "previous": report.previous,
            "built_at": now,
            "full_build": report.full_build,
            "corpus_dir": str(settings.corpus_dir.resolve()),
            "files": len(scan.paths),
            "stages": dict(stages),
        }
        counts = {**counts, manifest.SEARCH_COUNT: int(report.search.get("passages", 0))}
        manifest.write_manifest(target, manifest.build_manifest(target, counts=counts, **facts))
        generations.fsync_dir(target)
        pause_point("verify", target)
        try:
            manifest.verify(target)
        except manifest.ManifestError as exc:
            raise VerificationFailed(exc) from exc
    with _timed(stages, "publish"):
        generations.switch(data_dir, target, lambda: pause_point("publish", target))
        report.published = True
        report.generation = target.name
        pause_point("published", target)
        keep = {target.name} | ({report.previous} if report.previous else set())
        generations.prune(data_dir, keep)
        if live is None:
            generations.remove_legacy(data_dir)


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


def _parse_changed(
    settings: Settings,
    report: IndexReport,
    scan: CorpusScan,
    known: dict[str, dict[str, Any]],
) -> list[tuple[Document, list[dict[str, Any]], int]]:
    """Parse, segment and describe the new and changed files of ``scan``."""
    vocabulary = (
        build_vocabulary_for(_all_text_sources(scan.paths, scan.todo, settings))
        if scan.todo
        else None
    )
    taken = {f["document_id"] for f in known.values() if f["document_id"]}
    built: list[tuple[Document, list[dict[str, Any]], int]] = []
    for src, rel, checksum, sidecar in scan.todo:
        previous_id = known.get(rel, {}).get("document_id")
        doc_id = previous_id or document_id(rel, taken)
        taken.add(doc_id)
        try:
            doc, refs = build_document(src, rel, doc_id, checksum, sidecar, vocabulary)
        except SkipFile as exc:
            report.skipped.append(Skipped(rel, exc.reason))
            scan.file_rows.append((rel, checksum, src.size, "skipped", exc.reason))
            continue
        report.parsed.append(rel)
        report.warnings.extend(f"{rel}: {w}" for w in doc.warnings)
        built.append((doc, refs, src.size))
    return built


def search_index_stale(generation: Path) -> bool:
    """True when the generation's full-text index was built by another schema version."""
    from kennisbank.searchindex import SEARCH_SCHEMA_VERSION, read_meta

    meta = read_meta(generations.search_dir(generation))
    return meta.get("schema_version") != SEARCH_SCHEMA_VERSION


def _build_search(store: Store, generation: Path, previous: Path | None) -> dict[str, Any]:
    """The full-text index of ``store`` in ``generation/search``: the ``previous``
    generation's index updated (:mod:`kennisbank.searchupdate`) when that is possible,
    otherwise built in full; ``mode`` and, for a full build, ``reason`` say which."""
    from kennisbank import searchupdate
    from kennisbank.searchindex import build_search_index

    target = generations.search_dir(generation)
    reason = "volledige bouw"
    if previous is not None:
        plan = searchupdate.plan_update(generations.search_dir(previous), store)
        if plan.reason is None:
            return searchupdate.apply_update(plan, store, generations.search_dir(previous), target)
        reason = plan.reason
    counts = build_search_index(store, target)
    searchupdate.record_state(store, target)
    return {**counts, "mode": "full", "reason": reason}


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
