"""Update the previous generation's search index instead of building it again.

A new generation starts from the previous one's Whoosh index: its files are
*hard-linked* into the new ``search/`` folder (Whoosh never changes a written file:
a commit writes new segment files and a new ``_MAIN_<n>.toc`` and deletes what is
unused, and deletions are recorded in that new TOC), so the previous generation
stays byte-identical while it still serves requests.  Then, in the new folder only:

1. the passages of documents that changed or are gone are deleted (by
   ``document_id``) and the passages of changed and new documents are added, built
   with the same record builder as a full build
   (``_record`` of :mod:`kennisbank.search.records`), into one new segment;
2. no deleted passage may stay behind, because Whoosh keeps counting deleted
   passages in its BM25 statistics and term lists (measured on the bundled corpus:
   with 24 % deleted, 10 of 24 dev queries ranked differently).  A segment that
   held only deleted passages is dropped whole; a segment that also holds other
   documents is rewritten by re-indexing those documents too (merging Whoosh
   segments costs more CPU per passage than indexing them again, measured).  When
   that would re-index other documents and more than :data:`FULL_SHARE` of the
   passages in all (re-indexing only the changed documents is never more work than
   a full build, however large they are), the deleted
   passages may stay in those large segments as long as they are at most
   :data:`STALE_SHARE` of all passages; otherwise a small index (up to
   :data:`REGROUP_PASSAGES`) is re-indexed here in document groups and a large one
   is built in full;
3. the vocabulary counts are updated (words of the deleted passages subtracted,
   of the added ones added), and the catalog, :data:`STATE_FILE` and the meta file
   (new build id, ``mode: "incremental"``) are written.

Re-indexed documents are written in groups of whole documents, one segment each
(:data:`GROUP_PASSAGES`).  New documents therefore always go in cheaply (no deletion
at all), and so does a change to a document whose group an earlier update wrote (only
that group is rewritten).  A change to a document in a segment of a full build
(which mixes documents) rewrites that segment or, in a large index, leaves a few
deletions (:data:`STALE_SHARE`).

Which documents to re-index is decided per document by a digest
(:func:`document_digests`) over everything its search records are made of: the
document row, the number and size of its passages, its references, and the
entities mentioned in each passage with the entity facts a record uses.  So a
knowledge stage that changed the entities of unchanged documents re-indexes those
documents too.

A full build is required (:func:`plan_update` gives the Dutch reason) when the
previous index has no :data:`STATE_FILE`, when the code or data that decide what
the index holds changed (:func:`code_fingerprint`: schema version, analyzer,
record builder, registry data, library versions), or when a large index would
have to re-index more than :data:`FULL_SHARE` of its passages because changed
documents share segments with others.

What can differ from a full build: passage order among equal scores (document
numbers differ), and — only while large segments keep deleted passages (at most
:data:`STALE_SHARE`) — BM25 statistics that still count those passages.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL

from kennisbank import refs, registry
from kennisbank.search.facets import CATALOG_FILE
from kennisbank.search.language import DATA_DIR
from kennisbank.search.meta import SEARCH_SCHEMA_VERSION, read_meta, write_meta
from kennisbank.search.records import Sources, catalog, passage_flags
from kennisbank.search.vocabulary import VOCABULARY_FILE, load_vocabulary, surface_words
from kennisbank.search.whoosh_backend.schema import text_analyzer
from kennisbank.search.whoosh_backend.writer import BuildWriter
from kennisbank.store import Store

#: Per-document digests and the code fingerprint of an index (next to the meta file).
STATE_FILE = "search-state.json"
#: Version of :data:`STATE_FILE`.
STATE_FORMAT = 1
#: Above this share of (re-)indexed passages a full build is not slower: build in full.
FULL_SHARE = 0.5
#: Deleted passages that may stay in large segments, as a share of all passages.
STALE_SHARE = 0.01
#: Up to this many passages an index whose segments mix too many documents is
#: re-indexed here, in document groups, rather than built in full (one process).
REGROUP_PASSAGES = 5_000
#: Re-indexed documents are written in segments of about this many passages, whole
#: documents each (so a later change rewrites one group), or more: at most
#: :data:`MAX_GROUPS` groups per update.
GROUP_PASSAGES = 500
MAX_GROUPS = 8
#: Whoosh's index name (the files are ``_MAIN_<n>.toc`` and ``MAIN_<id>.seg``).
_INDEX_NAME = "MAIN"
#: The search package: a change to any of its modules means the index is built in full.
_SEARCH_PACKAGE = Path(__file__).resolve().parent.parent
#: Modules outside the search package whose source decides what the records hold.
_RECORD_MODULES = (refs, registry)
#: Packages whose version decides what the index holds.
_PACKAGES = ("whoosh-reloaded", "PyStemmer", "simplemma", "wordfreq")


def code_fingerprint() -> str:
    """A hash over what decides the index's content besides the store.

    The schema version, the analyzer's name, the source of every module of the search
    package (all ``.py`` files under ``kennisbank/search``, by relative path) and of the
    modules the records use (:data:`_RECORD_MODULES`), every file in ``kennisbank/data``
    (registry, stopwords, stem overrides, thesaurus) and the versions of Whoosh and the
    stemming/frequency packages.
    """
    digest = hashlib.sha256(f"{SEARCH_SCHEMA_VERSION}\0{text_analyzer()[1]}".encode())
    for name, path in _code_files():
        digest.update(name.encode() + path.read_bytes())
    for path in sorted(DATA_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(DATA_DIR).as_posix().encode() + path.read_bytes())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=-".encode())
    return digest.hexdigest()


def _code_files() -> list[tuple[str, Path]]:
    """``(name, path)`` of every source file :func:`code_fingerprint` hashes, in a fixed
    order: the search package's modules by relative path, then :data:`_RECORD_MODULES`."""
    package = sorted(
        (path.relative_to(_SEARCH_PACKAGE.parent).as_posix(), path)
        for path in _SEARCH_PACKAGE.rglob("*.py")
    )
    return [*package, *((m.__name__, Path(str(m.__file__))) for m in _RECORD_MODULES)]


def document_digests(sources: Sources) -> dict[str, str]:
    """Document id → a digest over everything its search records depend on."""
    digests = {}
    by_document: dict[str, list[str]] = defaultdict(list)
    for (doc_id, passage_id), ids in sources.mentions.items():
        facts = [_entity_facts(sources.entities.get(eid, {})) for eid in ids]
        by_document[doc_id].append(json.dumps([passage_id, ids, facts], ensure_ascii=False))
    refs: dict[str, list[str]] = defaultdict(list)
    for (doc_id, passage_id), found in sources.refs.items():
        for ref in found:
            refs[doc_id].append(f"{passage_id}\0{ref['identifier']}\0{ref.get('vergaderjaar')}")
    for doc_id, doc in sources.documents.items():
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())
        digest.update(repr(sources.shape.get(doc_id)).encode())
        digest.update("\n".join(refs.get(doc_id, [])).encode())
        digest.update("\n".join(by_document.get(doc_id, [])).encode())
        digests[doc_id] = digest.hexdigest()
    return digests


def _entity_facts(info: dict[str, Any]) -> list[Any]:
    """The facts of an entity that ``_record`` of :mod:`kennisbank.search.records` uses."""
    return [info.get("type"), (info.get("attributes") or {}).get("gemeente")]


def write_state(index_dir: Path, digests: dict[str, str], fingerprint: str | None = None) -> None:
    """Write :data:`STATE_FILE` (code fingerprint and per-document digests) into ``index_dir``."""
    state = {
        "format": STATE_FORMAT,
        "code": fingerprint or code_fingerprint(),
        "documents": dict(sorted(digests.items())),
    }
    (Path(index_dir) / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")


def read_state(index_dir: Path) -> dict[str, Any]:
    """The :data:`STATE_FILE` of an index folder (``{}`` when missing or unreadable)."""
    try:
        state = json.loads((Path(index_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("format") == STATE_FORMAT else {}


def record_state(store: Store, index_dir: Path) -> None:
    """Write the state of an index just built in full from ``store``."""
    write_state(index_dir, document_digests(Sources.read(store)))


@dataclass
class UpdatePlan:
    """What an update of the previous index would do, or why a full build is needed."""

    #: Dutch reason for a full build; None when the index can be updated.
    reason: str | None = None
    #: Documents whose passages are (re-)added: new, changed, or sharing a rewritten segment.
    reindex: list[str] = field(default_factory=list)
    #: Documents whose passages are deleted only (gone from the store).
    remove: list[str] = field(default_factory=list)
    #: Of ``reindex``: documents re-indexed only because a segment is rewritten.
    regrouped: list[str] = field(default_factory=list)
    #: Deleted passages left in large segments (see :data:`STALE_SHARE`).
    stale: int = 0
    #: True when every document is re-indexed into new document groups.
    regroup: bool = False
    sources: Sources | None = None
    digests: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""


def code_changed_since(index_dir: Path) -> bool:
    """True when the index in ``index_dir`` was built by other search code, analysis or
    data than this (or records no fingerprint): it must be built again even when no
    corpus file changed."""
    return read_state(index_dir).get("code") != code_fingerprint()


def plan_update(previous_dir: Path, store: Store) -> UpdatePlan:
    """Compare ``store`` with the index in ``previous_dir`` (see the module docstring)."""
    state = read_state(previous_dir)
    if not state:
        return UpdatePlan("de vorige zoekindex heeft geen gegevens om bij te werken")
    fingerprint = code_fingerprint()
    if state.get("code") != fingerprint:
        return UpdatePlan("de zoekindexcode, de analyse of de registergegevens zijn gewijzigd")
    try:
        layout = segment_documents(previous_dir)
        complete = segments_have_columns(previous_dir)
    except Exception:  # noqa: BLE001 - an unreadable index is rebuilt
        return UpdatePlan("de vorige zoekindex is niet te lezen")
    if not complete:
        return UpdatePlan("een segment van de vorige zoekindex mist een sorteerkolom")
    sources = Sources.read(store)
    digests = document_digests(sources)
    before: dict[str, str] = state.get("documents") or {}
    changed = {d for d, digest in digests.items() if before.get(d) != digest}
    remove = sorted(set(before) - set(digests))
    plan = UpdatePlan(None, [], remove, sources=sources, digests=digests)
    plan.fingerprint = fingerprint
    total = sum(shape[0] for shape in sources.shape.values())
    exact = _rewrite_closure(layout, changed | set(remove))
    size = {d: shape[0] for d, shape in sources.shape.items()}
    if sum(size.get(d, 0) for d in exact) <= FULL_SHARE * total or exact == changed | set(remove):
        # Few passages to rewrite, or the changed documents have segments of their own:
        # rewriting them is never more work than a full build.
        touched = exact - set(remove)
    else:
        # Deletions that earlier updates left in large segments count too.
        stale = _left_deleted(layout, changed | set(remove)) + deleted_passages(previous_dir)
        if stale <= STALE_SHARE * total and sum(size[d] for d in changed) <= FULL_SHARE * total:
            touched, plan.stale = changed, stale
        elif total <= REGROUP_PASSAGES:
            touched, plan.regroup = set(digests), True
        else:
            touched = set()
            plan.reason = (
                f"{len(changed) + len(remove)} gewijzigde of verwijderde documenten delen"
                " segmenten met te veel andere passages; opnieuw opbouwen is sneller"
            )
    plan.reindex = [d for d in sources.documents if d in touched]
    plan.regrouped = sorted(touched - changed - set(remove))
    return plan


def deleted_passages(index_dir: Path) -> int:
    """Deleted passages that the segments of an index still hold."""
    ix = whoosh_index.open_dir(str(index_dir), readonly=True)
    try:
        return sum(seg.deleted_count() for seg in ix._segments())
    finally:
        ix.close()


def segment_documents(index_dir: Path) -> list[dict[str, int]]:
    """Per Whoosh segment of an index: live passages per document id."""
    ix = whoosh_index.open_dir(str(index_dir), readonly=True)
    try:
        layout = []
        for seg in ix._segments():
            reader = SegmentReader(ix.storage, ix.schema, seg)
            try:
                column = reader.column_reader("document_id")
                counts: Counter[str] = Counter(column[docnum] for docnum in reader.all_doc_ids())
            finally:
                reader.close()
            layout.append(dict(counts))
        return layout
    finally:
        ix.close()


def segments_have_columns(index_dir: Path) -> bool:
    """True when every segment has a column for every sortable field.

    Whoosh's multi-segment column reader leaves out a segment without the column, so
    the column would be shorter than the index: an updated index (always more than
    one segment) must not have such a segment.  :func:`apply_update` writes every
    column into the segments it makes (:func:`_fill_columns`).
    """
    ix = whoosh_index.open_dir(str(index_dir), readonly=True)
    try:
        sortable = [name for name, fieldobj in ix.schema.items() if fieldobj.column_type]
        for seg in ix._segments():
            reader = SegmentReader(ix.storage, ix.schema, seg)
            try:
                if not all(reader.has_column(name) for name in sortable):
                    return False
            finally:
                reader.close()
        return True
    finally:
        ix.close()


def _fill_columns(writer: Any, record: dict[str, Any]) -> None:
    """Give the segment being written a column for every sortable field ``record`` (its
    first document) lacks, holding the default value Whoosh reads for a missing one."""
    for name, fieldobj in writer.schema.items():
        column = fieldobj.column_type
        if column and name not in record:
            writer.perdocwriter.add_column_value(name, column, column.default_value(False))


def _rewrite_closure(layout: list[dict[str, int]], touched: set[str]) -> set[str]:
    """``touched`` plus every document that shares a segment with one of them (repeated
    until no segment is left with only part of its documents): re-indexing these leaves
    no deleted passage behind."""
    closure = set(touched)
    grown = True
    while grown:
        grown = False
        for docs in layout:
            if closure.intersection(docs) and not closure.issuperset(docs):
                closure.update(docs)
                grown = True
    return closure


def _left_deleted(layout: list[dict[str, int]], touched: set[str]) -> int:
    """Passages that deleting ``touched`` leaves as deletions in segments that keep
    other documents (a segment holding only ``touched`` documents is dropped whole)."""
    left = 0
    for docs in layout:
        if not set(docs) <= touched:
            left += sum(n for d, n in docs.items() if d in touched)
    return left


def link_index(source: Path, target: Path) -> int:
    """Hard-link the Whoosh files (TOC and segments) of ``source`` into the empty ``target``.

    Copies a file when linking is not possible (another file system).  Nothing else
    (lock, vocabulary, catalog, meta, state) is linked: those files are written anew.
    Returns the number of files.
    """
    target.mkdir(parents=True, exist_ok=True)
    toc, segment = TOC._pattern(_INDEX_NAME), TOC._segment_pattern(_INDEX_NAME)
    count = 0
    for path in sorted(Path(source).iterdir()):
        if not path.is_file() or not (toc.match(path.name) or segment.match(path.name)):
            continue
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)
        count += 1
    return count


def _drop_empty(writer: Any, segments: list[Any]) -> list[Any]:
    """Drop segments whose passages are all deleted; keep the others as they are."""
    return [seg for seg in segments if seg.doc_count() > 0]


def _merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Drop segments whose passages are all deleted; let Whoosh merge small ones as usual
    (merging whole segments keeps each document's passages together)."""
    return MERGE_SMALL(writer, _drop_empty(writer, segments))


def _groups(documents: list[str], sources: Sources) -> list[list[str]]:
    """``documents`` in order, cut into groups of whole documents (see :data:`GROUP_PASSAGES`)."""
    sizes = [sources.shape.get(d, (0, 0, 0))[0] for d in documents]
    limit = max(GROUP_PASSAGES, -(-sum(sizes) // MAX_GROUPS))
    groups: list[list[str]] = []
    filled = limit
    for doc_id, size in zip(documents, sizes, strict=True):
        if filled + size > limit and filled > 0:
            groups.append([])
            filled = 0
        groups[-1].append(doc_id)
        filled += size
    return groups


def apply_update(
    plan: UpdatePlan, store: Store, previous_dir: Path, target: Path
) -> dict[str, Any]:
    """Carry out ``plan`` (it must have no ``reason``): the previous index, updated, in
    ``target``.  Returns counts like :func:`.build.build_search_index`
    plus ``mode``, ``reindexed_documents`` (of which ``regrouped_documents`` only share a
    rewritten segment), ``removed_documents``, ``added_passages``, ``deleted_passages``,
    ``stale_passages`` (deletions left in large segments) and ``segments``."""
    assert plan.reason is None and plan.sources is not None
    started = time.perf_counter()
    sources = plan.sources
    link_index(previous_dir, target)
    ix = whoosh_index.open_dir(str(target))
    added = deleted = 0
    gone = [*plan.reindex, *plan.remove]
    # A regroup deletes every previous document: its vocabulary starts empty.
    vocabulary: Counter[str] = Counter(() if plan.regroup else load_vocabulary(previous_dir))
    if not plan.regroup:
        with ix.searcher() as searcher:
            for doc_id in gone:
                vocabulary.subtract(_indexed_words(searcher, doc_id))
    groups = _groups(plan.reindex, sources)
    for number, group in enumerate(groups or [[]]):
        writer = BuildWriter(ix)
        try:
            if number == 0:
                for doc_id in gone:
                    deleted += writer.delete_by_term("document_id", doc_id)
            first = True
            for doc_id in group:
                for record in sources.records(store, doc_id)[0]:
                    writer.add_document(**record)
                    if first:
                        _fill_columns(writer, record)
                        first = False
                    vocabulary.update(set(surface_words(record["text"])))
                    added += 1
                vocabulary.update(set(surface_words(sources.documents[doc_id]["title"])))
        except BaseException:
            writer.cancel()
            raise
        # Only the first commit merges small older segments; the groups stay apart.
        writer.commit(mergetype=_merge_policy if number == 0 else _drop_empty)
    ix = whoosh_index.open_dir(str(target))
    segments = ix._segments()
    stale = sum(seg.deleted_count() for seg in segments)
    passages = ix.doc_count()
    ix.close()
    words = {word: n for word, n in sorted(vocabulary.items()) if n > 0}
    (target / VOCABULARY_FILE).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    facet_catalog = catalog(sources.documents, sources.entities, store)
    (target / CATALOG_FILE).write_text(
        json.dumps(facet_catalog.to_dict(), ensure_ascii=False), encoding="utf-8"
    )
    write_state(target, plan.digests, plan.fingerprint)
    with_entities, with_refs = passage_flags(store)
    previous = read_meta(previous_dir)
    counts = {
        "passages": passages,
        "documents": len(sources.documents),
        "vocabulary": len(words),
        "with_entities": with_entities,
        "with_refs": with_refs,
        "seconds": round(time.perf_counter() - started, 3),
        "analyzer": previous.get("analyzer") or text_analyzer()[1],
        "writer": {"procs": 1},
        "mode": "incremental",
        "reindexed_documents": len(plan.reindex),
        "regrouped_documents": len(plan.regrouped),
        "regroup": plan.regroup,
        "removed_documents": len(plan.remove),
        "added_passages": added,
        "deleted_passages": deleted,
        "stale_passages": stale,
        "segments": len(segments),
        "based_on": previous.get("build_id"),
    }
    write_meta(target, counts)
    return counts


def _indexed_words(searcher: Any, doc_id: str) -> Counter[str]:
    """The vocabulary counts that the indexed passages of ``doc_id`` contributed."""
    words: Counter[str] = Counter()
    title = None
    for docnum in searcher.document_numbers(document_id=doc_id):
        stored = searcher.stored_fields(docnum)
        words.update(set(surface_words(stored.get("text", ""))))
        title = stored.get("title", "") if title is None else title
    if title is not None:
        words.update(set(surface_words(title)))
    return words
