"""Shared building blocks of the recognition components: candidates and the entity table.

A :class:`Candidate` is a possible mention (token span + entity id + method);
:class:`EntityTable` gives the components read access to the registry facts that
:func:`indexer.knowledge.nlp.registry_table` extracted; :func:`pick` chooses among the
entities one surface can name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.attrs import IDX, LOWER, ORTH, SENT_START, SPACY
from spacy.tokens import Doc

from kennisbank.registry import normalise

#: ``doc.spans`` key of the span ruler's registry matches.
SPANS_KEY = "kb_registry"
#: Words that make a name a bare compass direction.
COMPASS_WORDS: frozenset[str] = frozenset(
    {"noord", "oost", "zuid", "west", "noordoost", "noordwest", "zuidoost", "zuidwest"}
)
#: Preference between entity types when one surface names several entities.
TYPE_ORDER: tuple[str, ...] = (
    "wijk",
    "buurt",
    "gemeente",
    "experiment",
    "partner",
    "organisatie",
    "persoon",
)
#: Quotes that may stand between a cue word and a name.
QUOTES = frozenset({"'", '"', "‘", "’", "“", "”", "„", "`", "´"})
#: Tokens that may separate the items of a list of names.
LIST_GLUE = frozenset({",", "en", "of", ":", ";", "&", "–", "-"}) | QUOTES


@dataclass
class Candidate:
    """A possible mention: tokens ``start:end`` of a doc name ``entity_id``.

    ``method`` is ``exact``, ``alias``, ``harvested``, ``context``, ``fuzzy`` or
    ``model``; ``rule`` names the context rule; ``score`` is 0–1.
    """

    start: int
    end: int
    entity_id: str
    method: str
    score: float = 1.0
    rule: str = ""

    @property
    def type(self) -> str:
        """The entity type (the part of the id before ``/``)."""
        return self.entity_id.split("/", 1)[0]


class EntityTable:
    """Read access to :func:`indexer.knowledge.nlp.registry_table` data."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.entities: dict[str, dict[str, Any]] = dict(data.get("entities", {}))
        self._keys: dict[str, list[str]] | None = None
        #: Answers of :func:`pick` (the same few id lists come up in every passage).
        self.picks: dict[tuple[tuple[str, ...], str | None], str | None] = {}

    def type(self, entity_id: str) -> str:
        """The type of an entity (from the table, else from the id)."""
        info = self.entities.get(entity_id)
        return info["type"] if info else entity_id.split("/", 1)[0]

    def gemeente(self, entity_id: str) -> str | None:
        """The gemeente id of a wijk or buurt."""
        info = self.entities.get(entity_id)
        return info.get("gemeente") if info else None

    def flags(self, entity_id: str, key: str) -> dict[str, Any]:
        """The flags of one normalised name of an entity (see ``registry_table``)."""
        info = self.entities.get(entity_id, {})
        found = info.get("keys", {}).get(key)
        if found is not None:
            return found
        return {
            "acronym": False,
            "lower": False,
            "compass": bool(key) and all(w in COMPASS_WORDS for w in key.split()),
            "adjective": False,
            "caps": [],
        }

    def method(self, entity_id: str, key: str) -> str:
        """``harvested`` for harvested entities, else ``exact`` for the name, ``alias``."""
        info = self.entities.get(entity_id, {})
        if info.get("origin") == "harvested":
            return "harvested"
        return "exact" if key == info.get("name") else "alias"

    def keys(self) -> dict[str, list[str]]:
        """Normalised name → entity ids."""
        if self._keys is None:
            index: dict[str, list[str]] = {}
            for eid, info in self.entities.items():
                for key in info.get("keys", {}):
                    index.setdefault(key, []).append(eid)
            self._keys = index
        return self._keys


@dataclass(frozen=True)
class Tokens:
    """The attributes of a doc's tokens that the components read, as plain lists.

    Every ``doc[i]`` or ``for tok in doc`` makes a new ``Token`` and every
    ``tok.text`` a string-store lookup; the components scan each passage several
    times, so the lists are made once per doc (:func:`doc_tokens`).
    """

    text: list[str]
    lower: list[str]
    space: list[str]  # ``whitespace_``: " " or ""
    idx: list[int]
    #: ``doc.text`` (which joins the tokens anew on every access).
    doc_text: str

    def end_char(self, i: int) -> int:
        """The character offset just after token ``i``."""
        return self.idx[i] + len(self.text[i])


def doc_tokens(doc: Doc) -> Tokens:
    """The :class:`Tokens` of ``doc`` (made once, kept in ``doc.user_data``)."""
    cached = doc.user_data.get("kb_tokens")
    if cached is None or len(cached.text) != len(doc):
        strings = doc.vocab.strings
        rows = doc.to_array([ORTH, LOWER, IDX, SPACY]).tolist() if len(doc) else []
        texts = [strings[row[0]] for row in rows]
        spaces = [" " if row[3] else "" for row in rows]
        cached = Tokens(
            text=texts,
            lower=[strings[row[1]] for row in rows],
            space=spaces,
            idx=[row[2] for row in rows],
            doc_text="".join(t + s for t, s in zip(texts, spaces, strict=True)),
        )
        doc.user_data["kb_tokens"] = cached
    return cached


#: :func:`~kennisbank.registry.normalise` with a cache: surfaces repeat across passages.
name_key = lru_cache(maxsize=65536)(normalise)

_NON_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})


@lru_cache(maxsize=65536)
def cased_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as :func:`~kennisbank.registry.normalise` splits them, with
    their case kept: word ``i`` here is word ``i`` of the lookup key (``De Hoogte`` →
    ``("De", "Hoogte")``, ``Wielwijk en Crabbehof`` → ``("Wielwijk", "Crabbehof")``)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.translate(_APOSTROPHES).replace("'", "").replace("&", " en ")
    return tuple(w for w in _NON_WORD.sub(" ", folded).split() if w.casefold() != "en")


def type_rank(entity_type: str, prefer: str | None = None) -> int:
    """Position of a type in :data:`TYPE_ORDER`; ``prefer`` moves one type to the front."""
    if prefer and entity_type == prefer:
        return -1
    return TYPE_ORDER.index(entity_type) if entity_type in TYPE_ORDER else len(TYPE_ORDER)


def pick(ids: list[str], table: EntityTable, prefer: str | None = None) -> str | None:
    """The single best entity by type preference, or ``None`` when the best type is shared."""
    if not ids:
        return None
    key = (tuple(ids), prefer)
    if key not in table.picks:
        table.picks[key] = _pick(ids, table, prefer)
    return table.picks[key]


def _pick(ids: list[str], table: EntityTable, prefer: str | None) -> str | None:
    ranked = sorted(set(ids), key=lambda e: (type_rank(table.type(e), prefer), e))
    best = type_rank(table.type(ranked[0]), prefer)
    top = [e for e in ranked if type_rank(table.type(e), prefer) == best]
    return top[0] if len(top) == 1 else None


def sentence_starts(doc: Doc) -> list[int]:
    """For every token, the index of the first token of its sentence (computed once per doc)."""
    cached = doc.user_data.get("kb_sentence_starts")
    if cached is None or len(cached) != len(doc):
        flags = doc.to_array(SENT_START).tolist() if len(doc) else []
        if any(flags):  # set by the sentencizer: read them without making Span objects
            cached, current = [], 0
            for i, flag in enumerate(flags):
                current = i if flag == 1 else current
                cached.append(current)
        else:
            cached = [0] * len(doc)
            for sent in doc.sents:
                cached[sent.start : sent.end] = [sent.start] * (sent.end - sent.start)
        doc.user_data["kb_sentence_starts"] = cached
    return cached


def is_sentence_initial(doc: Doc, i: int) -> bool:
    """True when only punctuation, numbers or list markers precede token ``i`` in its sentence.

    A line break also starts a sentence (list items, table rows, headings).
    """
    for j in range(i - 1, sentence_starts(doc)[i] - 1, -1):
        tok = doc[j]
        if tok.is_space and "\n" in tok.text:
            return True
        if not (tok.is_punct or tok.like_num or tok.is_space or len(tok.text) == 1):
            return False
        if "\n" in tok.whitespace_:
            return True
    return True


__all__ = [
    "COMPASS_WORDS",
    "LIST_GLUE",
    "QUOTES",
    "SPANS_KEY",
    "TYPE_ORDER",
    "Candidate",
    "EntityTable",
    "Tokens",
    "cased_words",
    "doc_tokens",
    "is_sentence_initial",
    "name_key",
    "sentence_starts",
    "pick",
    "type_rank",
]
