"""What decides whether the knowledge stage (entities, mentions, links, commitments) must run.

Three fingerprints, each stored in the store's meta table:

* the *registry* fingerprint: the curated data files and the recognition settings; when it
  changes, the graph is rebuilt;
* the *code* fingerprint: every ``.py`` file of this folder (:data:`KNOWLEDGE_DIR`, sorted by
  relative path) and the spaCy version; new recognition code means a full rebuild.  It hashes
  the folder, not a list of module names, so adding, moving or renaming a module here can
  never silently leave it out;
* the *effective-registry* fingerprint: every entity after harvesting, plus the code
  fingerprint; stored mentions are only reused while it is unchanged.

:func:`indexer.knowledge.update.update_knowledge` runs the stage.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from indexer.knowledge.settings import recognition_settings
from kennisbank import graph
from kennisbank.config import Settings
from kennisbank.registry import DATA_DIR, Registry
from kennisbank.store import Store

__all__ = [
    "CODE_FINGERPRINT_KEY",
    "EFFECTIVE_FINGERPRINT_KEY",
    "KNOWLEDGE_DIR",
    "REGISTRY_FINGERPRINT_KEY",
    "code_changed",
    "code_fingerprint",
    "effective_fingerprint",
    "needs_rebuild",
    "registry_fingerprint",
]

#: Meta key of the registry fingerprint the graph was built with.
REGISTRY_FINGERPRINT_KEY = "registry_fingerprint"
#: Meta key of the effective-registry fingerprint the stored mentions were made with.
EFFECTIVE_FINGERPRINT_KEY = "effective_registry_fingerprint"
#: Meta key of the recognition-code fingerprint the graph was made with.
CODE_FINGERPRINT_KEY = "knowledge_code_fingerprint"
#: The folder whose source decides what the knowledge stage finds.
KNOWLEDGE_DIR = Path(__file__).resolve().parent


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


def code_fingerprint(folder: Path = KNOWLEDGE_DIR) -> str:
    """A hash over every ``.py`` file below ``folder`` (by relative path) and the spaCy version.

    When it changes (new rules after an upgrade), the graph is rebuilt in full.
    """
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py"), key=lambda p: p.relative_to(folder).as_posix()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\x00")
        digest.update(path.read_bytes())
        digest.update(b"\x00")
    try:
        digest.update(metadata.version("spacy").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - spaCy is a dependency
        pass
    return digest.hexdigest()


def effective_fingerprint(registry: Registry) -> str:
    """A hash over every entity of ``registry`` (after harvesting) and the recognition code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for entity in sorted(registry.all(), key=lambda e: e.id):
        digest.update(json.dumps(entity.to_dict(), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def code_changed(store: Store) -> bool:
    """True when the store has a graph made by other recognition code than this one."""
    if graph.graph_counts(store.conn)["entities"] == 0:
        return False
    return store.meta().get(CODE_FINGERPRINT_KEY) != code_fingerprint()
