"""The entity graph in SQLite: entities, aliases, mentions, links and commitments.

The tables live in the same file as the documents (see :mod:`kennisbank.store`), so
one indexing run replaces documents and graph in one transaction.  This module
writes the graph (for the indexer) and reads it back as plain dicts (for the CLI
and the web app), including the *entity card* that both show.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz, process

from kennisbank.errors import KennisbankError
from kennisbank.model import Commitment, Link, Mention

GRAPH_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT NOT NULL,
    attributes TEXT NOT NULL, sources TEXT NOT NULL, origin TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE TABLE IF NOT EXISTS aliases (
    entity_id TEXT NOT NULL, text TEXT NOT NULL, norm TEXT NOT NULL, kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_norm ON aliases(norm);
CREATE TABLE IF NOT EXISTS mentions (
    entity_id TEXT NOT NULL, passage_id TEXT NOT NULL, document_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
    method TEXT NOT NULL, score REAL NOT NULL, rule TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE INDEX IF NOT EXISTS mentions_passage ON mentions(passage_id);
CREATE TABLE IF NOT EXISTS links (
    type TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL,
    evidence TEXT NOT NULL, quote TEXT NOT NULL, origin TEXT NOT NULL,
    PRIMARY KEY (type, source_id, target_id)
);
CREATE INDEX IF NOT EXISTS links_target ON links(target_id);
CREATE TABLE IF NOT EXISTS commitments (
    id TEXT PRIMARY KEY, passage_id TEXT NOT NULL, document_id TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, cue TEXT NOT NULL,
    date TEXT, vergaderjaar TEXT, refs TEXT NOT NULL, entities TEXT NOT NULL
);
"""

_GRAPH_TABLES = ("entities", "aliases", "mentions", "links", "commitments")

#: Link types and how a card names them (outgoing, incoming), in Dutch.
#: Dutch names of the entity types (singular, plural): cards, answer boxes, facets.
ENTITY_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "wijk": ("wijk", "wijken"),
    "gemeente": ("gemeente", "gemeenten"),
    "experiment": ("experiment", "experimenten"),
    "partner": ("alliantiepartner", "alliantiepartners"),
    "thema": ("thema", "thema's"),
    "buurt": ("buurt", "buurten"),
    "organisatie": ("organisatie", "organisaties"),
    "persoon": ("persoon", "personen"),
}

LINK_LABELS: dict[str, tuple[str, str]] = {
    "ligt_in": ("ligt in", "wijken"),
    "deelnemer": ("deelnemers", "neemt deel aan"),
    "actief_in": ("actief in", "actieve partners"),
}


class EntityNotFound(KennisbankError):
    """No entity matches a name or id; ``suggestions`` holds the closest names."""

    def __init__(self, query: str, suggestions: list[dict[str, Any]]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = ""
        if suggestions:
            hint = " Bedoelde u: " + ", ".join(s["name"] for s in suggestions) + "?"
        super().__init__(f"Geen entiteit gevonden voor '{query}'.{hint}")


def fold(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed: the key for name look-ups."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").replace("/", " ").split())


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the graph tables when they are missing."""
    conn.executescript(GRAPH_SCHEMA)


def clear(conn: sqlite3.Connection) -> None:
    """Empty every graph table (the graph is rebuilt as a whole)."""
    for table in _GRAPH_TABLES:
        conn.execute(f"DELETE FROM {table}")


def write_entities(conn: sqlite3.Connection, entities: Iterable[Any]) -> None:
    """Store registry entities (objects with ``to_dict()``) and their aliases."""
    for entity in entities:
        data = entity.to_dict() if hasattr(entity, "to_dict") else dict(entity)
        aliases = data.get("aliases", [])
        conn.execute(
            "INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                data["id"],
                data["type"],
                data["name"],
                _dumps(aliases),
                _dumps(data.get("attributes", {})),
                _dumps(data.get("sources", [])),
                data.get("origin", "curated"),
            ),
        )
        names = [(data["name"], "name")] + [
            (
                a["text"] if isinstance(a, dict) else str(a),
                a.get("kind", "variant") if isinstance(a, dict) else "variant",
            )
            for a in aliases
        ]
        conn.executemany(
            "INSERT INTO aliases VALUES (?, ?, ?, ?)",
            [(data["id"], text, fold(text), kind) for text, kind in names],
        )


def write_mentions(conn: sqlite3.Connection, mentions: Iterable[Mention]) -> None:
    """Store recognised mentions."""
    conn.executemany(
        "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [m.as_row() for m in mentions],
    )


def write_links(conn: sqlite3.Connection, links: Iterable[Link]) -> None:
    """Store links, merging the evidence of duplicates."""
    for link in links:
        row = conn.execute(
            "SELECT evidence, quote, origin FROM links WHERE type=? AND source_id=?"
            " AND target_id=?",
            (link.type, link.source_id, link.target_id),
        ).fetchone()
        evidence = list(dict.fromkeys((json.loads(row[0]) if row else []) + link.evidence))
        quote = (row[1] if row else "") or link.quote
        origin = row[2] if row else link.origin
        conn.execute(
            "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?, ?)",
            (link.type, link.source_id, link.target_id, _dumps(evidence), quote, origin),
        )


def write_commitments(conn: sqlite3.Connection, commitments: Iterable[Commitment]) -> None:
    """Store commitments (toezeggingen)."""
    conn.executemany(
        "INSERT OR REPLACE INTO commitments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.id,
                c.passage_id,
                c.document_id,
                c.text,
                c.start,
                c.end,
                c.cue,
                c.date,
                c.vergaderjaar,
                _dumps(c.refs),
                _dumps(c.entities),
            )
            for c in commitments
        ],
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- reading ------------------------------------------------------------------------------


def _entity_row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for key in ("aliases", "attributes", "sources"):
        data[key] = json.loads(data[key])
    return data


def list_entities(conn: sqlite3.Connection, entity_type: str | None = None) -> list[dict[str, Any]]:
    """Every entity (optionally of one type) with mention and document counts."""
    sql = (
        "SELECT e.*, count(m.passage_id) AS mentions, count(DISTINCT m.document_id) AS documents"
        " FROM entities e LEFT JOIN mentions m ON m.entity_id = e.id"
    )
    args: tuple[str, ...] = ()
    if entity_type:
        sql += " WHERE e.type = ?"
        args = (entity_type,)
    sql += " GROUP BY e.id ORDER BY e.type, e.name"
    return [_entity_row(r) for r in conn.execute(sql, args)]


def find_entity(conn: sqlite3.Connection, name_or_id: str) -> dict[str, Any]:
    """The entity with this id, name or alias; raises :class:`EntityNotFound` with suggestions."""
    row = conn.execute("SELECT * FROM entities WHERE id = ?", (name_or_id,)).fetchone()
    if row is None:
        key = fold(name_or_id)
        hit = conn.execute(
            "SELECT e.* FROM aliases a JOIN entities e ON e.id = a.entity_id WHERE a.norm = ?"
            " ORDER BY CASE e.type WHEN 'gemeente' THEN 0 WHEN 'wijk' THEN 1 ELSE 2 END, e.id"
            " LIMIT 1",
            (key,),
        ).fetchone()
        if hit is None:
            raise EntityNotFound(name_or_id, suggest(conn, name_or_id))
        row = hit
    return _entity_row(row)


def suggest(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[dict[str, Any]]:
    """The entities whose names or aliases are closest to ``text`` (rapidfuzz WRatio)."""
    rows = conn.execute(
        "SELECT a.norm, a.entity_id, e.name, e.type FROM aliases a"
        " JOIN entities e ON e.id = a.entity_id"
    ).fetchall()
    if not rows or not text.strip():
        return []
    choices = [r["norm"] for r in rows]
    found: dict[str, dict[str, Any]] = {}
    for _choice, score, index in process.extract(
        fold(text), choices, scorer=fuzz.WRatio, limit=limit * 4
    ):
        row = rows[index]
        if row["entity_id"] not in found and score >= 75:
            found[row["entity_id"]] = {
                "id": row["entity_id"],
                "name": row["name"],
                "type": row["type"],
                "score": round(score, 1),
            }
    return list(found.values())[:limit]


def entity_card(conn: sqlite3.Connection, name_or_id: str, top: int = 10) -> dict[str, Any]:
    """Everything known about one entity: facts with sources, links, passages, commitments."""
    entity = find_entity(conn, name_or_id)
    eid = entity["id"]
    names = {r["id"]: r["name"] for r in conn.execute("SELECT id, name FROM entities")}
    links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
        "SELECT * FROM links WHERE source_id = ? OR target_id = ? ORDER BY type, source_id,"
        " target_id",
        (eid, eid),
    ):
        outgoing = row["source_id"] == eid
        other = row["target_id"] if outgoing else row["source_id"]
        label = LINK_LABELS.get(row["type"], (row["type"], row["type"]))[0 if outgoing else 1]
        links[label].append(
            {
                "type": row["type"],
                "direction": "uit" if outgoing else "in",
                "id": other,
                "name": names.get(other, other),
                "evidence": json.loads(row["evidence"]),
                "quote": row["quote"],
                "origin": row["origin"],
            }
        )
    passages = [
        dict(r)
        for r in conn.execute(
            "SELECT p.id, p.document_id, d.title AS document_title, p.section_path, p.kind,"
            " p.text, count(*) AS hits FROM mentions m"
            " JOIN passages p ON p.id = m.passage_id AND p.document_id = m.document_id"
            " JOIN documents d ON d.id = p.document_id"
            " WHERE m.entity_id = ? GROUP BY p.document_id, p.id ORDER BY hits DESC, d.path, p.seq"
            " LIMIT ?",
            (eid, top),
        )
    ]
    for passage in passages:
        passage["section_path"] = json.loads(passage["section_path"])
    counts = conn.execute(
        "SELECT count(*), count(DISTINCT document_id) FROM mentions WHERE entity_id = ?", (eid,)
    ).fetchone()
    return {
        **entity,
        "mentions": counts[0],
        "documents": counts[1],
        "links": dict(links),
        "passages": passages,
        "commitments": commitments_for(conn, entity_id=eid),
    }


def commitments_for(
    conn: sqlite3.Connection, *, entity_id: str | None = None, identifier: str | None = None
) -> list[dict[str, Any]]:
    """Commitments that concern an entity, cite a ``kst-…`` identifier, or all of them."""
    rows = [dict(r) for r in conn.execute("SELECT * FROM commitments ORDER BY document_id, id")]
    result = []
    for row in rows:
        row["refs"] = json.loads(row["refs"])
        row["entities"] = json.loads(row["entities"])
        if entity_id and entity_id not in row["entities"]:
            continue
        if identifier and identifier not in row["refs"]:
            continue
        result.append(row)
    return result


def graph_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Numbers of entities, mentions, links and commitments."""
    return {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("entities", "mentions", "links", "commitments")
    }


# -- look-ups for the web pages ------------------------------------------------------------


def entity_names(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """Every entity id → ``{"name", "type"}``."""
    return {
        row[0]: {"name": row[1], "type": row[2]}
        for row in conn.execute("SELECT id, name, type FROM entities")
    }


def document_mentions(conn: sqlite3.Connection, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """The mentions in one document by passage id, each ``{start, end, entity_id, surface}``.

    Within a passage they are ordered by start, the longest first.
    """
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
    """Every link as ``{type, source_id, target_id, origin}``, ordered by type, source, target."""
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
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]
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
