"""The knowledge stage of an indexing run: entities, mentions, links and commitments.

After the documents are stored, the whole graph is rebuilt from the curated
registry plus what the documents add (harvested entities), so that it always
agrees with the current corpus and registry.  The stage runs only when a
document was added, changed or removed, the registry files changed, or the graph
is empty.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kennisbank import graph
from kennisbank.config import Settings
from kennisbank.registry import DATA_DIR, Registry
from kennisbank.store import Store

REGISTRY_FINGERPRINT_KEY = "registry_fingerprint"


def registry_fingerprint(settings: Settings | None = None) -> str:
    """A hash over the curated data files and the recognition settings.

    When it changes, the graph is rebuilt.
    """
    digest = hashlib.sha256()
    digest.update(repr(recognition_settings(settings)).encode())
    for path in sorted(DATA_DIR.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class KnowledgeReport:
    """What the knowledge stage did."""

    rebuilt: bool = False
    harvested: list[dict[str, Any]] = field(default_factory=list)


def needs_rebuild(store: Store, documents_changed: bool, settings: Settings | None = None) -> bool:
    """True when the graph must be rebuilt (documents, registry or thresholds changed)."""
    if documents_changed:
        return True
    if store.meta().get(REGISTRY_FINGERPRINT_KEY) != registry_fingerprint(settings):
        return True
    return graph.graph_counts(store.conn)["entities"] == 0


def recognition_settings(settings: Settings | None) -> Any:
    """The entity-recognition thresholds of ``settings`` (defaults when None)."""
    from indexer.nlp import RecognitionSettings

    if settings is None:
        return RecognitionSettings()
    return RecognitionSettings(
        fuzzy_threshold=float(settings.fuzzy_threshold),
        min_fuzzy_length=settings.min_fuzzy_length,
        thema_min_words=settings.thema_min_words,
        use_statistical_model=settings.spacy_model,
    )


def build_knowledge(
    store: Store, registry: Registry | None = None, settings: Settings | None = None
) -> KnowledgeReport:
    """Rebuild the graph tables from the stored passages (inside the caller's transaction)."""
    from indexer.commitments import find_commitments
    from indexer.extract import EntityExtractor
    from indexer.harvest_entities import harvest
    from indexer.link import extract_links

    registry = registry or Registry.load()
    report = KnowledgeReport(rebuilt=True)
    passages = store.all_passages()
    by_document: dict[str, list[Any]] = defaultdict(list)
    for passage in passages:
        by_document[passage.document_id].append(passage)
    for doc_id, doc_passages in by_document.items():
        for item in harvest(doc_id, doc_passages, registry):
            report.harvested.append(_harvest_summary(item))
    mentions = EntityExtractor(registry, recognition_settings(settings)).extract(passages)
    links = extract_links(passages, mentions, registry)
    refs_by_passage: dict[str, list[str]] = defaultdict(list)
    for ref in store.refs():
        refs_by_passage[ref["passage_id"]].append(ref["identifier"])
    commitments = find_commitments(passages, mentions, refs_by_passage)
    graph.clear(store.conn)
    graph.write_entities(store.conn, registry.all())
    graph.write_entities(store.conn, _persons(mentions, registry))
    graph.write_mentions(store.conn, mentions)
    graph.write_links(store.conn, links)
    graph.write_commitments(store.conn, commitments)
    store.set_meta(REGISTRY_FINGERPRINT_KEY, registry_fingerprint(settings))
    return report


def _harvest_summary(item: Any) -> dict[str, Any]:
    data = item.to_dict() if hasattr(item, "to_dict") else dict(vars(item))
    return {k: data[k] for k in ("id", "type", "name", "status", "passage_id") if k in data}


def _persons(mentions: list[Any], registry: Registry) -> list[dict[str, Any]]:
    """Entities for recognised people, who are not in the curated registry."""
    found: dict[str, dict[str, Any]] = {}
    for m in mentions:
        if m.entity_id in registry or m.entity_id in found:
            continue
        etype = m.entity_id.split("/", 1)[0]
        found[m.entity_id] = {
            "id": m.entity_id,
            "type": etype,
            "name": m.surface,
            "aliases": [],
            "attributes": {},
            "origin": "harvested",
            "sources": [{"fact": "name", "document": m.document_id, "passage": m.passage_id}],
        }
    return list(found.values())
