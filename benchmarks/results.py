"""What a benchmark run measured: plain dataclasses, rendered by :mod:`benchmarks.report`."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.stats import Spread

#: The latency percentiles reported everywhere.
PERCENTILES = ("p50", "p95", "p99")


@dataclass
class LatencySet:
    """Latency of one query set on one corpus: Whoosh and FTS5 per percentile, ratios."""

    name: str
    queries: int
    runs: int
    whoosh: dict[str, Spread]
    fts5: dict[str, Spread]
    ratio: dict[str, Spread]
    mean_total_hits: float
    zero_hit_queries: int
    errors: int
    kinds: dict[str, int] = field(default_factory=dict)
    groups: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class BuildFigures:
    """Index build figures over the runs."""

    method: str
    passages_per_s: Spread
    mb_per_s: Spread
    seconds: Spread
    cpu_seconds: Spread
    passages_per_cpu_s: Spread
    index_mb: float
    rss_main_mb: Spread
    rss_children_mb: Spread
    fts5_passages_per_s: Spread
    fts5_seconds: Spread
    fts5_index_mb: float = math.nan
    documents_per_s: Spread = field(default_factory=lambda: Spread.of([]))
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FacetCost:
    """Latency of one query set with facet counts against without (snippets on in both):
    p50/p95 per side and the per-run ratios with/without."""

    queries: int
    runs: int
    with_facets: dict[str, Spread]
    without_facets: dict[str, Spread]
    ratio: dict[str, Spread]
    mean_extra_ms: Spread


@dataclass
class CorpusResult:
    """Everything measured on one corpus (``skipped`` says why a corpus was not measured)."""

    label: str
    scale: int
    passages: int = 0
    documents: int = 0
    text_bytes: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    prepare_seconds: float = 0.0
    build: BuildFigures | None = None
    open_seconds: float = 0.0
    latency: list[LatencySet] = field(default_factory=list)
    variants: dict[str, dict[str, float]] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict)
    build_profile: dict[str, Any] = field(default_factory=dict)
    facet_cost: FacetCost | None = None
    skipped: str | None = None


@dataclass
class Target:
    """One target of the issue with the measured figure."""

    name: str
    limit: str
    measured: str
    met: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        """``met`` / ``MISSED`` / ``not measured``."""
        return {True: "met", False: "**MISSED**", None: "not measured"}[self.met]


@dataclass
class BenchReport:
    """A whole benchmark run."""

    command: str
    started: str
    machine: dict[str, Any]
    runs: int
    queries: int
    corpora: list[CorpusResult]
    seconds: float = 0.0
    targets: list[Target] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json`` (spreads as dicts)."""
        return json.loads(json.dumps(asdict(self), default=str))
