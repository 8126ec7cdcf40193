"""Bootstrap the registry from the structured parts of a document.

:func:`harvest` reads three kinds of structure:

* **partner lists**: numbered items (``12. Codename Future``) of a list under a
  heading ``Partners (van de) Landelijke Alliantie …`` (in the passage's section
  path or as the passage just before the list) → ``partner`` entities with
  ``nummer`` and ``alliantie``;
* **experiment headings**: ``Experiment N: naam`` (a heading passage or a
  section-path title) → ``experiment`` entities with ``nummer``;
* **gemeente | wijk tables**: a table whose header row has a ``gemeente`` and a
  ``wijk`` column, or the 2010 "40+" table whose header rows read
  ``1e tranche | Wijk`` and ``2e tranche | Wijk`` → ``wijk`` entities with
  ``gemeente`` and, for the 40+ table, ``status`` (``40+ eerste tranche`` …).
  A row is used only when its gemeente cell names a gemeente of the registry
  (an empty cell repeats the gemeente of the row above, until a row is out of
  line: a gemeente in the wijk column).  A wijk cell ``Oost/Ind. Buurt`` is known
  when one of its parts is a wijk or buurt of that gemeente.

Every result is a :class:`HarvestedEntity` with its source passage.  Its status is

* ``known`` — the registry already has the entity (same type and normalised name
  or alias, and for wijken the same gemeente; a near-identical name of the same
  type, rapidfuzz score ≥ :data:`FUZZY_KNOWN`, counts too); ``known_id`` names it;
* ``new`` — added with :meth:`~kennisbank.registry.Registry.add_harvested`
  (origin ``harvested``), which never replaces a curated entity;
* ``candidate`` — found, but not added because the document does not state a
  fact the registry requires (a wijk's status), or the registry refused it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kennisbank.model import Passage
from kennisbank.registry import Entity, Registry, normalise

#: Statuses of a harvested entity.
STATUSES: tuple[str, ...] = ("new", "known", "candidate")
#: A same-type name this similar (rapidfuzz, 0-100) to a registry name is "known".
FUZZY_KNOWN = 95.0

_PARTNER_HEADING = re.compile(
    r"\bPartners\s+(?:van\s+de\s+)?(?P<alliantie>Landelijke\s+Alliantie(?:\s+\w+)?)", re.I
)
_NUMBERED = re.compile(r"^\s*(?:[•\-–*�]\s*)?(?P<n>\d{1,3})\s*[.)]\s+(?P<name>\S.*?)[\s;,.]*$")
_EXPERIMENT = re.compile(r"^\s*Experiment\s+(?P<n>\d{1,2})\s*[:.]\s*(?P<name>\S.*?)\s*$", re.I)
_TRANCHE = re.compile(r"^(?P<n>[12])\s*\^?\s*e\s+tranche$", re.I)
_TRANCHE_STATUS = {"1": "40+ eerste tranche", "2": "40+ tweede tranche"}
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class HarvestedEntity:
    """One entity read from a document's structure, with the passage it comes from.

    ``entity`` is the entity as harvested (origin ``harvested``); ``known_id`` is the
    registry entity it matched when ``status`` is ``known``.
    """

    entity: Entity
    status: str
    passage_id: str
    document_id: str
    known_id: str | None = None
    reason: str = ""

    @property
    def id(self) -> str:
        """The registry id this item stands for: the known entity's, else its own."""
        return self.known_id or self.entity.id

    @property
    def type(self) -> str:
        """The entity type."""
        return self.entity.type

    @property
    def name(self) -> str:
        """The name as the document writes it."""
        return self.entity.name

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output and reports."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "status": self.status,
            "passage_id": self.passage_id,
            "document_id": self.document_id,
            "known_id": self.known_id,
            "reason": self.reason,
            "entity": self.entity.to_dict(),
        }


def slugify(text: str) -> str:
    """The id slug of a name: lower-case ASCII, ``&`` → ``en``, other characters → ``-``."""
    folded = unicodedata.normalize("NFKD", text.replace("&", " en "))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"['’‘´`]", "", folded.lower())
    return re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")


@dataclass
class _Found:
    """A candidate before it is checked against the registry."""

    type: str
    name: str
    passage: Passage
    attributes: dict[str, Any]
    quote: str
    id_prefix: str = ""


# --------------------------------------------------------------------------- finding
def _partners(passages: Sequence[Passage]) -> Iterator[_Found]:
    previous: Passage | None = None
    for passage in passages:
        if passage.kind in ("list", "paragraph"):
            titles = [*passage.section_path]
            if previous is not None and len(previous.text) <= 120:
                titles.append(previous.text)
            heading = next((m for t in titles if (m := _PARTNER_HEADING.search(t))), None)
            if heading is not None:
                alliantie = " ".join(heading.group("alliantie").split())
                for line in passage.text.split("\n"):
                    item = _NUMBERED.match(line)
                    if item:
                        attributes = {"nummer": int(item["n"]), "alliantie": alliantie}
                        yield _Found("partner", item["name"], passage, attributes, line.strip())
        previous = passage


def _experiments(passages: Sequence[Passage]) -> Iterator[_Found]:
    seen: set[str] = set()
    for passage in passages:
        titles = [passage.text] if passage.kind == "heading" else passage.section_path
        for title in titles:
            match = _EXPERIMENT.match(title)
            if match and title not in seen:
                seen.add(title)
                attributes = {"nummer": int(match["n"])}
                yield _Found("experiment", match["name"], passage, attributes, title)


def _cell(text: str) -> str:
    return " ".join(_TAGS.sub("", text).split())


def _tables(passages: Sequence[Passage], registry: Registry) -> Iterator[_Found]:
    for passage in passages:
        if passage.kind != "table" or not passage.rows:
            continue
        forty_plus = "40+" in " ".join([passage.caption, *passage.section_path])
        columns: tuple[int, int] | None = None
        status: str | None = None
        gemeente: Entity | None = None
        for row in passage.rows:
            cells = [_cell(c) for c in row]
            keys = [normalise(c) for c in cells]
            if "gemeente" in keys and "wijk" in keys:
                columns, status, gemeente = (keys.index("gemeente"), keys.index("wijk")), None, None
                continue
            tranche = _TRANCHE.match(cells[0]) if cells else None
            if tranche and len(keys) > 1 and keys[1] == "wijk":
                columns, gemeente = (0, 1), None
                status = _TRANCHE_STATUS[tranche["n"]] if forty_plus else None
                continue
            if columns is None or max(columns) >= len(cells):
                continue
            found, gemeente = _table_row(cells, columns, gemeente, registry)
            if found is not None:
                name, gem = found
                attributes = {"gemeente": gem.id, "gemeente_in_bron": cells[columns[0]] or gem.name}
                if status:
                    attributes["status"] = status
                quote = " | ".join(c for c in cells if c)
                yield _Found("wijk", name, passage, attributes, quote, gem.id.split("/", 1)[1])


def _table_row(
    cells: list[str], columns: tuple[int, int], carried: Entity | None, registry: Registry
) -> tuple[tuple[str, Entity] | None, Entity | None]:
    """((wijk name, gemeente) or None, the gemeente to carry to the next row)."""
    g_cell, w_cell = cells[columns[0]], cells[columns[1]]
    if registry.lookup(w_cell, "gemeente"):
        return None, None  # out of line: a gemeente in the wijk column
    if g_cell:
        hits = registry.lookup(g_cell, "gemeente")
        carried = hits[0] if len(hits) == 1 else None
    if carried is None or not w_cell:
        return None, carried
    return (w_cell, carried), carried


# --------------------------------------------------------------------------- checking
def _known(found: _Found, registry: Registry) -> Entity | None:
    names = [found.name]
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", found.name)
    if bare != found.name:
        names.append(bare)
    if found.type == "wijk":
        names += [part for part in re.split(r"\s*/\s*", found.name) if part]
        gemeente = found.attributes["gemeente"]
        for name in names:
            for entity in registry.lookup(name):
                if (
                    entity.type in ("wijk", "buurt")
                    and entity.attributes.get("gemeente") == gemeente
                ):
                    return entity
        return None
    for name in names:
        hits = registry.lookup(name, found.type) or registry.lookup(name)
        if hits:
            return hits[0]
    close = registry.suggest(found.name, 1, entity_type=found.type, score_cutoff=FUZZY_KNOWN)
    return close[0][0] if close else None


def _entity(found: _Found, document_id: str) -> Entity:
    slug = slugify(found.name)
    prefix = f"{found.id_prefix}-" if found.id_prefix else ""
    source = {
        "fact": "name",
        "document": document_id,
        "passage": found.passage.id,
        "quote": found.quote,
    }
    return Entity(
        id=f"{found.type}/{prefix}{slug}",
        type=found.type,
        name=found.name,
        attributes=dict(found.attributes),
        sources=(source,),
        origin="harvested",
    )


def _result(found: _Found, document_id: str, registry: Registry, add: bool) -> HarvestedEntity:
    entity = _entity(found, document_id)
    item = HarvestedEntity(entity, "known", found.passage.id, document_id)
    known = _known(found, registry)
    if known is not None:
        item.known_id = known.id
    elif found.type == "wijk" and "status" not in found.attributes:
        item.status, item.reason = "candidate", "de tabel noemt geen status van de wijk"
    elif not slugify(found.name) or normalise(found.name) == "":
        item.status, item.reason = "candidate", "naam zonder letters of cijfers"
    elif add and not registry.add_harvested(entity):
        item.status, item.reason = "candidate", "het register weigert de entiteit"
    else:
        item.status = "new"
    return item


def harvest(
    document_id: str, passages: Sequence[Passage], registry: Registry, *, add: bool = True
) -> list[HarvestedEntity]:
    """Harvest partners, experiments and wijken from the structure of one document.

    ``passages`` are the document's passages in order.  New entities are added to
    ``registry`` (origin ``harvested``; curated entities are never replaced) unless
    ``add`` is false.  Returns one item per distinct partner, experiment or table
    wijk, in document order, each with status ``new``, ``known`` or ``candidate``.
    """
    ordered = [p for p in passages if p.document_id == document_id] or list(passages)
    found = [*_partners(ordered), *_experiments(ordered), *_tables(ordered, registry)]
    order = {p.id: i for i, p in enumerate(ordered)}
    found.sort(key=lambda f: order.get(f.passage.id, 0))
    unique: dict[tuple[str, str, Any], _Found] = {}
    for item in found:  # a name repeated in the document counts once, at its first place
        unique.setdefault((item.type, normalise(item.name), item.attributes.get("gemeente")), item)
    return [_result(f, document_id, registry, add) for f in unique.values()]


__all__ = ["FUZZY_KNOWN", "STATUSES", "HarvestedEntity", "harvest", "slugify"]
