"""The curated entity registry: wijken, gemeenten, experimenten, partners, thema's, ...

The registry is read from the JSON files in ``kennisbank/data`` (one file per
entity type, described in ``kennisbank/data/SOURCES.md``).  Every curated
entity names its sources; :meth:`Registry.validate` checks the invariants the
rest of the code relies on.

Ids are ``<type>/<slug>`` with a lowercase ASCII slug, e.g. ``gemeente/den-haag``,
``wijk/utrecht-kanaleneiland`` (wijk and buurt slugs always start with the slug
of their gemeente, because the same name occurs in several gemeenten),
``experiment/gezonde-wijk``, ``partner/van-harte-resto``, ``thema/wonen``.

Names are matched after :func:`normalise` (casefold, accents folded,
apostrophes dropped, hyphens/slashes/punctuation and the word "en"/"&"
ignored), so ``Wielwijk-Crabbehof``, ``Wielwijk en Crabbehof`` and
``Wielwijk/Crabbehof`` are the same key.  Only the standard library and
rapidfuzz are used.

Why one module (over 500 lines): :class:`Registry` is one class (loading,
validation of the source invariants, lookup by name/alias/slug, fuzzy
suggestions) whose methods share its indexes; the file readers beside it are
what that class loads and nothing else uses them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from kennisbank.errors import KennisbankError

#: Folder with the curated data files shipped with the package.
DATA_DIR: Path = Path(__file__).resolve().parent / "data"

#: Entity types, in the order :meth:`Registry.lookup` lists matches.
ENTITY_TYPES: tuple[str, ...] = (
    "gemeente",
    "wijk",
    "buurt",
    "experiment",
    "thema",
    "partner",
    "organisatie",
)

#: Kinds of alias an entity can have.
ALIAS_KINDS: tuple[str, ...] = ("official", "spelling", "abbreviation", "adjective", "variant")

#: Where an entity comes from: the curated data files or a harvest from documents.
ORIGINS: tuple[str, ...] = ("curated", "harvested")

#: Values of a wijk's ``status`` attribute.
WIJK_STATUSES: tuple[str, ...] = ("aandachtswijk", "40+ eerste tranche", "40+ tweede tranche")

#: Entity types whose ``gemeente`` attribute must name a gemeente in the registry.
TYPES_WITH_GEMEENTE: tuple[str, ...] = ("wijk", "buurt")

_ID_RE = re.compile(r"^(?P<type>[a-z]+)/[a-z0-9]+(?:-[a-z0-9]+)*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Return the lookup key of ``text``.

    Casefolds, folds accents (``Zuid-Oost`` and ``zuid oost`` match, ``é`` becomes
    ``e``), drops apostrophes (``'s-Hertogenbosch`` → ``s hertogenbosch``), treats
    hyphens, slashes and other punctuation as spaces and ignores the word ``en``
    and ``&``, so ``Wielwijk en Crabbehof`` equals ``Wielwijk/Crabbehof``.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.translate(_APOSTROPHES).casefold().replace("'", "").replace("&", " en ")
    tokens = [tok for tok in _NON_WORD.sub(" ", folded).split() if tok != "en"]
    return " ".join(tokens)


#: Words that are never a name or alias of an entity (normalised).
GENERIC_WORDS: frozenset[str] = frozenset(
    normalise(word)
    for word in (
        "wijk",
        "wijken",
        "buurt",
        "buurten",
        "Nederland",
        "gemeente",
        "gemeenten",
        "stad",
        "steden",
        "G4",
        "G18",
        "G27",
        "G30",
        "G31",
        "aandachtswijk",
        "aandachtswijken",
        "krachtwijk",
        "krachtwijken",
        "prachtwijk",
        "prachtwijken",
        "Vogelaarwijk",
        "Vogelaarwijken",
    )
)


class RegistryError(KennisbankError):
    """The registry's data is unreadable or inconsistent.

    ``problems`` lists every problem found (Dutch sentences); ``str(err)`` is a
    complete Dutch message for the user.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(message)


@dataclass(frozen=True)
class Alias:
    """Another way to write an entity's name, with where it occurs.

    ``kind`` is one of :data:`ALIAS_KINDS`; ``sources`` are source records like an
    entity's; ``note`` explains a curatorial choice when there is one.
    """

    text: str
    kind: str
    sources: tuple[dict[str, Any], ...] = ()
    note: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "") -> Alias:
        """Build an alias from its JSON form; raise :class:`RegistryError` when malformed."""
        if not isinstance(data, Mapping) or "text" not in data or "kind" not in data:
            raise RegistryError(f"Ongeldige alias {where}: 'text' en 'kind' zijn verplicht.")
        return cls(
            text=str(data["text"]),
            kind=str(data["kind"]),
            sources=tuple(dict(src) for src in data.get("sources", ())),
            note=data.get("note"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of this alias."""
        out: dict[str, Any] = {
            "text": self.text,
            "kind": self.kind,
            "sources": [dict(src) for src in self.sources],
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Entity:
    """One entity of the registry.

    ``attributes`` and the source dicts are plain dicts: treat them as read-only.
    Two entities are equal when all fields are; the hash uses ``id`` and ``origin``.
    """

    id: str
    type: str
    name: str
    aliases: tuple[Alias, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    sources: tuple[dict[str, Any], ...] = ()
    origin: str = "curated"

    def __hash__(self) -> int:
        return hash((self.id, self.origin))

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias text."""
        return (self.name, *(alias.text for alias in self.aliases))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        """Build an entity from its JSON form; raise :class:`RegistryError` when malformed."""
        if not isinstance(data, Mapping):
            raise RegistryError("Ongeldige entiteit: een JSON-object verwacht.")
        missing = [key for key in ("id", "type", "name") if key not in data]
        if missing:
            label = data.get("id", "<zonder id>")
            raise RegistryError(
                f"Entiteit {label} mist verplichte velden: {', '.join(missing)}.", missing
            )
        eid = str(data["id"])
        attributes = data.get("attributes", {})
        if not isinstance(attributes, Mapping):
            raise RegistryError(f"Entiteit {eid}: 'attributes' moet een object zijn.")
        return cls(
            id=eid,
            type=str(data["type"]),
            name=str(data["name"]),
            aliases=tuple(Alias.from_dict(a, f"bij {eid}") for a in data.get("aliases", ())),
            attributes=dict(attributes),
            sources=tuple(dict(src) for src in data.get("sources", ())),
            origin=str(data.get("origin", "curated")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of this entity."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "aliases": [alias.to_dict() for alias in self.aliases],
            "attributes": dict(self.attributes),
            "sources": [dict(src) for src in self.sources],
            "origin": self.origin,
        }


def _sort_key(entity: Entity) -> tuple[int, str]:
    order = ENTITY_TYPES.index(entity.type) if entity.type in ENTITY_TYPES else len(ENTITY_TYPES)
    return order, entity.id


class Registry:
    """All entities, with exact lookup on normalised names and fuzzy suggestions.

    Curated entities come from the data files; harvested entities can be added
    with :meth:`add_harvested` but never replace a curated one.
    """

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._entities: list[Entity] = []
        self._by_id: dict[str, Entity] = {}
        self._index: dict[str, set[str]] = {}
        for entity in entities:
            self._append(entity)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, data_dir: Path | None = None) -> Registry:
        """Read every ``*.json`` file of ``data_dir`` (default: the package's data folder).

        Each file is an object ``{"type": ..., "entities": [...]}``.  Raises
        :class:`RegistryError` when the folder or a file is unreadable; call
        :meth:`validate` to check the content.
        """
        folder = Path(data_dir) if data_dir is not None else DATA_DIR
        if not folder.is_dir():
            raise RegistryError(f"De map met registergegevens bestaat niet: {folder}.")
        entities: list[Entity] = []
        for path in sorted(folder.glob("*.json")):
            entities.extend(_read_file(path))
        return cls(entities)

    # ------------------------------------------------------------------ access
    def get(self, entity_id: str) -> Entity | None:
        """Return the entity with this id, or ``None``."""
        return self._by_id.get(entity_id)

    def by_type(self, entity_type: str) -> list[Entity]:
        """Return the entities of one type, sorted by id."""
        return sorted((e for e in self._by_id.values() if e.type == entity_type), key=_sort_key)

    def all(self) -> list[Entity]:
        """Return every entity, sorted by type (see :data:`ENTITY_TYPES`) and id."""
        return sorted(self._by_id.values(), key=_sort_key)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._by_id

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.all())

    # ------------------------------------------------------------------ matching
    def lookup(self, text: str, entity_type: str | None = None) -> list[Entity]:
        """Return the entities whose name or an alias equals ``text`` after :func:`normalise`.

        Several entities can share a name (``Hatert`` is an aandachtswijk and a
        buurt in VR2010 bijlage 3); they are sorted by type and id.  ``entity_type``
        restricts the result to one type.
        """
        ids = self._index.get(normalise(text), set())
        found = [self._by_id[i] for i in ids]
        if entity_type is not None:
            found = [e for e in found if e.type == entity_type]
        return sorted(found, key=_sort_key)

    def suggest(
        self,
        text: str,
        limit: int = 5,
        *,
        entity_type: str | None = None,
        score_cutoff: float = 0.0,
    ) -> list[tuple[Entity, float]]:
        """Return up to ``limit`` entities whose name or alias resembles ``text``.

        Scores are 0-100 (rapidfuzz ratio or token-sort ratio on normalised
        strings, whichever is higher; the best name or alias of an entity counts).
        Sorted by score, then by type and id.
        """
        query = normalise(text)
        if not query or limit <= 0:
            return []
        best: dict[str, float] = {}
        for key, ids in self._index.items():
            score = max(fuzz.ratio(query, key), fuzz.token_sort_ratio(query, key))
            if score < score_cutoff:
                continue
            for entity_id in ids:
                if score > best.get(entity_id, -1.0):
                    best[entity_id] = score
        ranked = [
            (self._by_id[i], score)
            for i, score in best.items()
            if entity_type is None or self._by_id[i].type == entity_type
        ]
        ranked.sort(key=lambda pair: (-pair[1], _sort_key(pair[0])))
        return ranked[:limit]

    # ------------------------------------------------------------------ harvest
    def add_harvested(self, entity: Entity) -> bool:
        """Add or update an entity found by harvesting documents.

        Returns ``False`` and changes nothing when a curated entity has the same id,
        or has the same type, normalised name and gemeente (a duplicate under
        another id).  A harvested entity with the same id is replaced.  Raises
        :class:`RegistryError` when ``entity.origin`` is not ``harvested``.
        """
        if entity.origin != "harvested":
            raise RegistryError(
                f"Entiteit {entity.id} heeft origin '{entity.origin}'; "
                "add_harvested accepteert alleen origin 'harvested'."
            )
        existing = self._by_id.get(entity.id)
        if existing is not None and existing.origin == "curated":
            return False
        key = normalise(entity.name)
        gemeente = entity.attributes.get("gemeente")
        for other_id in self._index.get(key, set()):
            other = self._by_id[other_id]
            if (
                other.origin == "curated"
                and other.type == entity.type
                and other.attributes.get("gemeente") == gemeente
            ):
                return False
        if existing is not None:
            self._remove(existing)
        self._append(entity)
        return True

    # ------------------------------------------------------------------ validation
    def problems(self) -> list[str]:
        """Return every violated invariant as a Dutch sentence (empty when all is well)."""
        found: list[str] = []
        seen: set[str] = set()
        for entity in self._entities:
            if entity.id in seen:
                found.append(f"De id {entity.id} komt meer dan eens voor.")
            seen.add(entity.id)
        gemeente_keys: dict[str, str] = {}
        for entity in self.by_type("gemeente"):
            for name in entity.names:
                gemeente_keys.setdefault(normalise(name), entity.id)
        place_names: dict[tuple[str, str, object], str] = {}
        for entity in self.all():
            found.extend(self._entity_problems(entity))
            if entity.type in TYPES_WITH_GEMEENTE:
                for name in entity.names:
                    key = normalise(name)
                    if key in gemeente_keys:
                        found.append(
                            f"{entity.id}: de naam '{name}' is ook de naam van "
                            f"{gemeente_keys[key]}."
                        )
                place = (entity.type, normalise(entity.name), entity.attributes.get("gemeente"))
                if place in place_names:
                    found.append(
                        f"{entity.id} en {place_names[place]} hebben dezelfde naam in "
                        "dezelfde gemeente."
                    )
                place_names.setdefault(place, entity.id)
        return found

    def validate(self) -> None:
        """Check the registry; raise :class:`RegistryError` listing every problem.

        Checked: unique, well-formed ids (``<type>/<slug>``, known type and
        origin); a name; at least one source per entity and per alias, each with
        a ``fact`` and a ``document`` or ``source``; known alias kinds; every
        wijk's and buurt's gemeente exists; wijk statuses are known; experiment
        participants are gemeenten in the registry; no gemeente name is also a
        wijk or buurt name; no generic word (wijk, buurt, Nederland, G18, G31, ...)
        as a name or alias; no two wijken (or buurten) with the same name in one
        gemeente.
        """
        found = self.problems()
        if found:
            shown = "; ".join(found[:10])
            more = f" (en nog {len(found) - 10})" if len(found) > 10 else ""
            raise RegistryError(
                f"Het register is ongeldig: {len(found)} probleem/problemen gevonden: "
                f"{shown}{more}.",
                found,
            )

    # ------------------------------------------------------------------ internals
    def _entity_problems(self, entity: Entity) -> list[str]:
        found: list[str] = []
        eid = entity.id
        match = _ID_RE.match(eid)
        if match is None:
            found.append(f"{eid}: de id heeft niet de vorm <type>/<slug> (kleine letters, ASCII).")
        elif match.group("type") != entity.type:
            found.append(f"{eid}: de id begint niet met het type '{entity.type}'.")
        if entity.type not in ENTITY_TYPES:
            found.append(f"{eid}: onbekend type '{entity.type}'.")
        if entity.origin not in ORIGINS:
            found.append(f"{eid}: onbekende herkomst (origin) '{entity.origin}'.")
        if not entity.name.strip():
            found.append(f"{eid}: de naam is leeg.")
        if not entity.sources:
            found.append(f"{eid}: er is geen enkele bron.")
        found.extend(_source_problems(eid, entity.sources))
        for name in entity.names:
            if normalise(name) in GENERIC_WORDS:
                found.append(f"{eid}: '{name}' is een algemeen woord en geen naam.")
        for alias in entity.aliases:
            if alias.kind not in ALIAS_KINDS:
                found.append(f"{eid}: alias '{alias.text}' heeft onbekende soort '{alias.kind}'.")
            if not alias.sources:
                found.append(f"{eid}: alias '{alias.text}' heeft geen bron.")
            found.extend(_source_problems(f"{eid} (alias '{alias.text}')", alias.sources))
        if entity.type in TYPES_WITH_GEMEENTE:
            gemeente = entity.attributes.get("gemeente")
            target = self._by_id.get(gemeente) if isinstance(gemeente, str) else None
            if target is None or target.type != "gemeente":
                found.append(f"{eid}: de gemeente '{gemeente}' bestaat niet in het register.")
        if entity.type == "wijk" and entity.attributes.get("status") not in WIJK_STATUSES:
            found.append(f"{eid}: onbekende status '{entity.attributes.get('status')}'.")
        if entity.type == "experiment":
            for group in entity.attributes.get("deelnemers", ()):
                for gid in (*group.get("gemeenten", ()), *group.get("mogelijk", ())):
                    target = self._by_id.get(gid)
                    if target is None or target.type != "gemeente":
                        found.append(f"{eid}: deelnemer '{gid}' is geen gemeente in het register.")
        return found

    def _append(self, entity: Entity) -> None:
        self._entities.append(entity)
        if entity.id in self._by_id:
            return  # a duplicate id: kept in _entities so that validate() reports it
        self._by_id[entity.id] = entity
        for name in entity.names:
            key = normalise(name)
            if key:
                self._index.setdefault(key, set()).add(entity.id)

    def _remove(self, entity: Entity) -> None:
        self._entities = [e for e in self._entities if e is not entity]
        del self._by_id[entity.id]
        for name in entity.names:
            ids = self._index.get(normalise(name))
            if ids is not None:
                ids.discard(entity.id)
                if not ids:
                    del self._index[normalise(name)]


def _source_problems(label: str, sources: Iterable[Mapping[str, Any]]) -> list[str]:
    found: list[str] = []
    for src in sources:
        if not isinstance(src, Mapping) or not src.get("fact"):
            found.append(f"{label}: een bron zonder 'fact'.")
        elif not (src.get("document") or src.get("source")):
            found.append(f"{label}: bron voor '{src['fact']}' noemt geen document of bron-id.")
    return found


def _read_file(path: Path) -> list[Entity]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegistryError(f"Registerbestand {path.name} is niet leesbaar: {exc}.") from exc
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entities"), list):
        raise RegistryError(
            f"Registerbestand {path.name} moet een object met een lijst 'entities' zijn."
        )
    file_type = payload.get("type")
    entities = []
    for item in payload["entities"]:
        entity = Entity.from_dict(item)
        if file_type is not None and entity.type != file_type:
            raise RegistryError(
                f"Registerbestand {path.name} is voor type '{file_type}', maar {entity.id} "
                f"heeft type '{entity.type}'."
            )
        entities.append(entity)
    return entities


__all__ = [
    "ALIAS_KINDS",
    "DATA_DIR",
    "ENTITY_TYPES",
    "GENERIC_WORDS",
    "Alias",
    "Entity",
    "Registry",
    "RegistryError",
    "normalise",
]
