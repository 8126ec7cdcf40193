"""Shared parts of the knowledge stage (entities, mentions, links, commitments).

:func:`indexer.knowledge_update.update_knowledge` runs the stage; this module holds
what decides whether it must run (the registry fingerprint over the curated data
files and the recognition settings) and small helpers it shares.
"""

from __future__ import annotations

import hashlib
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
