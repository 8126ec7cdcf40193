"""The benchmark's query sets: the judged dev queries and seeded generated queries.

Generated queries imitate what people type into the search box, drawn from the corpus
being measured (so a query always has hits):

* ``words`` — 1–3 content words (letters only, four or more, not a stopword) from one
  random passage, lower case, in text order;
* ``phrase`` — 2–3 consecutive words of a random passage in double quotes;
* ``filter`` — 1–2 content words plus one facet filter (``doctype``, ``year``, ``kind`` or
  an entity facet) whose value is the sampled passage's own value.

Passages are sampled uniformly, so frequent words are drawn more often than rare ones
(as in real queries).  The random generator is seeded: the same corpus and seed give
the same queries.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kennisbank.evaluate import load_queries
from kennisbank.search.language import stopwords

#: Default seed of the query generator.
SEED = 20260522
#: Shares of generated query kinds (the rest are ``words``).
PHRASE_SHARE, FILTER_SHARE = 0.2, 0.25

_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
_ANY_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query: the text typed, its kind, and optional UI facet filters."""

    text: str
    kind: str
    filters: Mapping[str, Sequence[str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return {
            "text": self.text,
            "kind": self.kind,
            "filters": {k: list(v) for k, v in (self.filters or {}).items()},
        }


@dataclass(frozen=True)
class SampleText:
    """A passage text with its facet values (field → value), to generate queries from."""

    text: str
    facets: Mapping[str, str] = field(default_factory=dict)


def load_dev_queries(path: Path) -> list[BenchQuery]:
    """The judged dev queries of ``path`` (JSONL, see ``shared/eval/README.md``)."""
    return [BenchQuery(q.query, f"dev-{q.kind}") for q in load_queries(path)]


def _stopwords() -> frozenset[str]:
    try:
        return stopwords()
    except Exception:  # noqa: BLE001 - without the list, short words are still excluded
        return frozenset()


def generate_queries(
    samples: Sequence[SampleText], count: int, *, seed: int = SEED
) -> list[BenchQuery]:
    """``count`` generated queries from ``samples`` (see the module docstring)."""
    rng = random.Random(seed)
    stop = _stopwords()
    usable = [s for s in samples if len(_content_words(s.text, stop)) >= 1]
    if not usable or count < 1:
        return []
    queries: list[BenchQuery] = []
    attempts = 0
    while len(queries) < count and attempts < count * 50:
        attempts += 1
        sample = usable[rng.randrange(len(usable))]
        roll = rng.random()
        if roll < PHRASE_SHARE:
            query = _phrase(sample.text, stop, rng)
        elif roll < PHRASE_SHARE + FILTER_SHARE and sample.facets:
            query = _filtered(sample, stop, rng)
        else:
            query = _words(sample.text, stop, rng, rng.randint(1, 3), "words")
        if query is not None:
            queries.append(query)
    return queries


def _content_words(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in (m.lower() for m in _CONTENT_WORD.findall(text)) if w not in stop]


def _words(
    text: str, stop: frozenset[str], rng: random.Random, n: int, kind: str
) -> BenchQuery | None:
    words = list(dict.fromkeys(_content_words(text, stop)))
    if not words:
        return None
    picked = sorted(rng.sample(range(len(words)), min(n, len(words))))
    return BenchQuery(" ".join(words[i] for i in picked), kind)


def _phrase(text: str, stop: frozenset[str], rng: random.Random) -> BenchQuery | None:
    tokens = _ANY_WORD.findall(text)
    length = rng.randint(2, 3)
    starts = [
        i
        for i in range(len(tokens) - length + 1)
        if tokens[i].lower() not in stop
        and tokens[i + length - 1].lower() not in stop
        and all(any(c.isalpha() for c in t) for t in tokens[i : i + length])
    ]
    if not starts:
        return None
    start = starts[rng.randrange(len(starts))]
    return BenchQuery('"' + " ".join(tokens[start : start + length]).lower() + '"', "phrase")


def _filtered(sample: SampleText, stop: frozenset[str], rng: random.Random) -> BenchQuery | None:
    base = _words(sample.text, stop, rng, rng.randint(1, 2), "filter")
    if base is None:
        return None
    name = sorted(sample.facets)[rng.randrange(len(sample.facets))]
    return BenchQuery(base.text, "filter", {name: [sample.facets[name]]})


def samples_from_store(store: Any, limit: int | None = None) -> list[SampleText]:
    """Passage texts of a :class:`~kennisbank.store.Store` with their ``kind``, the
    document's ``doctype`` and ``year``, and (when the store has a graph) one mentioned
    entity per entity facet."""
    docs = {
        row["id"]: (row["doctype"], row["year"])
        for row in store.conn.execute("SELECT id, doctype, year FROM documents")
    }
    entities: dict[tuple[str, str], dict[str, str]] = {}
    try:
        rows = store.conn.execute(
            "SELECT document_id, passage_id, entity_id FROM mentions ORDER BY start"
        )
        for row in rows:
            etype = str(row["entity_id"]).split("/", 1)[0]
            if etype in ("gemeente", "wijk", "experiment", "partner", "thema"):
                entities.setdefault((row["document_id"], row["passage_id"]), {}).setdefault(
                    etype, row["entity_id"]
                )
    except Exception:  # noqa: BLE001 - a store without a graph has no entity facets
        pass
    sql = "SELECT id, document_id, kind, text FROM passages ORDER BY document_id, seq"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    samples = []
    for row in store.conn.execute(sql):
        doctype, year = docs.get(row["document_id"], ("", None))
        facets = {"kind": row["kind"]}
        if doctype:
            facets["doctype"] = doctype
        if year:
            facets["year"] = str(year)
        facets.update(entities.get((row["document_id"], row["id"]), {}))
        samples.append(SampleText(row["text"], facets))
    return samples
