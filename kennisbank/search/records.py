"""The search records of a store: what each passage becomes in the Whoosh index.

:class:`Sources` reads once what the records are made of (documents, entities, entity
mentions and Kamerstuk references per passage, and each document's size);
:meth:`Sources.records` turns one document's passages into the keyword arguments of
``writer.add_document`` (:func:`_record`: text, headings and title, facet fields,
the entity facets — a passage about a wijk also carries its gemeente — and the cited
and own Kamerstuk ids).  The full build (:mod:`kennisbank.search.whoosh_backend.build`) and
the incremental update (:mod:`kennisbank.search.whoosh_backend.update`) both make their
records here, and :func:`catalog` gives the entity names and facet labels next to the index.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kennisbank.model import Passage
from kennisbank.refcheck import form_problem
from kennisbank.refs import KamerstukRef, normalize_identifier
from kennisbank.registry import Registry
from kennisbank.search.facets import Catalog
from kennisbank.store import Store

#: Passage kinds whose text is only a heading: indexed with a lower document boost.
_LOW_BOOST_KINDS = {"heading": 0.5}
_ENTITY_FIELDS = ("gemeente", "wijk", "experiment", "partner", "thema")
#: A table naming more distinct buurten than this is a buurten overview (see _record).
MAX_TABLE_BUURTEN = 20


@dataclass
class Sources:
    """What the search records of a store are made of: documents (no text, path order),
    entities, mentions and references per passage, and per document its passage count,
    text characters and highest seq.  :meth:`records` makes one document's records."""

    documents: dict[str, dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    mentions: dict[tuple[str, str], list[str]]
    refs: dict[tuple[str, str], list[dict[str, Any]]]
    #: Per document: passages, total characters of their text, highest seq.
    shape: dict[str, tuple[int, int, int]]

    @classmethod
    def read(cls, store: Store) -> Sources:
        """Read the store (documents without text, entities, mentions, references)."""
        documents = _documents(store)
        entities = _entities(store)
        shape = {
            row[0]: (int(row[1]), int(row[2]), int(row[3]))
            for row in store.conn.execute(
                "SELECT document_id, count(*), total(length(text)), max(seq) FROM passages"
                " GROUP BY document_id"
            )
        }
        return cls(
            documents,
            entities,
            _mentions_by_passage(store, entities),
            _refs_by_passage(store),
            shape,
        )

    def records(self, store: Store, doc_id: str) -> tuple[list[dict[str, Any]], int, int]:
        """The ``writer.add_document`` fields of the passages of ``doc_id`` in order, and
        how many of them mention entities and cite Kamerstukken (own references or those
        of the footnotes they point to)."""
        doc = self.documents[doc_id]
        passages = [Passage(**row) for row in store.passages(doc_id)]
        footnotes = {
            p.id: self.refs.get((doc_id, p.id), []) for p in passages if p.kind == "footnote"
        }
        records = []
        with_entities = with_refs = 0
        for passage in passages:
            own = self.refs.get((doc_id, passage.id), [])
            inherited = [r for note in passage.notes for r in footnotes.get(note, [])]
            ids = self.mentions.get((doc_id, passage.id), [])
            with_entities += bool(ids)
            with_refs += bool(own or inherited)
            records.append(_record(passage, doc, own, inherited, ids, self.entities))
        return records, with_entities, with_refs


def _documents(store: Store) -> dict[str, dict[str, Any]]:
    """Every document (no text, no sections) in path order, as :meth:`Store.documents` has it."""
    rows = store.conn.execute(
        "SELECT id, path, title, doctype, format, checksum, year, date, source, identifier,"
        " metadata FROM documents ORDER BY path"
    )
    found = {}
    for row in rows:
        doc = dict(row)
        doc["type"] = doc.pop("doctype")
        doc["metadata"] = json.loads(doc["metadata"])
        found[doc["id"]] = doc
    return found


def passage_flags(store: Store) -> tuple[int, int]:
    """Passages with entity mentions, and with references (own or from their footnotes)."""
    conn = store.conn
    try:
        with_entities = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT m.document_id, m.passage_id FROM mentions m"
            " JOIN passages p ON p.document_id = m.document_id AND p.id = m.passage_id)"
        ).fetchone()[0]
    except Exception:  # noqa: BLE001 - a store without graph tables has no mentions
        with_entities = 0
    cited = {(r[0], r[1]) for r in conn.execute("SELECT document_id, passage_id FROM refs")}
    footnotes = {
        (r[0], r[1])
        for r in conn.execute("SELECT document_id, id FROM passages WHERE kind = ?", ("footnote",))
    } & cited
    with_refs = 0
    for doc_id, passage_id, notes in conn.execute("SELECT document_id, id, notes FROM passages"):
        if (doc_id, passage_id) in cited or (
            notes != "[]" and any((doc_id, n) in footnotes for n in json.loads(notes))
        ):
            with_refs += 1
    return int(with_entities), with_refs


def _record(
    passage: Any,
    doc: dict[str, Any],
    own: list[dict[str, Any]],
    inherited: list[dict[str, Any]],
    entity_ids: list[str],
    entities: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The Whoosh fields of one passage."""
    identifier = normalize_identifier(doc.get("identifier") or "") or ""
    cited = list(dict.fromkeys(r["identifier"] for r in own))
    kst = list(dict.fromkeys(cited + [r["identifier"] for r in inherited]))
    # A dossier that cannot be one (the source's "317323") is no facet value.
    dossiers = [r["dossier"] for r in own + inherited if form_problem(r["dossier"], "1") is None]
    vergaderjaren = [r["vergaderjaar"] for r in own + inherited if r.get("vergaderjaar")]
    citation = None
    if identifier:
        kst.append(identifier)
        dossier, ondernummer = identifier[4:].rsplit("-", 1)
        dossiers.append(dossier)
        citation = KamerstukRef(dossier, ondernummer).citation
    meta = doc.get("metadata") or {}
    own_vj = meta.get("vergaderjaar")
    if isinstance(own_vj, str) and own_vj:
        vergaderjaren.append(own_vj)
    own_dossier = meta.get("dossier")
    if isinstance(own_dossier, str | int) and str(own_dossier).strip():
        # Also for documents whose identifier is no plain kst-id (bijlagen: kst-30995-43-b1).
        dossiers.append(str(own_dossier).replace(" ", ""))
    soort = meta.get("documentsoort")
    documentsoort = soort.replace(",", " ").strip() if isinstance(soort, str) else ""
    by_field: dict[str, list[str]] = defaultdict(list)
    for eid in entity_ids:
        info = entities.get(eid, {})
        etype = info.get("type") or eid.split("/", 1)[0]
        if etype in _ENTITY_FIELDS:
            by_field[etype].append(eid)
        gemeente = (info.get("attributes") or {}).get("gemeente")
        if etype in ("wijk", "buurt") and isinstance(gemeente, str):
            by_field["gemeente"].append(gemeente)
    buurten = {e for e in entity_ids if (entities.get(e, {}).get("type") or e[:6]) == "buurt"}
    if passage.kind == "table" and len(buurten) > MAX_TABLE_BUURTEN:
        # A table of many buurten (VR2010 bijlage 3: 128 buurten with their gemeente and a
        # share) names its gemeenten as the buurten's locations, not as what the table is
        # about: they stay searchable as text but are no gemeente or wijk facet values of it.
        by_field.pop("gemeente", None)
        by_field.pop("wijk", None)
    record: dict[str, Any] = {
        "id": f"{passage.document_id}:{passage.id}",
        "passage_id": passage.id,
        "document_id": passage.document_id,
        "text": passage.text,
        "headings": "\n".join(passage.section_path),
        "title": doc["title"],
        "doctype": doc.get("type") or "overig",
        "documentsoort": documentsoort,
        "date": doc.get("date") or (f"{doc['year']:04d}" if doc.get("year") else ""),
        "vergaderjaar": _join(vergaderjaren),
        "dossier": _join(dossiers),
        "kst": _join(kst),
        "cites": _join(cited),
        "identifier": identifier,
        "kind": passage.kind,
        "seq": passage.seq,
        "section_path": list(passage.section_path),
        "entities": list(dict.fromkeys(entity_ids)),
        "citation": citation,
        "_boost": _LOW_BOOST_KINDS.get(passage.kind, 1.0),
    }
    for name in _ENTITY_FIELDS:
        record[name] = _join(by_field.get(name, []))
    if doc.get("year"):
        record["year"] = int(doc["year"])
    return {k: v for k, v in record.items() if v != "" or k in ("text", "title")}


def _join(values: list[str]) -> str:
    return ",".join(dict.fromkeys(v.replace(",", " ") for v in values if v))


def _refs_by_passage(store: Store) -> dict[tuple[str, str], list[dict[str, Any]]]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for ref in store.refs():
        found[(ref["document_id"], ref["passage_id"])].append(ref)
    return found


def _entities(store: Store) -> dict[str, dict[str, Any]]:
    """Entities of the graph, completed with the curated registry (names for resolution)."""
    found: dict[str, dict[str, Any]] = {}
    try:
        for entity in Registry.load().all():
            found[entity.id] = {
                "type": entity.type,
                "name": entity.name,
                "names": [a.text for a in entity.aliases],
                "attributes": dict(entity.attributes),
            }
    except Exception:  # noqa: BLE001 - without registry the graph alone names entities
        pass
    try:
        rows = store.conn.execute("SELECT id, type, name, aliases, attributes FROM entities")
        for row in rows:
            aliases = json.loads(row["aliases"] or "[]")
            found[row["id"]] = {
                "type": row["type"],
                "name": row["name"],
                "names": [a["text"] if isinstance(a, dict) else str(a) for a in aliases],
                "attributes": json.loads(row["attributes"] or "{}"),
            }
    except Exception:  # noqa: BLE001 - a store without graph tables has no entities
        pass
    return found


def _mentions_by_passage(
    store: Store, entities: dict[str, dict[str, Any]]
) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    try:
        rows = store.conn.execute(
            "SELECT entity_id, passage_id, document_id FROM mentions ORDER BY document_id,"
            " passage_id, start"
        ).fetchall()
    except Exception:  # noqa: BLE001 - no graph yet: no entity facets
        return found
    for row in rows:
        found[(row["document_id"], row["passage_id"])].append(row["entity_id"])
    return found


def catalog(
    documents: dict[str, dict[str, Any]], entities: dict[str, dict[str, Any]], store: Store
) -> Catalog:
    labels: dict[str, dict[str, str]] = {"kst": {}, "dossier": {}, "document": {}}
    for ref in store.refs():
        current = labels["kst"].get(ref["identifier"], "")
        if len(ref["citation"]) > len(current):
            labels["kst"][ref["identifier"]] = ref["citation"]
        labels["dossier"][ref["dossier"]] = _dossier_label(ref["dossier"])
    for doc in documents.values():
        labels["document"][doc["id"]] = doc["title"]
        ident = normalize_identifier(doc.get("identifier") or "")
        if ident:
            dossier, ondernummer = ident[4:].rsplit("-", 1)
            labels["kst"].setdefault(ident, KamerstukRef(dossier, ondernummer).citation)
            labels["dossier"].setdefault(dossier, _dossier_label(dossier))
    slim = {
        eid: {"type": e["type"], "name": e["name"], "names": e["names"]}
        for eid, e in entities.items()
    }
    return Catalog(slim, labels)


def _dossier_label(dossier: str) -> str:
    """``"30995"`` → ``"30 995"``, ``"31700-XVIII"`` → ``"31 700 XVIII"``."""
    citation = KamerstukRef(dossier, "1").citation
    return citation.removeprefix("Kamerstukken ").rsplit(", nr.", 1)[0]
