"""Relevance evaluation of a search engine against judged queries.

The judged queries (``dev-queries.jsonl``) list, per query, phrases that a relevant
passage contains.  Judging is done on *normalised* text (see
:func:`normalise_for_judging`), so it does not depend on how passages are cut.

Any engine can be evaluated: :func:`evaluate` only needs a function
``search_fn(query, k) -> list[str]`` that returns the ranked passage texts.

Metrics over the top ``k`` (10) hits per query, reported overall and per kind:

* **MRR@k** — the reciprocal rank of the first relevant hit (0 when none).
* **Success@1** / **Success@k** — 1 when a relevant hit is at rank 1 / in the top k.
* **nDCG@k** with binary gains: ``DCG = Σ 1/log2(rank + 1)`` over the relevant hits;
  ``IDCG`` is the DCG of an ideal ranking with ``min(R, k)`` relevant passages at
  the top.  ``R`` is the number of relevant passages in the *whole corpus* when
  ``corpus_texts`` is given (the proper measure: it punishes relevant passages
  that were not retrieved), raised to the number of relevant hits returned if
  the engine returned more (duplicates, texts not in the corpus), so nDCG never
  exceeds 1.  Without ``corpus_texts``, ``R`` is the number of relevant hits in
  the returned top k: nDCG then only measures how well the retrieved relevant
  passages are ordered.
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kennisbank.errors import InvalidInput

#: The kinds of judged queries, in reporting order.
KINDS: tuple[str, ...] = ("keyword", "question", "morph", "typo", "synonym", "ref")

#: How many characters of the first hit a failed query shows.
SNIPPET_CHARS = 120

SearchFn = Callable[[str, int], list[str]]

# Footnote superscript digits; removed *before* NFKD, which would turn them into digits.
_SUPERSCRIPTS = dict.fromkeys(map(ord, "⁰¹²³⁴⁵⁶⁷⁸⁹"))

# A word hyphenated across a line break: word character, hyphen (ASCII, Unicode hyphen,
# non-breaking hyphen or soft hyphen), optional blanks, line break, optional blanks, word.
_HYPHEN_BREAK = re.compile(r"(?<=\w)[-\u2010\u2011\u00ad][ \t]*\r?\n[ \t]*(?=\w)")

# Curly and other typographic quotes and dashes, made plain.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
        "\u2010": "-",  # ‐ hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # ‒ figure dash
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2015": "-",  # ― horizontal bar
        "\u2212": "-",  # − minus sign
    }
)


def normalise_for_judging(text: str) -> str:
    """Normalise text for relevance judging, exactly as the judged-query README prescribes.

    In order: footnote superscripts (``¹²³…⁰``) removed (before NFKD, which would
    turn them into digits); a word hyphenated across a line break joined
    (``"wijk-\\naanpak"`` → ``"wijkaanpak"``; only a hyphen right after a letter or
    digit, not a free-standing dash); Unicode NFKD; lower case; accents (combining
    marks) removed; curly quotes and dashes made plain (``‘’“”`` → ``'"``,
    ``–—`` → ``-``); all whitespace collapsed to one space, without leading or
    trailing space.
    """
    text = text.translate(_SUPERSCRIPTS)
    text = _HYPHEN_BREAK.sub("", text)
    text = unicodedata.normalize("NFKD", text).lower()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_PLAIN)
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _normalised(text: str) -> str:
    return normalise_for_judging(text)


def is_relevant(passage_text: str, phrases: Iterable[str]) -> bool:
    """True when the passage contains at least one judged phrase (both normalised).

    A phrase that normalises to nothing never matches.
    """
    haystack = _normalised(passage_text)
    return any(needle and needle in haystack for needle in map(_normalised, phrases))


# --------------------------------------------------------------------------- judged queries


@dataclass(frozen=True)
class JudgedQuery:
    """One judged query: what a user types and the phrases a relevant passage contains."""

    id: str
    kind: str
    query: str
    relevant: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the JSONL line format)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "query": self.query,
            "relevant": list(self.relevant),
        }


def _bad_line(path: Path, number: int, problem: str) -> InvalidInput:
    return InvalidInput(f"Ongeldige beoordeelde zoekvraag in {path}, regel {number}: {problem}")


def _parse_query(raw: Any, path: Path, number: int) -> JudgedQuery:
    if not isinstance(raw, dict):
        raise _bad_line(path, number, "de regel is geen JSON-object.")
    for key in ("id", "kind", "query"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _bad_line(path, number, f"veld '{key}' ontbreekt of is geen niet-lege tekst.")
    if raw["kind"] not in KINDS:
        raise _bad_line(
            path, number, f"soort '{raw['kind']}' is onbekend (kies uit {', '.join(KINDS)})."
        )
    relevant = raw.get("relevant")
    if not isinstance(relevant, list) or not relevant:
        raise _bad_line(
            path, number, "veld 'relevant' moet een niet-lege lijst van zinsdelen zijn."
        )
    for phrase in relevant:
        if not isinstance(phrase, str) or not normalise_for_judging(phrase):
            raise _bad_line(
                path, number, f"zinsdeel {phrase!r} in 'relevant' is geen niet-lege tekst."
            )
    return JudgedQuery(
        id=raw["id"].strip(), kind=raw["kind"], query=raw["query"], relevant=tuple(relevant)
    )


def load_queries(path: str | Path) -> list[JudgedQuery]:
    """Read judged queries from a JSONL file (one object per line; blank lines are skipped).

    Raises :class:`InvalidInput` with a Dutch message naming the file and line for a
    missing or unreadable file, a line that is not JSON, a missing/empty field, an
    unknown kind, an empty ``relevant`` list, a duplicate id, or a file without queries.
    Extra fields on a line are ignored.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InvalidInput(f"Het bestand met beoordeelde zoekvragen {path} bestaat niet.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"Het bestand met beoordeelde zoekvragen {path} is niet te lezen ({exc})."
        ) from exc
    queries: list[JudgedQuery] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad_line(path, number, f"geen geldige JSON ({exc.msg}).") from exc
        query = _parse_query(raw, path, number)
        if query.id in seen:
            raise _bad_line(
                path, number, f"id '{query.id}' kwam al voor op regel {seen[query.id]}."
            )
        seen[query.id] = number
        queries.append(query)
    if not queries:
        raise InvalidInput(f"Het bestand {path} bevat geen beoordeelde zoekvragen.")
    return queries


# --------------------------------------------------------------------------- metrics


def _dcg(ranks: Iterable[int]) -> float:
    return sum(1.0 / math.log2(rank + 1) for rank in ranks)


@dataclass(frozen=True)
class Metrics:
    """Mean metrics over a group of queries (all zeros for an empty group)."""

    queries: int
    mrr: float
    success_at_1: float
    success_at_k: float
    ndcg: float

    @classmethod
    def of(cls, results: Sequence[QueryResult]) -> Metrics:
        """Average the per-query values of ``results``."""
        n = len(results)
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        return cls(
            queries=n,
            mrr=sum(r.reciprocal_rank for r in results) / n,
            success_at_1=sum(r.success_at_1 for r in results) / n,
            success_at_k=sum(r.success_at_k for r in results) / n,
            ndcg=sum(r.ndcg for r in results) / n,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, values rounded to 4 decimals."""
        return {
            "queries": self.queries,
            "mrr": round(self.mrr, 4),
            "success_at_1": round(self.success_at_1, 4),
            "success_at_k": round(self.success_at_k, 4),
            "ndcg": round(self.ndcg, 4),
        }


@dataclass(frozen=True)
class QueryResult:
    """How one judged query fared.

    ``relevant_ranks`` are the 1-based ranks of the relevant hits in the top k;
    ``relevant_in_corpus`` is the number of relevant corpus passages (None when
    the evaluation had no corpus); ``first_hit`` is the start of the rank-1 text.
    """

    id: str
    kind: str
    query: str
    returned: int
    relevant_ranks: tuple[int, ...]
    relevant_in_corpus: int | None
    ndcg: float
    first_hit: str | None
    latency_ms: float

    @property
    def first_relevant_rank(self) -> int | None:
        """Rank of the first relevant hit, or None when there is none in the top k."""
        return self.relevant_ranks[0] if self.relevant_ranks else None

    @property
    def reciprocal_rank(self) -> float:
        """1 / rank of the first relevant hit (0 without one)."""
        rank = self.first_relevant_rank
        return 1.0 / rank if rank else 0.0

    @property
    def success_at_1(self) -> float:
        """1.0 when the first hit is relevant."""
        return 1.0 if self.first_relevant_rank == 1 else 0.0

    @property
    def success_at_k(self) -> float:
        """1.0 when any of the top k is relevant."""
        return 1.0 if self.relevant_ranks else 0.0

    @property
    def failed(self) -> bool:
        """True when the first hit is not relevant (no relevant hit, or a later one)."""
        return self.first_relevant_rank != 1

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "query": self.query,
            "returned": self.returned,
            "relevant_ranks": list(self.relevant_ranks),
            "first_relevant_rank": self.first_relevant_rank,
            "relevant_in_corpus": self.relevant_in_corpus,
            "reciprocal_rank": round(self.reciprocal_rank, 4),
            "success_at_1": self.success_at_1,
            "success_at_k": self.success_at_k,
            "ndcg": round(self.ndcg, 4),
            "first_hit": self.first_hit,
            "latency_ms": round(self.latency_ms, 2),
        }


@dataclass(frozen=True)
class EvalReport:
    """Per-query results and their means, overall and per kind."""

    k: int
    results: tuple[QueryResult, ...]
    label: str = ""
    corpus_judged: bool = False
    overall: Metrics = field(init=False)
    per_kind: dict[str, Metrics] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overall", Metrics.of(self.results))
        kinds = [k for k in KINDS if any(r.kind == k for r in self.results)]
        per_kind = {kind: Metrics.of([r for r in self.results if r.kind == kind]) for kind in kinds}
        object.__setattr__(self, "per_kind", per_kind)

    @property
    def failed(self) -> list[QueryResult]:
        """Queries whose first hit is not relevant, in query order."""
        return [r for r in self.results if r.failed]

    @property
    def unjudgeable(self) -> list[str]:
        """Ids of queries whose phrases match no corpus passage (only with a corpus)."""
        return [r.id for r in self.results if r.relevant_in_corpus == 0]

    @property
    def mean_latency_ms(self) -> float:
        """Mean time ``search_fn`` took per query."""
        if not self.results:
            return 0.0
        return sum(r.latency_ms for r in self.results) / len(self.results)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        return {
            "label": self.label,
            "k": self.k,
            "corpus_judged": self.corpus_judged,
            "overall": self.overall.to_dict(),
            "per_kind": {kind: m.to_dict() for kind, m in self.per_kind.items()},
            "failed": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "query": r.query,
                    "first_relevant_rank": r.first_relevant_rank,
                    "first_hit": r.first_hit,
                }
                for r in self.failed
            ],
            "unjudgeable": self.unjudgeable,
            "mean_latency_ms": round(self.mean_latency_ms, 2),
            "queries": [r.to_dict() for r in self.results],
        }


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS] + "…"


def evaluate(
    queries: Sequence[JudgedQuery],
    search_fn: SearchFn,
    k: int = 10,
    *,
    corpus_texts: Sequence[str] | None = None,
    label: str = "",
) -> EvalReport:
    """Run every query through ``search_fn`` and judge the top ``k`` texts it returns.

    ``search_fn(query, k)`` returns ranked passage texts; only the first ``k`` are
    judged.  ``corpus_texts`` (every passage text of the corpus) makes nDCG use
    the number of relevant passages in the whole corpus as its ideal (see the
    module docstring).  An exception from ``search_fn`` propagates.
    """
    if k < 1:
        raise InvalidInput(f"k moet minstens 1 zijn, niet {k}.")
    corpus = [_normalised(t) for t in corpus_texts] if corpus_texts is not None else None
    results = []
    for query in queries:
        started = time.perf_counter()
        hits = list(search_fn(query.query, k))[:k]
        latency_ms = (time.perf_counter() - started) * 1000
        ranks = tuple(
            i for i, text in enumerate(hits, start=1) if is_relevant(text, query.relevant)
        )
        in_corpus = None
        ideal_count = len(ranks)
        if corpus is not None:
            needles = [n for n in map(_normalised, query.relevant) if n]
            in_corpus = sum(1 for text in corpus if any(n in text for n in needles))
            ideal_count = max(in_corpus, len(ranks))
        idcg = _dcg(range(1, min(ideal_count, k) + 1))
        results.append(
            QueryResult(
                id=query.id,
                kind=query.kind,
                query=query.query,
                returned=len(hits),
                relevant_ranks=ranks,
                relevant_in_corpus=in_corpus,
                ndcg=_dcg(ranks) / idcg if idcg else 0.0,
                first_hit=_snippet(hits[0]) if hits else None,
                latency_ms=latency_ms,
            )
        )
    return EvalReport(k=k, results=tuple(results), label=label, corpus_judged=corpus is not None)


# --------------------------------------------------------------------------- report


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _fmt_delta(value: float) -> str:
    return f"{value:+.3f}"


def format_report(report: EvalReport, baseline: EvalReport | None = None) -> str:
    """A readable table (Dutch/English headings) of ``report``, optionally beside a baseline.

    With a baseline each metric has a baseline and an engine column, and a
    ``Δ MRR`` column shows engine minus baseline.  Below the table the failed
    queries are listed with what came first instead.
    """
    k = report.k
    names = [f"MRR@{k}", "S@1", f"S@{k}", f"nDCG@{k}"]
    attrs = ["mrr", "success_at_1", "success_at_k", "ndcg"]
    engine = report.label or "zoekmachine"
    groups: list[tuple[str, Metrics]] = [("alle/all", report.overall)]
    groups += list(report.per_kind.items())
    lines = [f"Evaluatie / evaluation: {engine}, {report.overall.queries} zoekvragen, top {k}"]
    if baseline is not None:
        base_name = baseline.label or "basislijn"
        lines.append(f"Vergeleken met / compared with: {base_name} (links/left: basis, b)")
        header = f"{'soort/kind':<12}{'n':>4}"
        for name in names:
            header += f"  {name + ' b':>10}{name:>10}"
        header += f"  {'Δ MRR':>8}"
        lines += [header, "-" * len(header)]
        base_groups = {"alle/all": baseline.overall, **baseline.per_kind}
        for kind, metrics in groups:
            base = base_groups.get(kind)
            row = f"{kind:<12}{metrics.queries:>4}"
            for attr in attrs:
                base_value = _fmt(getattr(base, attr)) if base else "-"
                row += f"  {base_value:>10}{_fmt(getattr(metrics, attr)):>10}"
            delta = _fmt_delta(metrics.mrr - base.mrr) if base else "-"
            row += f"  {delta:>8}"
            lines.append(row)
    else:
        header = f"{'soort/kind':<12}{'n':>4}" + "".join(f"  {name:>8}" for name in names)
        lines += [header, "-" * len(header)]
        for kind, metrics in groups:
            row = f"{kind:<12}{metrics.queries:>4}"
            row += "".join(f"  {_fmt(getattr(metrics, attr)):>8}" for attr in attrs)
            lines.append(row)
    lines.append(f"Gemiddelde zoektijd / mean latency: {report.mean_latency_ms:.1f} ms")
    failed = report.failed
    lines.append("")
    lines.append(f"Mislukt / failed (eerste treffer niet relevant): {len(failed)}")
    for result in failed:
        rank = result.first_relevant_rank
        where = f"eerste relevante op plaats {rank}" if rank else f"geen relevante in top {k}"
        lines.append(f"  {result.id} [{result.kind}] {result.query!r}: {where}")
        first = result.first_hit if result.first_hit is not None else "(geen resultaten)"
        lines.append(f"      eerst / first: {first}")
    if report.unjudgeable:
        lines.append("")
        lines.append(
            "Let op / note: geen enkele passage bevat de zinsdelen van "
            + ", ".join(report.unjudgeable)
        )
    return "\n".join(lines)
