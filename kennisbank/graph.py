"""The entity graph in SQLite: entities, aliases, mentions, links and commitments.

The tables live in the same file as the documents (see :mod:`kennisbank.store`), so
one indexing run replaces documents and graph in one transaction.  This module
writes the graph (for the indexer) and reads it back as plain dicts (for the CLI
and the web app), including the *entity card* that both show, the labels pages show
for entities, the wijken alike a wijk, and the passages the registry's sources cite.

Why one module: every query against the graph tables lives here (the web app runs no
SQL of its own), so a change of the schema touches one file; the readers are small
functions over the same tables and the same name folding (:func:`fold`).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import unicodedata
from collections import Counter, defaultdict
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
    """The entities whose names or aliases are closest to ``text`` (rapidfuzz WRatio), each
    named by its label (``Noord (Amsterdam)``, see :func:`entity_names`)."""
    rows = conn.execute(
        "SELECT a.norm, a.entity_id, e.name, e.type FROM aliases a"
        " JOIN entities e ON e.id = a.entity_id"
    ).fetchall()
    if not rows or not text.strip():
        return []
    choices = [r["norm"] for r in rows]
    labels = entity_names(conn)
    found: dict[str, dict[str, Any]] = {}
    for _choice, score, index in process.extract(
        fold(text), choices, scorer=fuzz.WRatio, limit=limit * 4
    ):
        row = rows[index]
        if row["entity_id"] not in found and score >= 75:
            found[row["entity_id"]] = {
                "id": row["entity_id"],
                "name": labels.get(row["entity_id"], {}).get("label", row["name"]),
                "type": row["type"],
                "score": round(score, 1),
            }
    return list(found.values())[:limit]


def entity_card(conn: sqlite3.Connection, name_or_id: str, top: int = 10) -> dict[str, Any]:
    """Everything known about one entity: facts with sources, links, passages (each with the
    ``spans`` of its mentions of the entity), commitments; ``label`` and the names of linked
    entities are labels (see :func:`entity_names`)."""
    entity = find_entity(conn, name_or_id)
    eid = entity["id"]
    names = {key: value["label"] for key, value in entity_names(conn).items()}
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
    spans = mention_spans(conn, eid)
    for passage in passages:
        passage["section_path"] = json.loads(passage["section_path"])
        passage["spans"] = spans.get((passage["document_id"], passage["id"]), [])
    counts = conn.execute(
        "SELECT count(*), count(DISTINCT document_id) FROM mentions WHERE entity_id = ?", (eid,)
    ).fetchone()
    return {
        **entity,
        "label": names.get(eid, entity["name"]),
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


#: Entity types named after a place inside a gemeente: their label may need the gemeente.
_PLACE_TYPES = ("wijk", "buurt")


def entity_names(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """Every entity id → ``{"name", "type", "label"}``.

    ``label`` is the name a page shows: the name, except for a wijk or buurt whose name
    is not unambiguous on its own (marked ``naam_vereist_gemeente`` in the registry, such
    as ``Noord``, ``Oost``, ``West``, or shared with another entity of its type), which
    carries its gemeente: ``Noord (Amsterdam)``.
    """
    rows = conn.execute("SELECT id, name, type, attributes FROM entities").fetchall()
    labels = _place_labels(rows)
    return {
        row[0]: {"name": row[1], "type": row[2], "label": labels.get(row[0], row[1])}
        for row in rows
    }


def _place_labels(rows: list[Any]) -> dict[str, str]:
    """Labels with the gemeente for the wijken and buurten whose names are ambiguous."""
    names = {row[0]: row[1] for row in rows}
    places = [(r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows if r[2] in _PLACE_TYPES]
    taken = Counter((etype, fold(name)) for _, name, etype, _ in places)
    labels = {}
    for eid, name, etype, attributes in places:
        gemeente = names.get(str(attributes.get("gemeente") or ""))
        ambiguous = attributes.get("naam_vereist_gemeente") or taken[(etype, fold(name))] > 1
        if gemeente and ambiguous and fold(gemeente) not in fold(name):
            labels[eid] = f"{name} ({gemeente})"
    return labels


def entity_exists(conn: sqlite3.Connection, entity_id: str) -> bool:
    """Whether ``entity_id`` is the id of an entity."""
    return conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is not None


def slug_matches(conn: sqlite3.Connection, entity_type: str, slug: str) -> list[str]:
    """The entities of ``entity_type`` a short slug names, sorted: those whose slug is the
    slug of their gemeente followed by ``slug`` (``kanaleneiland`` for
    ``wijk/utrecht-kanaleneiland``), and those with ``slug`` as name or alias."""
    key = fold(slug)
    if not key:
        return []
    found = set()
    for eid, attributes in conn.execute(
        "SELECT id, attributes FROM entities WHERE type = ?", (entity_type,)
    ):
        own = eid.partition("/")[2]
        prefix = str(json.loads(attributes or "{}").get("gemeente") or "").partition("/")[2]
        if fold(own) == key or (
            prefix and own.startswith(prefix + "-") and fold(own[len(prefix) + 1 :]) == key
        ):
            found.add(eid)
    found.update(
        row[0]
        for row in conn.execute(
            "SELECT a.entity_id FROM aliases a JOIN entities e ON e.id = a.entity_id"
            " WHERE e.type = ? AND a.norm = ?",
            (entity_type, key),
        )
    )
    return sorted(found)


def mention_spans(
    conn: sqlite3.Connection, entity_id: str
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per ``(document_id, passage_id)`` the mentions of one entity: ``{start, end, surface}``
    in order of start."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for doc_id, passage_id, start, end, surface in conn.execute(
        'SELECT document_id, passage_id, start, "end", surface FROM mentions'
        " WHERE entity_id = ? ORDER BY document_id, passage_id, start",
        (entity_id,),
    ):
        found[(doc_id, passage_id)].append({"start": start, "end": end, "surface": surface})
    return dict(found)


def document_titles(conn: sqlite3.Connection) -> dict[str, str]:
    """Every document id → its title."""
    return {row[0]: row[1] for row in conn.execute("SELECT id, title FROM documents")}


def passage_documents(conn: sqlite3.Connection, passage_ids: Iterable[str]) -> dict[str, str]:
    """The document of each passage id (the first, should two documents share an id)."""
    found: dict[str, str] = {}
    for passage_id in dict.fromkeys(passage_ids):
        row = conn.execute(
            "SELECT document_id FROM passages WHERE id = ? ORDER BY document_id LIMIT 1",
            (passage_id,),
        ).fetchone()
        if row:
            found[passage_id] = row[0]
    return found


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


# -- similar wijken ---------------------------------------------------------------------------

#: A passage that names more wijken than this is a list of wijken, not a passage about one.
ABOUT_WIJKEN = 3
#: A feature at most this many wijken have makes two wijken alike on its own.
RARE_FEATURE = 3
#: Entity types that, named in a passage about a wijk, are features of that wijk.
_FEATURE_TYPES = ("thema", "experiment", "partner")


def wijk_features(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Per wijk the features of the wijk itself: the thema's, experiments and partners named
    in the passages about it (passages naming at most :data:`ABOUT_WIJKEN` wijken), the
    partners linked to it (``actief_in``) and its status (``status:aandachtswijk``).

    Neither its gemeente nor the documents it shares with other wijken count: every wijk
    of a gemeente would be alike, as would every wijk of one list.
    """
    features: dict[str, set[str]] = defaultdict(set)
    for wijk, other in conn.execute(
        "WITH about AS (SELECT document_id, passage_id FROM mentions"
        " WHERE entity_id LIKE 'wijk/%' GROUP BY document_id, passage_id"
        " HAVING count(DISTINCT entity_id) <= ?)"
        " SELECT DISTINCT w.entity_id, f.entity_id FROM about a"
        " JOIN mentions w ON w.document_id = a.document_id AND w.passage_id = a.passage_id"
        " JOIN mentions f ON f.document_id = a.document_id AND f.passage_id = a.passage_id"
        " JOIN entities e ON e.id = f.entity_id"
        f" WHERE w.entity_id LIKE 'wijk/%' AND e.type IN ({','.join('?' * len(_FEATURE_TYPES))})",
        (ABOUT_WIJKEN, *_FEATURE_TYPES),
    ):
        features[wijk].add(other)
    for partner, wijk in conn.execute(
        "SELECT source_id, target_id FROM links WHERE type = 'actief_in'"
        " AND target_id LIKE 'wijk/%'"
    ):
        features[wijk].add(partner)
    for wijk, attributes in conn.execute("SELECT id, attributes FROM entities WHERE type = 'wijk'"):
        status = json.loads(attributes or "{}").get("status")
        features[wijk].update([f"status:{status}"] if status else [])
    return dict(features)


def similar_wijken(conn: sqlite3.Connection, wijk_id: str, limit: int = 6) -> list[dict[str, Any]]:
    """The wijken most alike ``wijk_id``: weighted overlap (Jaccard, each feature weighted
    by how rare it is among the wijken) of :func:`wijk_features`.

    A wijk is only alike when it shares two thema's, experiments or partners, or one that
    at most :data:`RARE_FEATURE` wijken have (the status alone, or one thema that many
    wijken share, is no similarity). Each result is ``{id, score, shared}`` with the shared
    features, most telling first.
    """
    features = wijk_features(conn)
    own = features.get(wijk_id, set())
    if not any(not f.startswith("status:") for f in own):
        return []
    counts = Counter(f for found in features.values() for f in found)

    def weight(feature: str) -> float:
        return math.log(1 + len(features) / counts[feature])

    result = []
    for other, theirs in features.items():
        shared = own & theirs
        telling = [f for f in shared if not f.startswith("status:")]
        if other == wijk_id or not telling:
            continue
        if len(telling) < 2 and counts[telling[0]] > RARE_FEATURE:
            continue
        score = sum(map(weight, shared)) / sum(map(weight, own | theirs))
        ordered = sorted(shared, key=lambda f: (f.startswith("status:"), -weight(f), f))
        result.append({"id": other, "score": round(score, 3), "shared": ordered})
    result.sort(key=lambda s: (-s["score"], s["id"]))
    return result[:limit]


# -- where the sources of facts are -------------------------------------------------------------

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
#: Share of a quote's words a passage must hold when none holds them all (PDF text loses
#: superscripts and table borders); quotes of fewer words must match in full.
_PARTIAL_MATCH = 0.75
_PASSAGE_WORDS: dict[tuple[str, str, str], list[tuple[str, frozenset[str], list[str]]]] = {}
_PASSAGE_WORDS_LOCK = threading.Lock()


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(_TAG.sub(" ", text))))


def _document_passages(
    conn: sqlite3.Connection, doc_id: str
) -> list[tuple[str, frozenset[str], list[str]]]:
    """A document's passages as ``(id, words, folded section path)``, cached per checksum."""
    row = conn.execute("SELECT checksum FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return []
    key = (str(conn.execute("PRAGMA database_list").fetchone()[2]), doc_id, str(row[0]))
    with _PASSAGE_WORDS_LOCK:
        cached = _PASSAGE_WORDS.get(key)
    if cached is not None:
        return cached
    passages = [
        (pid, _words(f"{text} {rows} {caption}"), [fold(t) for t in json.loads(path)])
        for pid, text, rows, caption, path in conn.execute(
            "SELECT id, text, rows, caption, section_path FROM passages WHERE document_id = ?"
            " ORDER BY seq",
            (doc_id,),
        )
    ]
    with _PASSAGE_WORDS_LOCK:
        if len(_PASSAGE_WORDS) >= 16:
            _PASSAGE_WORDS.clear()
        _PASSAGE_WORDS[key] = passages
    return passages


def source_passage(conn: sqlite3.Connection, source: dict[str, Any], name: str = "") -> str | None:
    """The passage of a corpus document that a registry source cites, or None.

    Registry sources name a document, a heading (``where``), a line of the source file and
    a quote; the line is no address in the index, so the passage is the one holding the
    quote's words (``name``, the entity's name, and the heading decide between several).
    A source without quote leads to the first passage under its heading.
    """
    if source.get("passage"):
        return str(source["passage"])
    passages = _document_passages(conn, str(source.get("document") or ""))
    quote = _words(str(source.get("quote") or ""))
    where = fold(str(source.get("where") or ""))
    named = _words(name)
    best: tuple[Any, ...] | None = None
    for seq, (pid, words, path) in enumerate(passages):
        held = len(quote & words) / len(quote) if quote else 0.0
        in_section = sum(1 for title in path if title and title in where)
        if quote and held < 1 and (held < _PARTIAL_MATCH or len(quote) < 4):
            continue
        if not quote and where not in path:
            continue
        rank = (held, in_section, len(named & words), -seq, pid)
        best = rank if best is None or rank > best else best
    return best[-1] if best else None
