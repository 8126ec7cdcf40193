"""Search quality of the live index on judged queries (``kennisbank eval``).

:func:`measure_quality` runs every judged query against the live index, and optionally
against the SQLite FTS5 baseline over the same passages, and returns both reports.
With ``explain`` it also says, per failed query (no relevant passage in the top 10) or
per query, what ranked first and why, next to the first relevant passage
(:meth:`kennisbank.search.SearchEngine.explain`).  The metrics themselves live in
:mod:`kennisbank.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kennisbank.baseline import Fts5Baseline
from kennisbank.config import Settings
from kennisbank.evaluate import (
    EvalReport,
    JudgedQuery,
    evaluate,
    format_report,
    is_relevant,
    load_queries,
    normalise_for_judging,
)
from kennisbank.search import LiveSearch, SearchEngine
from kennisbank.search.explain import QueryExplanation
from kennisbank.store import Store

__all__ = ["EXPLAIN_MODES", "QualityComparison", "measure_quality"]

#: ``--explain`` modes: the queries without a relevant passage in the top k, or all.
EXPLAIN_MODES = ("failed", "all")


@dataclass
class QualityComparison:
    """The report of the kennisbank engine and, when asked for, of the FTS5 baseline;
    ``corpus`` names what was searched (``bundled`` or ``distractors``) and ``passages``
    how many passages it holds; ``explanations`` maps query ids to their explanation."""

    report: EvalReport
    baseline: EvalReport | None = None
    corpus: str = "bundled"
    passages: int = 0
    explanations: dict[str, QueryExplanation] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"kennisbank": …}``, with ``baseline`` and ``delta_mrr`` when there is one,
        the corpus and its passages, and ``explanations`` when asked for."""
        out: dict[str, Any] = {
            "corpus": self.corpus,
            "passages": self.passages,
            "kennisbank": self.report.to_dict(),
        }
        if self.baseline:
            out["baseline"] = self.baseline.to_dict()
            out["delta_mrr"] = round(self.report.overall.mrr - self.baseline.overall.mrr, 4)
        if self.explanations:
            out["explanations"] = {qid: e.to_dict() for qid, e in self.explanations.items()}
        return out

    def text(self) -> str:
        """The Dutch report table (:func:`kennisbank.evaluate.format_report`), the corpus,
        and the explanations."""
        lines = [f"Corpus: {self.corpus}, {self.passages} passages", ""]
        lines.append(format_report(self.report, self.baseline))
        if self.explanations:
            lines += ["", f"Uitleg / explanation ({len(self.explanations)} zoekvragen):"]
            by_id = {r.id: r for r in self.report.results}
            for qid, explanation in self.explanations.items():
                result = by_id[qid]
                rank = result.first_relevant_rank
                where = (
                    f"eerste relevante op plaats {rank}"
                    if rank
                    else f"geen relevante in top {self.report.k}"
                )
                lines.append(f"  {qid} [{result.kind}] {result.query!r}: {where}")
                lines += explanation.lines("    ")
        return "\n".join(lines)


def measure_quality(
    settings: Settings,
    queries_file: str | Path,
    *,
    baseline: str | None = None,
    explain: str | None = None,
    corpus: str = "bundled",
) -> QualityComparison:
    """Evaluate the live index of ``settings`` on the judged queries in ``queries_file``.

    ``baseline="fts5"`` also evaluates SQLite FTS5 (unicode61, bm25) over the same
    passages.  ``explain`` (one of :data:`EXPLAIN_MODES`) explains the failed queries
    (no relevant passage in the top k) or all of them.  ``corpus`` names the corpus in
    the report.  Raises a :class:`~kennisbank.errors.KennisbankError` for an unreadable
    query file or a missing index.
    """
    queries = load_queries(queries_file)
    engine = LiveSearch(settings.data_dir).engine()
    with Store(settings.db_path) as store:
        passages = [(p.id, p.text) for p in store.all_passages()]
        base_engine = Fts5Baseline.from_texts(t for _, t in passages) if baseline else None
    texts = [t for _, t in passages]

    def engine_fn(text: str, k: int) -> list[str]:
        result = engine.search(text, limit=k, facets=False, snippets=False)
        return [hit.text for hit in result.hits]

    report = evaluate(queries, engine_fn, corpus_texts=texts, label="kennisbank")
    base_report = None
    if base_engine is not None:
        with base_engine:
            base_report = evaluate(queries, base_engine.search, corpus_texts=texts, label="fts5")
    explanations = {}
    if explain is not None:
        wanted = {r.id for r in report.results if explain == "all" or not r.relevant_ranks}
        judged = [(pid, normalise_for_judging(text)) for pid, text in passages] if wanted else []
        explanations = {q.id: _explain(engine, q, judged) for q in queries if q.id in wanted}
    return QualityComparison(report, base_report, corpus, len(passages), explanations)


def _explain(
    engine: SearchEngine, query: JudgedQuery, judged: list[tuple[str, str]]
) -> QueryExplanation:
    """The explanation of one judged query; when no relevant passage ranks within the
    explained depth, the first relevant passage of the corpus is explained instead
    (``judged``: every passage id with its text normalised for judging)."""

    def relevant(text: str) -> bool:
        return is_relevant(text, query.relevant)

    needles = [n for n in map(normalise_for_judging, query.relevant) if n]
    first = next((pid for pid, text in judged if any(n in text for n in needles)), None)
    return engine.explain(
        query.query, relevant=relevant, passage_ids=[first] if first is not None else []
    )
