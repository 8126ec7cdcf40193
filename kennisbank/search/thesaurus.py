"""Domain thesaurus for query expansion: synonyms and abbreviations of the wijkenaanpak.

The groups live in ``data/thesaurus.json`` (each with its source: a corpus file
and line, or ``"domain term"``; see ``data/SOURCES.md``).  Every term of a group
expands to the other terms of that group with the group's weight (0.4–0.5: an
expansion counts for less than what the user typed)::

    >>> th = Thesaurus.load(with_registry=False)
    >>> ("Centrum voor Jeugd en Gezin", 0.5) in th.expand("CJG")
    True

``Thesaurus.load()`` also adds one group per registry entity with aliases
(``Den Haag`` / ``'s-Gravenhage``, ``UWV`` / ``Uitvoeringsorgaan
Werknemersverzekeringen``, ``Rotterdam`` / ``Rotterdamse`` …).

Terms are matched case- and accent-insensitively, with punctuation ignored
(``wap's`` = ``WAP``, ``Wonen, Wijken en Integratie`` = ``wonen wijken en
integratie``) and, failing that, on their stems (``Vogelaarwijkje`` does not
match, ``krachtwijk`` and ``Krachtwijken`` do).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kennisbank.registry import GENERIC_WORDS, Registry, normalise
from kennisbank.search.language import DATA_DIR, query_terms

#: The thesaurus data file shipped with the package.
THESAURUS_FILE = DATA_DIR / "thesaurus.json"
#: Further thesaurus files read after it (``thesaurus_everyday.json``: everyday words
#: and the reports' policy words; ``thesaurus_lexicon.json``: general Dutch synonyms
#: from Open Dutch WordNet and Wiktionary, made by ``benchmarks/build_thesaurus.py``).
EXTRA_FILES = "thesaurus_*.json"

#: Weight of an expansion when a group does not give one.
DEFAULT_WEIGHT = 0.5

#: Longest term, in words, that :meth:`Thesaurus.find` looks for.
_MAX_WORDS = 10

_WORD = re.compile(r"[\w+]+")


def term_key(text: str) -> str:
    """Normalise a term for matching: lowercase, no accents, no punctuation, no ``'s``.

    >>> term_key("Wonen, Wijken en Integratie")
    'wonen wijken en integratie'
    >>> term_key("wap’s")
    'wap'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = re.sub(r"(?<=\w)['\u2019\u2018`]s\b", "", folded)
    return " ".join(_WORD.findall(folded.replace("_", " ")))


def _stem_key(text: str) -> str:
    return " ".join(query_terms(text))


@dataclass(frozen=True)
class ThesaurusGroup:
    """Terms that stand for the same thing, with the weight of an expansion.

    ``kind`` is ``synonym``, ``abbreviation``, ``everyday``, ``lexicon`` or
    ``registry:<type>``; ``sources`` are the dicts from the data file
    (``document``/``line``/``quote``, or ``resource``/``synset``), the strings
    ``"domain term"`` or ``"algemeen Nederlands"``, or ``{"registry": <entity id>}``.
    ``everyday`` words lead to the ``terms`` but are never expansions themselves
    (``buurtagent`` finds ``wijkagent``; ``wijkagent`` does not search for ``buurtagent``,
    a word the reports do not use).  An everyday word expands with ``weight``; one of
    the ``terms`` to the others with ``term_weight`` (``None``: ``weight``), lower as
    a rule: an everyday word is absent from the reports, so its expansions are all it
    can find, while a report word already finds itself.
    """

    terms: tuple[str, ...]
    kind: str = "synonym"
    weight: float = DEFAULT_WEIGHT
    sources: tuple[Any, ...] = ()
    note: str | None = None
    everyday: tuple[str, ...] = ()
    term_weight: float | None = None

    def weight_from(self, own: str, stem_of: Any) -> float:
        """The weight of this group's expansions of ``own`` (a stem key, see above)."""
        if self.term_weight is None or not self.everyday:
            return self.weight
        if any((stem_of(t) or term_key(t)) == own for t in self.terms):
            return self.term_weight
        return self.weight


@dataclass(frozen=True)
class ThesaurusMatch:
    """A thesaurus term found in a text: word span ``[start, end)`` and its expansions."""

    start: int
    end: int
    text: str
    expansions: tuple[tuple[str, float], ...] = field(default=())


class Thesaurus:
    """Synonym and abbreviation groups with lookup by term (see the module docstring)."""

    def __init__(self, groups: Iterable[ThesaurusGroup] = ()) -> None:
        self._groups: list[ThesaurusGroup] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_stem: dict[str, list[int]] | None = None
        self._stems: dict[str, str] = {}
        for group in groups:
            self.add(group)

    # ------------------------------------------------------------------ building
    @classmethod
    def load(
        cls,
        registry: Registry | None = None,
        *,
        with_registry: bool = True,
        path: Path | None = None,
    ) -> Thesaurus:
        """Read ``data/thesaurus.json`` and ``data/thesaurus_*.json`` (or only ``path``)
        and add the registry's alias groups.

        ``registry`` defaults to :meth:`kennisbank.registry.Registry.load` when
        ``with_registry`` is true; a registry that cannot be read adds nothing.
        """
        paths = [path] if path is not None else thesaurus_files()
        thesaurus = cls()
        for file in paths:
            payload = json.loads(file.read_text(encoding="utf-8"))
            for item in payload["groups"]:
                thesaurus.add(_group_from_dict(item))
        if with_registry:
            if registry is None:
                registry = _default_registry()
            if registry is not None:
                for group in registry_groups(registry):
                    thesaurus.add(group)
        return thesaurus

    def add(self, group: ThesaurusGroup) -> None:
        """Add one group (terms with the same key are merged into one lookup)."""
        index = len(self._groups)
        self._groups.append(group)
        for term in (*group.terms, *group.everyday):
            key = term_key(term)
            if key:
                self._by_key.setdefault(key, []).append(index)
        self._by_stem = None

    def _stem(self, term: str) -> str:
        """The analyzed (stemmed) form of a term, cached."""
        found = self._stems.get(term)
        if found is None:
            found = self._stems[term] = _stem_key(term)
        return found

    def _stem_index(self) -> dict[str, list[int]]:
        if self._by_stem is None:
            by_stem: dict[str, list[int]] = {}
            for index, group in enumerate(self._groups):
                for term in (*group.terms, *group.everyday):
                    stem = self._stem(term)
                    if stem:
                        by_stem.setdefault(stem, []).append(index)
            self._by_stem = by_stem
        return self._by_stem

    # ------------------------------------------------------------------ lookup
    def groups(self) -> list[ThesaurusGroup]:
        """Every group, data-file groups first, then registry groups."""
        return list(self._groups)

    def groups_for(self, term: str) -> list[ThesaurusGroup]:
        """The groups containing ``term`` (exact key first, else by stems)."""
        key = term_key(term)
        found = self._by_key.get(key)
        if not found and key:
            found = self._stem_index().get(self._stem(term))
        return [self._groups[i] for i in dict.fromkeys(found or [])]

    def expand(self, term: str) -> list[tuple[str, float]]:
        """Return ``(expansion, weight)`` pairs for ``term``; empty when it is unknown.

        Expansions are whole terms (phrases keep their spaces).  Terms that
        analyze to the same stems as ``term`` or as an earlier expansion are left
        out (``krachtwijken`` does not expand to ``krachtwijk``: the analyzer
        already matches it).  The highest weight wins when a term is in several
        groups; ordered by weight, then as in the data.
        """
        own = self._stem(term) or term_key(term)
        best: dict[str, tuple[str, float]] = {}
        for group in self.groups_for(term):
            weight = group.weight_from(own, self._stem)
            for other in group.terms:
                key = self._stem(other) or term_key(other)
                if not key or key == own:
                    continue
                if key not in best or best[key][1] < weight:
                    best[key] = (other, weight)
        ordered = sorted(enumerate(best.values()), key=lambda item: (-item[1][1], item[0]))
        return [pair for _, pair in ordered]

    def find(self, text: str) -> list[ThesaurusMatch]:
        """Find thesaurus terms in a query, longest first, without overlaps.

        >>> th = Thesaurus.load(with_registry=False)
        >>> [(m.text, m.expansions[0][0]) for m in th.find("rol van het CJG")]
        [('CJG', 'Centrum voor Jeugd en Gezin')]
        """
        words = term_key(text).split()
        matches: list[ThesaurusMatch] = []
        start = 0
        while start < len(words):
            for end in range(min(len(words), start + _MAX_WORDS), start, -1):
                span = " ".join(words[start:end])
                if span in self._by_key or (end - start == 1 and self.groups_for(span)):
                    expansions = tuple(self.expand(span))
                    if expansions:
                        original = _original_span(text, start, end)
                        matches.append(ThesaurusMatch(start, end, original, expansions))
                        start = end
                        break
            else:
                start += 1
        return matches

    def __len__(self) -> int:
        return len(self._groups)


def thesaurus_files(folder: Path = DATA_DIR) -> list[Path]:
    """The thesaurus data files: ``thesaurus.json`` first, then ``thesaurus_*.json`` by name."""
    main = folder / THESAURUS_FILE.name
    return [main] + sorted(p for p in folder.glob(EXTRA_FILES) if p != main)


def _original_span(text: str, start: int, end: int) -> str:
    """The words ``start..end`` of ``text`` as typed (word numbering as in term_key)."""
    spans: list[tuple[int, int]] = []
    folded = re.sub(r"(?<=\w)['\u2019\u2018`]s\b", lambda m: " " * len(m.group(0)), text)
    spans = [m.span() for m in _WORD.finditer(folded.replace("_", " "))]
    if end > len(spans):
        return " ".join(term_key(text).split()[start:end])
    return text[spans[start][0] : spans[end - 1][1]]


def _group_from_dict(item: Mapping[str, Any]) -> ThesaurusGroup:
    return ThesaurusGroup(
        terms=tuple(str(t) for t in item["terms"]),
        kind=str(item.get("kind", "synonym")),
        weight=float(item.get("weight", DEFAULT_WEIGHT)),
        sources=tuple(item.get("sources", ())),
        note=item.get("note"),
        everyday=tuple(str(t) for t in item.get("everyday", ())),
        term_weight=float(item["term_weight"]) if "term_weight" in item else None,
    )


def _default_registry() -> Registry | None:
    try:
        return Registry.load()
    except Exception:  # the registry is optional: expansion works without it
        return None


def registry_groups(registry: Registry, weight: float = DEFAULT_WEIGHT) -> list[ThesaurusGroup]:
    """One group per registry entity with a name and at least one distinct alias.

    Generic words (``wijk``, ``gemeente``, ``krachtwijken`` …, see
    :data:`kennisbank.registry.GENERIC_WORDS`) are left out of the groups.
    """
    groups = []
    for entity in registry.all():
        terms = []
        keys: set[str] = set()
        for name in entity.names:
            key = term_key(name)
            if key and key not in keys and normalise(name) not in GENERIC_WORDS:
                keys.add(key)
                terms.append(name)
        if len(terms) > 1:
            groups.append(
                ThesaurusGroup(
                    terms=tuple(terms),
                    kind=f"registry:{entity.type}",
                    weight=weight,
                    sources=({"registry": entity.id},),
                )
            )
    return groups


__all__ = [
    "DEFAULT_WEIGHT",
    "EXTRA_FILES",
    "THESAURUS_FILE",
    "Thesaurus",
    "ThesaurusGroup",
    "ThesaurusMatch",
    "registry_groups",
    "term_key",
    "thesaurus_files",
]
