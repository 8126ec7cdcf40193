"""Small statistics for benchmark figures: percentiles and spreads over runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile (0–100) of ``values`` with linear interpolation between
    closest ranks (NumPy's default); ``nan`` for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * max(0.0, min(100.0, pct)) / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """``p50``/``p95``/``p99`` (and ``mean``) in milliseconds of per-query times in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms) if ms else math.nan,
    }


@dataclass(frozen=True)
class Spread:
    """One figure over several runs: the median with the lowest and highest run."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The spread of the per-run ``values`` (``nan`` when there are none)."""
        clean = [v for v in values if not math.isnan(v)]
        if not clean:
            return cls(math.nan, math.nan, math.nan, 0)
        return cls(statistics.median(clean), min(clean), max(clean), len(clean))

    def fmt(self, digits: int = 1) -> str:
        """``"12.3 (11.0–14.1)"``; just the value for a single run; ``"–"`` without runs."""
        if self.runs == 0:
            return "–"
        value = f"{self.median:,.{digits}f}"
        if self.runs == 1:
            return value
        return f"{value} ({self.low:,.{digits}f}–{self.high:,.{digits}f})"

    def to_dict(self) -> dict[str, float]:
        """Plain-dict form for JSON output."""
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.runs}


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Spread:
    """The spread of per-run ratios ``numerators[i] / denominators[i]`` (runs measured side
    by side, so background load affects both sides of each ratio alike)."""
    return Spread.of([n / d for n, d in zip(numerators, denominators, strict=True) if d > 0])
