"""Search quality of the live index on judged queries (``kennisbank eval``).

:func:`measure_quality` runs every judged query against the live index, and optionally
against the SQLite FTS5 baseline over the same passages, and returns both reports.
The metrics themselves live in :mod:`kennisbank.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kennisbank.baseline import Fts5Baseline
from kennisbank.config import Settings
from kennisbank.evaluate import EvalReport, evaluate, format_report, load_queries
from kennisbank.search import LiveSearch
from kennisbank.store import Store

__all__ = ["QualityComparison", "measure_quality"]


@dataclass
class QualityComparison:
    """The report of the kennisbank engine and, when asked for, of the FTS5 baseline."""

    report: EvalReport
    baseline: EvalReport | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"kennisbank": …}``, with ``baseline`` and ``delta_mrr`` when there is one."""
        out: dict[str, Any] = {"kennisbank": self.report.to_dict()}
        if self.baseline:
            out["baseline"] = self.baseline.to_dict()
            out["delta_mrr"] = round(self.report.overall.mrr - self.baseline.overall.mrr, 4)
        return out

    def text(self) -> str:
        """The Dutch report table (:func:`kennisbank.evaluate.format_report`)."""
        return format_report(self.report, self.baseline)


def measure_quality(
    settings: Settings, queries_file: str | Path, *, baseline: str | None = None
) -> QualityComparison:
    """Evaluate the live index of ``settings`` on the judged queries in ``queries_file``.

    ``baseline="fts5"`` also evaluates SQLite FTS5 (unicode61, bm25) over the same
    passages.  Raises a :class:`~kennisbank.errors.KennisbankError` for an unreadable
    query file or a missing index.
    """
    queries = load_queries(queries_file)
    engine = LiveSearch(settings.data_dir).engine()
    with Store(settings.db_path) as store:
        corpus = [p.text for p in store.all_passages()]
        base_engine = Fts5Baseline.from_store(store) if baseline else None

    def engine_fn(text: str, k: int) -> list[str]:
        result = engine.search(text, limit=k, facets=False, snippets=False)
        return [hit.text for hit in result.hits]

    report = evaluate(queries, engine_fn, corpus_texts=corpus, label="kennisbank")
    base_report = (
        evaluate(queries, base_engine.search, corpus_texts=corpus, label="fts5")
        if base_engine
        else None
    )
    return QualityComparison(report, base_report)
