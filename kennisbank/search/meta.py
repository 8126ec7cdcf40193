"""The meta file of a search index folder: build id, schema version, time and counts.

Written last by a build or an update (:func:`write_meta`); a running
:class:`~kennisbank.search.engine.SearchEngine` reopens the index when it changes, and
refuses an index of another :data:`SEARCH_SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Build id, time, analyzer and counts of the index.
META_FILE = "search-meta.json"
#: Bumped when the schema changes; a search engine refuses an index of another version.
#: 3: the stored analyzer is a :class:`kennisbank.analysis.DutchAnalyzer`; segments are
#: contiguous runs of passages.  4: the analyzer classes pickled into the index moved to
#: :mod:`kennisbank.search.whoosh_backend.analysis`.
SEARCH_SCHEMA_VERSION = 4


def write_meta(index_dir: Path, counts: dict[str, Any]) -> dict[str, Any]:
    """Write the :data:`META_FILE` of a finished index: a new build id, the schema
    version, the time and ``counts``; returns what was written."""
    meta = {
        "build_id": uuid.uuid4().hex,
        "schema_version": SEARCH_SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
    }
    (Path(index_dir) / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta


def read_meta(index_dir: Path) -> dict[str, Any]:
    """The :data:`META_FILE` of a search index folder (``{}`` when missing)."""
    try:
        return json.loads((Path(index_dir) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


__all__ = ["META_FILE", "SEARCH_SCHEMA_VERSION", "read_meta", "write_meta"]
