"""The knowledge stage, incremental per document where that is safe.

Recognising entity mentions (the spaCy pipeline over every passage) is the slow
part of the knowledge stage, and mentions are a function of one passage's text
and the *effective registry* (the curated registry plus what the documents
harvest into it) only.  So when

* the registry fingerprint (curated data files and recognition settings) is the
  one the store was built with, and
* the effective-registry fingerprint (every entity after harvesting all current
  documents, plus the source of the recognition code) is unchanged too,

the stored mentions of unchanged documents are reused and only the passages of
new or changed documents are run through the pipeline.  Everything derived from
mentions is recomputed over the whole corpus from the stored plus the new
mentions — harvested and person entities, links (``ligt_in``, ``deelnemer``,
``actief_in``) and commitments — and written in the same order as a full build,
so an incremental run gives exactly the graph a full build gives.  Otherwise the
whole corpus is extracted (a full rebuild).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.knowledge.commitments import find_commitments
from indexer.knowledge.fingerprint import (
    CODE_FINGERPRINT_KEY,
    EFFECTIVE_FINGERPRINT_KEY,
    REGISTRY_FINGERPRINT_KEY,
    code_fingerprint,
    effective_fingerprint,
    registry_fingerprint,
)
from indexer.knowledge.genre import DocumentProfile, profile_from_row
from indexer.knowledge.harvest_entities import harvest
from indexer.knowledge.link import extract_links
from indexer.knowledge.settings import recognition_settings
from kennisbank import graph
from kennisbank.config import Settings
from kennisbank.model import Mention, Passage
from kennisbank.registry import Registry
from kennisbank.store import Store


@dataclass
class KnowledgeUpdate:
    """What the knowledge stage did."""

    incremental: bool = False
    extracted_passages: int = 0
    reused_passages: int = 0
    harvested: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for the index report."""
        return {
            "mode": "incrementeel" if self.incremental else "volledig",
            "extracted_passages": self.extracted_passages,
            "reused_passages": self.reused_passages,
        }


def _harvest_summary(item: Any) -> dict[str, Any]:
    data = item.to_dict() if hasattr(item, "to_dict") else dict(vars(item))
    return {k: data[k] for k in ("id", "type", "name", "status", "passage_id") if k in data}


def _persons(mentions: list[Any], registry: Registry) -> list[dict[str, Any]]:
    """Entities for recognised people, who are not in the curated registry.

    The name is the surface written most often (the first of those written equally
    often: ``Heemskerk`` twice and ``Van Heemskerk`` once is ``Heemskerk``); its source is
    the first passage that writes it.
    """
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[tuple[str, str], Any] = {}
    for m in mentions:
        if m.entity_id in registry:
            continue
        surfaces[m.entity_id][m.surface] += 1
        first.setdefault((m.entity_id, m.surface), m)
    found: list[dict[str, Any]] = []
    for eid, counts in surfaces.items():
        name = counts.most_common(1)[0][0]
        m = first[(eid, name)]
        found.append(
            {
                "id": eid,
                "type": eid.split("/", 1)[0],
                "name": name,
                "aliases": [],
                "attributes": {},
                "origin": "harvested",
                "sources": [{"fact": "name", "document": m.document_id, "passage": m.passage_id}],
            }
        )
    return found


def _stored_mentions(store: Store, skip: set[str]) -> dict[str, list[Mention]]:
    """Stored mentions per passage id (documents in ``skip`` left out), in stored order."""
    found: dict[str, list[Mention]] = defaultdict(list)
    rows = store.conn.execute(
        'SELECT entity_id, passage_id, document_id, start, "end", surface, method, score, rule'
        " FROM mentions ORDER BY rowid"
    )
    for row in rows:
        if row["document_id"] in skip:
            continue
        found[row["passage_id"]].append(
            Mention(
                entity_id=row["entity_id"],
                passage_id=row["passage_id"],
                document_id=row["document_id"],
                start=row["start"],
                end=row["end"],
                surface=row["surface"],
                method=row["method"],
                score=row["score"],
                rule=row["rule"],
            )
        )
    return found


def document_profiles(
    store: Store, by_document: Mapping[str, Sequence[Passage]]
) -> dict[str, DocumentProfile]:
    """The :class:`~indexer.knowledge.genre.DocumentProfile` of every stored document."""
    rows = store.conn.execute("SELECT id, doctype, title, identifier, metadata FROM documents")
    return {
        row["id"]: profile_from_row(dict(row), (p.text for p in by_document.get(row["id"], ())))
        for row in rows
    }


def _group(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.passage_id].append(mention)
    return grouped


def update_knowledge(
    store: Store,
    changed_documents: set[str],
    settings: Settings | None = None,
    registry: Registry | None = None,
) -> KnowledgeUpdate:
    """Rebuild the graph tables, re-extracting only ``changed_documents`` when safe.

    ``changed_documents`` are the ids of documents that were added, changed or
    removed since the store's graph was built.  Runs inside the caller's
    transaction.
    """
    registry = registry or Registry.load()
    meta = store.meta()
    passages = store.all_passages()
    by_document: dict[str, list[Passage]] = defaultdict(list)
    for passage in passages:
        by_document[passage.document_id].append(passage)
    report = KnowledgeUpdate()
    for doc_id, doc_passages in by_document.items():
        for item in harvest(doc_id, doc_passages, registry):
            report.harvested.append(_harvest_summary(item))
    fingerprint = registry_fingerprint(settings)
    effective = effective_fingerprint(registry)
    report.incremental = (
        meta.get(REGISTRY_FINGERPRINT_KEY) == fingerprint
        and meta.get(EFFECTIVE_FINGERPRINT_KEY) == effective
        and graph.graph_counts(store.conn)["entities"] > 0
    )
    if report.incremental:
        stored = _stored_mentions(store, changed_documents)
        todo = [p for p in passages if p.document_id in changed_documents]
    else:
        stored, todo = {}, passages
    fresh: dict[str, list[Mention]] = {}
    if todo:
        from indexer.knowledge.extract import EntityExtractor  # noqa: PLC0415 - loads spaCy

        extractor = EntityExtractor(registry, recognition_settings(settings))
        fresh = _group(extractor.extract(todo))
    report.extracted_passages = len(todo)
    report.reused_passages = len(passages) - len(todo)
    redo = {p.id for p in todo}
    mentions = [m for p in passages for m in (fresh if p.id in redo else stored).get(p.id, [])]
    links = extract_links(passages, mentions, registry)
    refs_by_passage: dict[str, list[str]] = defaultdict(list)
    for ref in store.refs():
        refs_by_passage[ref["passage_id"]].append(ref["identifier"])
    commitments = find_commitments(
        passages, mentions, refs_by_passage, document_profiles(store, by_document)
    )
    graph.clear(store.conn)
    graph.write_entities(store.conn, registry.all())
    graph.write_entities(store.conn, _persons(mentions, registry))
    graph.write_mentions(store.conn, mentions)
    graph.write_links(store.conn, links)
    graph.write_commitments(store.conn, commitments)
    store.set_meta(REGISTRY_FINGERPRINT_KEY, fingerprint)
    store.set_meta(EFFECTIVE_FINGERPRINT_KEY, effective)
    store.set_meta(CODE_FINGERPRINT_KEY, code_fingerprint())
    return report
