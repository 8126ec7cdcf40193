"""Context builders for the overviews: ``/wijken``, ``/experimenten`` and ``/partners``.

Entities are named by their labels (:func:`kennisbank.graph.entity_names`): a wijk called
``Noord`` reads ``Noord (Amsterdam)`` wherever it appears.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from kennisbank.graph import all_links, entity_names, list_entities
from web.context import open_store

#: Wijk statuses in the order the overview shows them, with a Dutch explanation.
WIJK_STATUSES: dict[str, str] = {
    "aandachtswijk": "een van de 40 aandachtswijken (krachtwijken)",
    "40+ eerste tranche": "40+-wijk, eerste tranche",
    "40+ tweede tranche": "40+-wijk, tweede tranche",
}


def _status_rank(status: str) -> int:
    keys = list(WIJK_STATUSES)
    return keys.index(status) if status in keys else len(keys)


def wijken_context() -> dict[str, Any]:
    """All wijken grouped by gemeente, with status and mention counts."""
    with open_store() as store:
        wijken = list_entities(store.conn, "wijk")
        names = entity_names(store.conn)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for wijk in wijken:
        gemeente = wijk["attributes"].get("gemeente") or ""
        groups[gemeente].append(
            {
                "id": wijk["id"],
                "name": wijk["name"],
                "label": names.get(wijk["id"], {}).get("label", wijk["name"]),
                "status": wijk["attributes"].get("status", "onbekend"),
                "mentions": wijk["mentions"],
                "documents": wijk["documents"],
            }
        )
    gemeenten = [
        {
            "id": gid or None,
            "name": names.get(gid, {}).get("name", gid or "Onbekende gemeente"),
            "wijken": sorted(items, key=lambda w: (_status_rank(w["status"]), w["label"])),
        }
        for gid, items in groups.items()
    ]
    gemeenten.sort(key=lambda g: g["name"].lower())
    status_counts = Counter(w["attributes"].get("status", "onbekend") for w in wijken)
    return {
        "gemeenten": gemeenten,
        "total": len(wijken),
        "statuses": [
            {"status": status, "uitleg": WIJK_STATUSES.get(status, ""), "count": count}
            for status, count in sorted(status_counts.items(), key=lambda s: _status_rank(s[0]))
        ],
    }


def experimenten_context() -> dict[str, Any]:
    """All experiments with the gemeenten that take part."""
    with open_store() as store:
        experiments = list_entities(store.conn, "experiment")
        links = all_links(store.conn)
        names = entity_names(store.conn)
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        if link["type"] == "deelnemer":
            target = link["target_id"]
            participants[link["source_id"]].append(
                {"id": target, "name": names.get(target, {}).get("label", target)}
            )
    items = [
        {
            "id": e["id"],
            "name": e["name"],
            "nummer": e["attributes"].get("nummer"),
            "mentions": e["mentions"],
            "documents": e["documents"],
            "deelnemers": sorted(participants.get(e["id"], []), key=lambda p: p["name"]),
        }
        for e in experiments
    ]
    items.sort(key=lambda e: (e["nummer"] is None, e["nummer"] or 0, e["name"]))
    return {"experimenten": items, "total": len(items)}


def partners_context() -> dict[str, Any]:
    """All alliance partners, by alliance, with the wijken and gemeenten they are active in."""
    with open_store() as store:
        partners = list_entities(store.conn, "partner")
        links = all_links(store.conn)
        names = entity_names(store.conn)
    active: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        if link["type"] == "actief_in":
            target = link["target_id"]
            active[link["source_id"]].append(
                {
                    "id": target,
                    "name": names.get(target, {}).get("label", target),
                    "type": target.partition("/")[0],
                }
            )
    alliances: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for partner in partners:
        alliance = partner["attributes"].get("alliantie") or "Overige partners"
        alliances[alliance].append(
            {
                "id": partner["id"],
                "name": partner["name"],
                "nummer": partner["attributes"].get("nummer"),
                "mentions": partner["mentions"],
                "documents": partner["documents"],
                "actief_in": sorted(active.get(partner["id"], []), key=lambda a: a["name"]),
            }
        )
    return {
        "allianties": [
            {
                "name": name,
                "partners": sorted(
                    items, key=lambda p: (p["nummer"] is None, p["nummer"] or 0, p["name"])
                ),
            }
            for name, items in sorted(alliances.items())
        ],
        "total": len(partners),
    }


#: Document types (``DOCUMENT_TYPES`` of the indexer) in Dutch: singular and plural.
TYPE_NAMES = {
    "voortgangsrapportage": ("voortgangsrapportage", "voortgangsrapportages"),
    "kamerstuk": ("Kamerstuk", "Kamerstukken"),
    "charter": ("charter", "charters"),
    "wijkactieplan": ("wijkactieplan", "wijkactieplannen"),
    "brief": ("brief", "brieven"),
    "bijlage": ("bijlage", "bijlagen"),
    "handelingen": ("Handelingen", "Handelingen"),
    "regeling": ("regeling", "regelingen"),
    "overig": ("overig document", "overige documenten"),
}


def holdings(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the kennisbank holds now: per document type the number and the years."""
    by_type: dict[str, list[int | None]] = {}
    for doc in documents:
        by_type.setdefault(doc.get("type") or "overig", []).append(doc.get("year"))
    found = []
    for doc_type, years in sorted(by_type.items(), key=lambda item: (-len(item[1]), item[0])):
        one, many = TYPE_NAMES.get(doc_type, (doc_type, doc_type))
        known = sorted({y for y in years if y})
        found.append(
            {
                "type": doc_type,
                "count": len(years),
                "label": one if len(years) == 1 else many,
                "years": known,
                "period": (
                    ""
                    if not known
                    else str(known[0])
                    if len(known) == 1
                    else ", ".join(map(str, known))
                    if len(known) <= 4
                    else f"{known[0]}–{known[-1]}"
                ),
            }
        )
    return found
