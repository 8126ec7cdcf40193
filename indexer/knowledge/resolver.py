"""The last pipeline components: fuzzy names, the optional model, and the final choice.

* :class:`FuzzyMatcher` — capitalised word sequences that no registry name covers
  are compared with the registry names by rapidfuzz (``ratio`` on
  :func:`~kennisbank.registry.normalise`-d text).  A hit needs the score
  threshold, the same first letter and number of words, a length within 20 %
  (at least 2 characters), and neither string may be a prefix of the other
  (``Amsterdammers``, ``Rotterdamwet``).  Compass names are never fuzzy-matched, and a
  wijk or buurt name followed by a house number (``De Krommert 72``) is a street.
* :class:`StatisticalNER` — runs a spaCy pipeline given by name or path over the
  text; ``PER`` becomes ``persoon/<slug>``, ``ORG`` a registry partner or
  organisatie when the name matches one exactly, else ``organisatie/<slug>``;
  ``LOC``/``GPE`` count only when they name a registry place.  Method ``model``,
  score 0.8 (the model gives no probability).
* :class:`Resolver` — picks the mentions: the longest candidate wins; for one
  span, the preferred type (wijk before buurt, except in a table headed *Buurt*)
  and then the method (registry name, context rule, fuzzy) decide.  Model
  candidates only fill gaps.  Sets ``doc.ents`` and ``doc._.kb_mentions``.
"""

from __future__ import annotations

import logging
from typing import Any

import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc, Span

from indexer.knowledge.candidates import (
    SPANS_KEY,
    Candidate,
    EntityTable,
    doc_tokens,
    name_key,
    pick,
    type_rank,
)
from indexer.knowledge.persons import person_id
from indexer.knowledge.places import is_address
from kennisbank.registry import normalise

logger = logging.getLogger(__name__)

#: Order of methods when two candidates cover the same span with the same type rank.
METHOD_RANK: dict[str, int] = {
    "exact": 0,
    "alias": 0,
    "harvested": 0,
    "context": 1,
    "fuzzy": 2,
    "model": 3,
}
MODEL_SCORE = 0.8
_CONNECTORS = frozenset(
    {"van", "voor", "de", "der", "den", "het", "en", "&", "-", "/", "op", "tot"}
)
_MAX_WINDOW = 6
_PLACE_TYPES = ("gemeente", "wijk", "buurt")
_ORG_TYPES = ("partner", "organisatie")


def _candidates(doc: Doc) -> list[Candidate]:
    if doc._.kb_candidates is None:
        doc._.kb_candidates = []
    return doc._.kb_candidates


def _slug(text: str) -> str:
    return "-".join(normalise(text).split())


class FuzzyMatcher:
    """Adds ``fuzzy`` candidates for misspelt registry names (see the module docstring).

    ``options``: ``table`` (registry table), ``threshold`` (0–100), ``min_length``.
    """

    def __init__(self, nlp: Language, name: str, *, options: dict[str, Any]) -> None:
        self.name = name
        self.table = EntityTable(options.get("table", {}))
        self.threshold = float(options.get("threshold", 90.0))
        self.min_length = int(options.get("min_length", 6))
        self.index: dict[tuple[str, int], list[str]] = {}
        for key, ids in self.table.keys().items():
            if len(key) < self.min_length:
                continue
            if any(self.table.flags(eid, key)["compass"] for eid in ids):
                continue
            self.index.setdefault((key[0], len(key.split())), []).append(key)

    def __call__(self, doc: Doc) -> Doc:
        candidates = _candidates(doc)
        covered = {i for span in doc.spans.get(SPANS_KEY, []) for i in range(span.start, span.end)}
        covered.update(i for c in candidates for i in range(c.start, c.end))
        hits: list[tuple[float, int, int, str]] = []
        for start, end in self._chunks(doc, covered):
            for size in range(1, min(_MAX_WINDOW, end - start) + 1):
                for s in range(start, end - size + 1):
                    hit = self._match(doc, s, s + size)
                    if hit is not None:
                        hits.append((hit[0], s, s + size, hit[1]))
        used: set[int] = set()
        for score, s, e, eid in sorted(hits, key=lambda h: (-h[0], -(h[2] - h[1]), h[1])):
            if any(i in used for i in range(s, e)):
                continue
            used.update(range(s, e))
            candidates.append(Candidate(s, e, eid, "fuzzy", round(score / 100.0, 3)))
        return doc

    @staticmethod
    def _chunks(doc: Doc, covered: set[int]) -> list[tuple[int, int]]:
        chunks: list[tuple[int, int]] = []
        start: int | None = None
        last_name: int | None = None
        tokens = doc_tokens(doc)
        for i, (text, lower) in enumerate(zip(tokens.text, tokens.lower, strict=True)):
            first = text[:1]
            name_like = first.isupper() and first.isalpha() and i not in covered
            connector = lower in _CONNECTORS and i not in covered
            if name_like:
                if start is None:
                    start = i
                last_name = i
            elif connector and start is not None:
                continue
            else:
                if start is not None and last_name is not None:
                    chunks.append((start, last_name + 1))
                start = last_name = None
        if start is not None and last_name is not None:
            chunks.append((start, last_name + 1))
        return chunks

    def _match(self, doc: Doc, start: int, end: int) -> tuple[float, str] | None:
        tokens = doc_tokens(doc)
        if not (tokens.text[start][:1].isupper() and tokens.text[end - 1][:1].isupper()):
            return None
        query = name_key(tokens.doc_text[tokens.idx[start] : tokens.end_char(end - 1)])
        if len(query) < self.min_length:
            return None
        choices = self.index.get((query[0], len(query.split())))
        if not choices:
            return None
        found = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=self.threshold)
        if found is None:
            return None
        key, score = found[0], float(found[1])
        if score >= 100.0 or key.startswith(query) or query.startswith(key):
            return None
        if abs(len(key) - len(query)) > max(2, 0.2 * len(key)):
            return None
        eid = pick(self.table.keys()[key], self.table)
        if eid and self.table.type(eid) in ("wijk", "buurt") and is_address(doc, end):
            return None  # "De Krommert 72": a street
        return (score, eid) if eid else None


class StatisticalNER:
    """Adds ``model`` candidates from a spaCy pipeline (see the module docstring).

    ``options``: ``model`` (package name or path), ``table`` (registry table).
    When the model cannot be loaded, the component logs a warning and adds nothing.
    """

    def __init__(self, nlp: Language, name: str, *, options: dict[str, Any]) -> None:
        self.name = name
        self.table = EntityTable(options.get("table", {}))
        self.model_name = str(options.get("model", ""))
        self.model: Language | None
        try:
            self.model = spacy.load(self.model_name)
        except (OSError, ValueError, ImportError) as exc:
            logger.warning("Statistisch model %s niet geladen: %s", self.model_name, exc)
            self.model = None

    def __call__(self, doc: Doc) -> Doc:
        if self.model is not None:
            self._annotate(doc, self.model(doc.text))
        return doc

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        """Batch version of ``__call__``: runs the model with ``pipe``."""
        docs = list(docs)
        if self.model is None:
            yield from docs
            return
        model_docs = self.model.pipe((d.text for d in docs), batch_size=batch_size)
        for doc, model_doc in zip(docs, model_docs, strict=True):
            yield self._annotate(doc, model_doc)

    def _annotate(self, doc: Doc, model_doc: Doc) -> Doc:
        candidates = _candidates(doc)
        keys = self.table.keys()
        for ent in model_doc.ents:
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="expand")
            if span is None:
                continue
            label = ent.label_.upper()
            known = keys.get(normalise(ent.text), [])
            eid: str | None
            if label in ("PER", "PERSON"):
                eid = person_id(ent.text)
            elif label == "ORG":
                eid = pick([e for e in known if self.table.type(e) in _ORG_TYPES], self.table)
                eid = eid or f"organisatie/{_slug(ent.text)}"
            elif label in ("LOC", "GPE"):
                eid = pick([e for e in known if self.table.type(e) in _PLACE_TYPES], self.table)
            else:
                eid = None
            if eid and not eid.endswith("/"):
                candidates.append(
                    Candidate(span.start, span.end, eid, "model", MODEL_SCORE, f"model {label}")
                )
        return doc


class Resolver:
    """Chooses the final, non-overlapping mentions (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, *, options: dict[str, Any]) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        candidates = _candidates(doc)
        prefer = doc._.kb_prefer
        chosen: list[Candidate] = []
        used: set[int] = set()

        tokens = doc_tokens(doc)

        def length(c: Candidate) -> int:
            return tokens.end_char(c.end - 1) - tokens.idx[c.start]

        primary = [c for c in candidates if c.method != "model"]
        model = [c for c in candidates if c.method == "model"]
        for group in (primary, model):
            ranked = sorted(
                group,
                key=lambda c: (
                    -length(c),
                    c.start,
                    type_rank(c.type, prefer),
                    METHOD_RANK.get(c.method, 9),
                    -c.score,
                    c.entity_id,
                ),
            )
            for cand in ranked:
                if any(i in used for i in range(cand.start, cand.end)):
                    continue
                used.update(range(cand.start, cand.end))
                chosen.append(cand)
        chosen.sort(key=lambda c: c.start)
        doc._.kb_mentions = chosen
        doc.ents = [Span(doc, c.start, c.end, label=c.type, kb_id=c.entity_id) for c in chosen]
        return doc


__all__ = ["METHOD_RANK", "MODEL_SCORE", "FuzzyMatcher", "Resolver", "StatisticalNER"]
