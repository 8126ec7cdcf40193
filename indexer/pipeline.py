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
   (the search package's incremental update), or built in full (first build, ``--full``,
   other index code, or when too much changed: the report gives the reason);
6. write ``manifest.json`` (counts, checksums), verify it from disk, and only then
   switch ``CURRENT`` atomically; the previous generation is kept, older ones go.

A crash or SIGKILL at any point leaves the live generation untouched; the next
run removes the partial folder.

Tests hold a run at a stage through the ``on_stage`` callback of :func:`run_index`
(see :data:`STAGE_POINTS`); the product passes none.

This module only orders the steps; they live in :mod:`indexer.scan` (which files
changed), :mod:`indexer.documents` (parse one file), :mod:`indexer.live` (the live
generation), :mod:`indexer.knowledge` (the graph) and :mod:`indexer.report`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.documents import build_document, build_vocabulary_for, document_id, text_sources
from indexer.knowledge.fingerprint import code_changed, needs_rebuild
from indexer.knowledge.update import update_knowledge
from indexer.live import copy_store, inspect_live, open_live_store, search_index_stale
from indexer.report import IndexReport, Skipped, VerificationFailed
from indexer.scan import CorpusScan, ProgressFactory, scan_corpus
from kennisbank import generations, manifest
from kennisbank.config import Settings
from kennisbank.errors import SkipFile
from kennisbank.lock import IndexLock
from kennisbank.model import Document
from kennisbank.search import indexing
from kennisbank.store import Store

__all__ = ["STAGE_POINTS", "StageCallback", "run_index"]

#: The points at which :func:`run_index` calls its ``on_stage`` callback, in run order.
STAGE_POINTS = (
    "lock",  # lock taken, nothing done yet
    "copy",  # new generation folder holds the copied SQLite file
    "parse",  # changed files parsed, nothing written yet
    "knowledge",  # documents and graph written (transaction committed)
    "search",  # full-text index built, no manifest yet
    "verify",  # manifest written, not yet verified
    "publish",  # temporary pointer written and flushed, CURRENT not yet replaced
    "published",  # CURRENT replaced, older generations not yet removed
)
#: ``on_stage(stage, folder)``: told that the run reached ``stage`` (one of
#: :data:`STAGE_POINTS`); ``folder`` is the data directory at ``lock``, else the new
#: generation folder.  It may block: the crash tests hold the indexer there and kill it.
StageCallback = Callable[[str, Path | None], None]


def _no_stage(stage: str, where: Path | None) -> None:
    """The ``on_stage`` callback of a normal run: nothing."""


@contextmanager
def _timed(stages: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = round(stages.get(name, 0.0) + time.perf_counter() - started, 3)


def run_index(
    settings: Settings,
    progress: ProgressFactory | None = None,
    *,
    full: bool = False,
    on_stage: StageCallback | None = None,
) -> IndexReport:
    """Index ``settings.corpus_dir`` into a new generation in ``settings.data_dir``.

    ``full`` rebuilds everything from the corpus (the live generation is not copied,
    but it is kept as the previous one for readers that still use it).  Raises
    :class:`~kennisbank.lock.IndexLocked` when another indexer runs and
    :class:`VerificationFailed` when the new generation fails its manifest check
    (the live generation stays).  See the module docstring for the steps.
    ``on_stage`` is called at each of :data:`STAGE_POINTS` (tests use it to pause the run).
    """
    stage = on_stage or _no_stage
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
        stage("lock", data_dir)
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
        _run(settings, report, live.folder, progress, stage, full=full)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _run(
    settings: Settings,
    report: IndexReport,
    live: Path | None,
    progress: ProgressFactory | None,
    stage: StageCallback,
    *,
    full: bool = False,
) -> None:
    """The run proper, under the lock: scan, then build and publish when needed.

    ``live`` is the verified live generation (kept as the previous one); unless
    ``full``, its store is the base that the new generation starts from.
    """
    data_dir = settings.data_dir
    stages = report.stages
    base = None if full else open_live_store(live)
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
        _build(settings, report, scan, known, live, target, stage, copy=not full)
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
    stage: StageCallback,
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
    stage("copy", target)
    with Store(db, create=True) as store:
        with _timed(stages, "parse"):
            built = _parse_changed(settings, report, scan, known)
        stage("parse", target)
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
        stage("knowledge", target)
        with _timed(stages, "search"):
            report.search = _build_search(store, target, live if copy else None)
        counts = store.counts()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stage("search", target)
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
        stage("verify", target)
        try:
            manifest.verify(target)
        except manifest.ManifestError as exc:
            raise VerificationFailed(exc) from exc
    with _timed(stages, "publish"):
        generations.switch(data_dir, target, lambda: stage("publish", target))
        report.published = True
        report.generation = target.name
        stage("published", target)
        keep = {target.name} | ({report.previous} if report.previous else set())
        generations.prune(data_dir, keep)
        if live is None:
            generations.remove_legacy(data_dir)


def _parse_changed(
    settings: Settings,
    report: IndexReport,
    scan: CorpusScan,
    known: dict[str, dict[str, Any]],
) -> list[tuple[Document, list[dict[str, Any]], int]]:
    """Parse, segment and describe the new and changed files of ``scan``."""
    vocabulary = (
        build_vocabulary_for(text_sources(scan.paths, scan.todo, settings)) if scan.todo else None
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


def _build_search(store: Store, generation: Path, previous: Path | None) -> dict[str, Any]:
    """The full-text index of ``store`` in ``generation/search``: the ``previous``
    generation's index updated (:mod:`kennisbank.search.indexing`) when that is possible,
    otherwise built in full; ``mode`` and, for a full build, ``reason`` say which."""
    target = generations.search_dir(generation)
    reason = "volledige bouw"
    if previous is not None:
        plan = indexing.plan_update(generations.search_dir(previous), store)
        if plan.reason is None:
            return indexing.apply_update(plan, store, generations.search_dir(previous), target)
        reason = plan.reason
    counts = indexing.build_search_index(store, target)
    indexing.record_state(store, target)
    return {**counts, "mode": "full", "reason": reason}
