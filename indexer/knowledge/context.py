"""The document around a passage: a wijk or buurt name needs its gemeente in the document.

Many wijk and buurt names are also the names of streets, industrial estates, polders or
districts elsewhere (``Het Zand 41`` in Beneden-Leeuwen, ``de Tussendijken`` in Burgum,
``Binnenstad Hulst``, ``Spoorbuurt`` in Anna Paulowna).  Recognition reads one passage at a
time; :func:`places_in_context` then reads each document as a whole and keeps a wijk or
buurt mention only when

* the mention itself states its gemeente: a context rule that names it (``Y X``,
  ``X (Y)``, ``X in Y``, a table row of the gemeente, ``de Y-se wijk X``, ``gemeente in
  zin``), or a name that contains it (``Utrecht Overvecht``, ``Maastricht Noordoost``); or
* the document names the gemeente somewhere (a gemeente mention in any of its passages,
  or in :attr:`DocumentContext.gemeenten`): ``Babberspolder Oost`` in Vlaardingen's
  bestemmingsplan, ``Rivierenwijk`` in a report that speaks of Deventer.

Wijken and buurten without a gemeente in the registry, and all other entity types, are
kept as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from kennisbank.model import Mention
from kennisbank.registry import Registry, normalise

#: Context rules that name the gemeente of the place they find.
RULES_WITH_GEMEENTE = frozenset(
    {
        "Y X",
        "Y-X",
        "Y, X",
        "Y: X",
        "Y | X",
        "X in Y",
        "X (Y)",
        "X, Y",
        "X | Y",
        "tabelrij",
        "de Y-se wijk X",
        "gemeente in zin",
    }
)
_PLACE_TYPES = ("wijk", "buurt")


@dataclass(frozen=True)
class DocumentContext:
    """What is known about a document beyond the passages being read: ``gemeenten``, the
    ids of the gemeenten it names (the passages' own gemeente mentions are added)."""

    gemeenten: frozenset[str] = frozenset()


class PlaceContext:
    """Applies the rule of the module docstring with the gemeenten of ``registry``."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        names: list[tuple[str, str]] = []
        for entity in registry.by_type("gemeente"):
            for name in (entity.name, *(a.text for a in entity.aliases if a.kind != "adjective")):
                key = normalise(name)
                if key:
                    names.append((f" {key} ", entity.id))
        self._names = names
        self.gemeente_in = lru_cache(maxsize=8192)(self._gemeente_in)

    def gemeente_of(self, entity_id: str) -> str | None:
        """The gemeente id of a wijk or buurt (``None`` when the registry gives none)."""
        entity = self.registry.get(entity_id)
        gid = entity.attributes.get("gemeente") if entity is not None else None
        return gid if isinstance(gid, str) else None

    def _gemeente_in(self, surface: str) -> frozenset[str]:
        padded = f" {normalise(surface)} "
        return frozenset(gid for key, gid in self._names if key in padded)

    def stated(self, mention: Mention, gemeente: str) -> bool:
        """True when the mention itself states its gemeente (rule or surface)."""
        if mention.method == "context" and mention.rule in RULES_WITH_GEMEENTE:
            return True
        return gemeente in self.gemeente_in(mention.surface)

    def filter(
        self,
        mentions: Iterable[Mention],
        contexts: Mapping[str, DocumentContext] | None = None,
    ) -> list[Mention]:
        """``mentions`` (of whole documents) without the wijken and buurten whose gemeente
        the document does not name, in the same order."""
        items = list(mentions)
        named: dict[str, set[str]] = defaultdict(set)
        for m in items:
            if m.entity_id.startswith("gemeente/"):
                named[m.document_id].add(m.entity_id)
        for doc_id, context in (contexts or {}).items():
            named[doc_id].update(context.gemeenten)
        kept: list[Mention] = []
        for m in items:
            if m.entity_id.split("/", 1)[0] in _PLACE_TYPES:
                gemeente = self.gemeente_of(m.entity_id)
                if gemeente and gemeente not in named[m.document_id]:
                    if not self.stated(m, gemeente):
                        continue
            kept.append(m)
        return kept


def places_in_context(
    mentions: Iterable[Mention],
    registry: Registry,
    contexts: Mapping[str, DocumentContext] | None = None,
) -> list[Mention]:
    """Shorthand for ``PlaceContext(registry).filter(mentions, contexts)``."""
    return PlaceContext(registry).filter(mentions, contexts)


__all__ = ["RULES_WITH_GEMEENTE", "DocumentContext", "PlaceContext", "places_in_context"]
