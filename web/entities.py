"""Context builders for entity cards (``/wijk/<slug>`` …) and the overviews (``/wijken`` …)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from kennisbank.graph import (
    EntityNotFound,
    all_links,
    co_mentions,
    entity_card,
    entity_names,
    list_entities,
    passage_entities,
    suggest,
)
from web.context import open_store
from web.entity_types import CARD_TYPES, TYPE_LABELS
from web.params import BadParameter

#: How many passages a card lists, and how many similar wijken.
CARD_PASSAGES = 25
SIMILAR_LIMIT = 6
#: Nodes around the centre of a card's relation graph.
GRAPH_NODES = 14

_FACT_LABELS = {
    "name": "Naam",
    "alias": "Andere naam",
    "gemeente": "Gemeente",
    "gemeente_in_bron": "Gemeente (zoals in de bron)",
    "status": "Status",
    "additionele_inzet_mln_eur": "Additionele inzet (mln euro)",
    "max_subsidie_eur": "Maximale subsidie (euro)",
    "max_subsidie_eur_per_versie": "Maximale subsidie per versie van het besluit (euro)",
    "naam_vereist_gemeente": "Naam alleen eenduidig met gemeente",
    "groepen": "Groepen",
    "nummer": "Nummer",
    "deelnemers": "Deelnemers",
    "alliantie": "Alliantie",
    "kern": "Kernthema",
    "vocabulaire": "Woorden",
    "bijlage3_nummer": "Nummer in bijlage 3",
    "lijst": "Lijst",
    "opmerking": "Opmerking",
}

#: Which entity types make two wijken alike.
_SIMILARITY_TYPES = ("thema", "experiment", "partner")


def _number(value: float | int) -> str:
    """Dutch number notation: ``580000`` → ``580.000``, ``2.9`` → ``2,9``."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _items(value: Any, names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """A fact value as a list of ``{text, entity_id}`` (entity ids become their names)."""
    if isinstance(value, bool):
        return [{"text": "ja" if value else "nee", "entity_id": None}]
    if isinstance(value, int | float):
        return [{"text": _number(value), "entity_id": None}]
    if isinstance(value, str):
        if value in names:
            return [{"text": names[value]["name"], "entity_id": value}]
        return [{"text": value, "entity_id": None}]
    if isinstance(value, list):
        return [item for v in value for item in _items(v, names)]
    if isinstance(value, dict):
        found = []
        for key, inner in value.items():
            parts = _items(inner, names)
            if all(p["entity_id"] is None for p in parts):
                text = ", ".join(p["text"] for p in parts)
                found.append({"text": f"{key}: {text}", "entity_id": None})
            else:
                found.extend(parts)
        return found
    return [{"text": str(value), "entity_id": None}]


def _source(source: dict[str, Any]) -> dict[str, Any]:
    """One source of a fact, with a link to the official text where we know it."""
    url = None
    if str(source.get("source", "")).startswith("BWBR"):
        url = f"https://wetten.overheid.nl/{source['source']}"
        if source.get("version"):
            url += f"/{source['version']}"
    return {
        "document": source.get("document"),
        "passage": source.get("passage"),
        "title": source.get("title") or source.get("source"),
        "where": source.get("where"),
        "line": source.get("line"),
        "quote": source.get("quote"),
        "note": source.get("note"),
        "url": url,
    }


def facts(entity: dict[str, Any], names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """The entity's name and attributes, each with the sources that state it."""
    by_fact: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source in entity.get("sources", []):
        by_fact[str(source.get("fact", "")).split(":", 1)[0]].append(_source(source))
    result = [
        {
            "key": "name",
            "label": _FACT_LABELS["name"],
            "items": [{"text": entity["name"], "entity_id": None}],
            "sources": by_fact.get("name", []),
        }
    ]
    for key, value in entity.get("attributes", {}).items():
        result.append(
            {
                "key": key,
                "label": _FACT_LABELS.get(key, key.replace("_", " ")),
                "items": _items(value, names),
                "sources": by_fact.get(key, []),
            }
        )
    return result


def _group_passages(
    conn: sqlite3.Connection, passages: list[dict[str, Any]], names: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """The card's passages grouped by document, each with the thema's it mentions."""
    mentioned = passage_entities(conn, [(p["document_id"], p["id"]) for p in passages])
    groups: dict[str, dict[str, Any]] = {}
    for passage in passages:
        group = groups.setdefault(
            passage["document_id"],
            {
                "document_id": passage["document_id"],
                "document_title": passage["document_title"],
                "passages": [],
            },
        )
        themas = [
            {"id": eid, "name": names[eid]["name"]}
            for eid in mentioned.get((passage["document_id"], passage["id"]), [])
            if eid in names and names[eid]["type"] == "thema"
        ]
        group["passages"].append({**passage, "themas": themas})
    return list(groups.values())


def _features(conn: sqlite3.Connection, links: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per wijk: the thema's, experiments and partners it shares its passages or links with."""
    gemeente_of = {lk["source_id"]: lk["target_id"] for lk in links if lk["type"] == "ligt_in"}
    experiments: dict[str, set[str]] = defaultdict(set)
    features: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link["type"] == "deelnemer":
            experiments[link["target_id"]].add(link["source_id"])
        elif link["type"] == "actief_in" and link["target_id"].startswith("wijk/"):
            features[link["target_id"]].add(link["source_id"])
    for wijk, gemeente in gemeente_of.items():
        features[wijk] |= experiments.get(gemeente, set())
    for wijk, others in co_mentions(conn, "wijk", _SIMILARITY_TYPES).items():
        features[wijk] |= set(others)
    return features


def similar_wijken(
    conn: sqlite3.Connection, wijk_id: str, names: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Wijken most alike ``wijk_id`` (Jaccard overlap of thema's, experiments, partners)."""
    features = _features(conn, all_links(conn))
    own = features.get(wijk_id, set())
    if not own:
        return []
    scored = []
    for other, theirs in features.items():
        shared = own & theirs
        if other == wijk_id or not shared or not other.startswith("wijk/"):
            continue
        score = len(shared) / len(own | theirs)
        scored.append(
            {
                "id": other,
                "name": names.get(other, {}).get("name", other),
                "score": round(score, 3),
                "shared": sorted((names.get(s, {}).get("name", s) for s in shared), key=str.lower),
            }
        )
    scored.sort(key=lambda s: (-s["score"], s["name"]))
    return scored[:SIMILAR_LIMIT]


def _related(conn: sqlite3.Connection, card: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Second-hand links: the experiments a wijk's gemeente takes part in."""
    if card["type"] != "wijk":
        return {}
    gemeenten = [lk["id"] for lk in card["links"].get("ligt in", [])]
    gemeente = card.get("attributes", {}).get("gemeente")
    if gemeente and gemeente not in gemeenten:
        gemeenten.append(gemeente)
    names = entity_names(conn)
    experiments = [
        {
            "id": lk["source_id"],
            "name": names.get(lk["source_id"], {}).get("name", "?"),
            "via": names.get(lk["target_id"], {}).get("name", lk["target_id"]),
        }
        for lk in all_links(conn)
        if lk["type"] == "deelnemer" and lk["target_id"] in gemeenten
    ]
    return {"experimenten van de gemeente": experiments} if experiments else {}


def _graph(card: dict[str, Any], related: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Nodes and edges of the card's relation graph (the entity in the centre)."""
    nodes: list[dict[str, Any]] = []
    seen = {card["id"]}
    for label, targets in [*card["links"].items(), *related.items()]:
        for target in targets:
            if target["id"] in seen or len(nodes) >= GRAPH_NODES:
                continue
            seen.add(target["id"])
            nodes.append(
                {
                    "id": target["id"],
                    "name": target["name"],
                    "label": label,
                    "type": target["id"].partition("/")[0],
                }
            )
    return {
        "center": {"id": card["id"], "name": card["name"], "type": card["type"]},
        "nodes": nodes,
    }


def entity_context(entity_type: str, slug: str) -> dict[str, Any]:
    """Data for an entity card (``/<type>/<slug>`` and ``/api/entities/<type>/<slug>``)."""
    entity_id = f"{entity_type}/{slug}"
    with open_store() as store:
        conn = store.conn
        if entity_type not in CARD_TYPES:
            raise EntityNotFound(entity_id, [])
        card = entity_card(conn, entity_id, top=CARD_PASSAGES)
        if card["id"] != entity_id:
            raise EntityNotFound(entity_id, suggest(conn, slug.replace("-", " ")))
        names = entity_names(conn)
        related = _related(conn, card)
        groups = _group_passages(conn, card.pop("passages"), names)
        similar = similar_wijken(conn, entity_id, names) if entity_type == "wijk" else []
    themas = {
        t["id"]: {"id": t["id"], "name": t["name"]}
        for group in groups
        for p in group["passages"]
        for t in p["themas"]
    }
    graph = _graph(card, {**related, "thema": list(themas.values())} if themas else related)
    return {
        "entity": card,
        "type_label": TYPE_LABELS[entity_type][0],
        "facts": facts(card, names),
        "links": card.pop("links"),
        "related": related,
        "passage_groups": groups,
        "commitments": card.pop("commitments"),
        "similar": similar,
        "graph": graph,
    }


def entities_context(entity_type: str | None) -> dict[str, Any]:
    """Data for ``/entiteiten`` and ``/api/entities``: all entities, or those of one type."""
    if entity_type is not None and entity_type not in CARD_TYPES:
        raise BadParameter("type", "Onbekend type; kies uit: " + ", ".join(CARD_TYPES) + ".")
    with open_store() as store:
        rows = list_entities(store.conn, entity_type)
    entities = [
        {
            "id": r["id"],
            "type": r["type"],
            "name": r["name"],
            "origin": r["origin"],
            "mentions": r["mentions"],
            "documents": r["documents"],
        }
        for r in rows
        if r["type"] in CARD_TYPES
    ]
    counts: dict[str, int] = defaultdict(int)
    for entity in entities:
        counts[entity["type"]] += 1
    return {
        "type": entity_type,
        "entities": entities,
        "total": len(entities),
        "counts": dict(counts),
    }
