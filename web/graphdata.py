"""Read-only look-ups in the entity graph that :mod:`kennisbank.graph` does not offer (yet).

Each function is a single ``SELECT`` over the graph tables and returns plain
data.  They are candidates to move into ``kennisbank.graph``; the web app uses
nothing else from the tables directly.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

#: Entity types that can be shown as a card (``/<type>/<slug>``), in menu order.
CARD_TYPES: tuple[str, ...] = (
    "wijk",
    "gemeente",
    "experiment",
    "partner",
    "thema",
    "buurt",
    "organisatie",
    "persoon",
)

#: Dutch names of the entity types (singular, plural).
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "wijk": ("wijk", "wijken"),
    "gemeente": ("gemeente", "gemeenten"),
    "experiment": ("experiment", "experimenten"),
    "partner": ("alliantiepartner", "alliantiepartners"),
    "thema": ("thema", "thema's"),
    "buurt": ("buurt", "buurten"),
    "organisatie": ("organisatie", "organisaties"),
    "persoon": ("persoon", "personen"),
}


def entity_names(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """Every entity id → ``{"name", "type"}``."""
    return {
        row[0]: {"name": row[1], "type": row[2]}
        for row in conn.execute("SELECT id, name, type FROM entities")
    }


def document_mentions(conn: sqlite3.Connection, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """The mentions in one document by passage id, each ``{start, end, entity_id, surface}``."""
    rows = conn.execute(
        'SELECT passage_id, start, "end", entity_id, surface FROM mentions'
        ' WHERE document_id = ? ORDER BY passage_id, start, "end" DESC',
        (doc_id,),
    ).fetchall()
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(
            {"start": row[1], "end": row[2], "entity_id": row[3], "surface": row[4]}
        )
    return dict(found)


def all_links(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every link as ``{type, source_id, target_id, origin}``."""
    rows = conn.execute(
        "SELECT type, source_id, target_id, origin FROM links ORDER BY type, source_id, target_id"
    )
    return [{"type": r[0], "source_id": r[1], "target_id": r[2], "origin": r[3]} for r in rows]


def co_mentions(
    conn: sqlite3.Connection, entity_type: str, other_types: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """For every entity of ``entity_type``: entities of ``other_types`` in the same passages.

    Returns entity id → {other id: number of shared passages}.
    """
    marks = ",".join("?" * len(other_types))
    rows = conn.execute(
        "SELECT a.entity_id, b.entity_id, count(DISTINCT a.document_id || '#' || a.passage_id)"
        " FROM mentions a JOIN mentions b"
        " ON b.passage_id = a.passage_id AND b.document_id = a.document_id"
        " JOIN entities ea ON ea.id = a.entity_id JOIN entities eb ON eb.id = b.entity_id"
        f" WHERE ea.type = ? AND eb.type IN ({marks}) AND a.entity_id != b.entity_id"
        " GROUP BY a.entity_id, b.entity_id",
        (entity_type, *other_types),
    )
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for source, other, count in rows:
        found[source][other] = count
    return dict(found)


def passage_entities(
    conn: sqlite3.Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """Entity ids mentioned in each ``(document_id, passage_id)``, in order of first mention."""
    found: dict[tuple[str, str], list[str]] = {}
    for doc_id, passage_id in keys:
        rows = conn.execute(
            "SELECT entity_id FROM mentions WHERE document_id = ? AND passage_id = ?"
            " GROUP BY entity_id ORDER BY min(start)",
            (doc_id, passage_id),
        )
        found[(doc_id, passage_id)] = [r[0] for r in rows]
    return found


def document_identifiers(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Documents that are Kamerstukken themselves: identifier → ``{id, title, year}``."""
    rows = conn.execute(
        "SELECT identifier, id, title, year FROM documents"
        " WHERE identifier IS NOT NULL AND identifier != '' ORDER BY path"
    )
    return {r[0]: {"id": r[1], "title": r[2], "year": r[3]} for r in rows}
